"""The landmark websocket's handler through Starlette's TestClient (no browser, no Streamlit):
tokens accepted and refused with a plain reason, a reply per batch, STOP ends the set and
spends the token, the reps are in the patient's history."""

from __future__ import annotations

import json
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from test_live_landmarks import bridge_reps, protocol_frames

from formcheck.media.bundles import default_model_path
from formcheck.rules.definition import get_definition
from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.messages import CLOSE_FOREIGN_ORIGIN, CLOSE_REFUSED, CLOSE_SET_STOPPED
from formcheck.run.live.pacing import BUSY_SEND_MS
from formcheck.run.live.registry import LiveRegistry
from formcheck.run.live.replay import messages
from formcheck.run.live.websocket import PATH, routes
from formcheck.storage import repo
from formcheck.storage.database import Database
from formcheck.storage.recorder import SetRecorder


@pytest.fixture
def registry() -> LiveRegistry:
    return LiveRegistry()


@pytest.fixture
def client(registry: LiveRegistry) -> TestClient:
    return TestClient(Starlette(routes=routes(registry)))


def hello(ws, token: str) -> dict:
    ws.send_text(json.dumps({"type": "hello", "token": token}))
    return json.loads(ws.receive_text())


def closed_with(ws) -> tuple[int, str]:
    with pytest.raises(WebSocketDisconnect) as e:
        ws.receive_text()
    return e.value.code, e.value.reason


def test_a_set_streamed_on_the_socket_is_judged_replied_and_recorded(client, registry, tmp_path):
    d = get_definition("bridge")
    db = Database(f"sqlite:///{tmp_path / 'fc.db'}")
    rec = SetRecorder(db, "Socket Patient", d.id, d.version)
    proc = LandmarkLive(d, default_model_path(), recorder=rec)
    token = registry.register(proc, "session-1", "a therapist")
    msgs = list(messages(protocol_frames(bridge_reps(3))))
    with client.websocket_connect(PATH) as ws:
        assert hello(ws, token) == {"type": "ready"}
        assert registry.state(token) == "claimed"
        acks = []
        for m in msgs:
            ws.send_text(json.dumps(m))
            r = json.loads(ws.receive_text())
            assert r["type"] == "reply"
            acks.append(r["ack"])
        assert acks == sorted(acks) and acks[-1] == msgs[-2]["frames"][-1]["i"]
        assert r["reps"] == 3 and r["playing"] is False and "colours" in r
        assert closed_with(ws) == (CLOSE_SET_STOPPED, "set stopped")
    assert registry.state(token) == "gone" and len(registry) == 0   # STOP spent the token
    rec.flush()
    (done,) = repo.history(db, "Socket Patient")
    assert done.source == "live" and done.reps == 3 and done.good_reps == 3
    proc.close()
    db.dispose()


class SlowJudge:
    """A LandmarkSink that takes 40 ms a batch on the event loop (a server far behind)."""

    def __init__(self) -> None:
        self.judged: list[int] = []
        self.playing = True

    def feed(self, message: dict) -> None:
        time.sleep(0.04)
        self.judged += [f["i"] for f in message["frames"]]
        self.playing = message["running"]

    def reply(self) -> dict:
        return {"ack": self.judged[-1] if self.judged else -1}


def test_a_backlog_is_judged_in_order_with_one_reply_and_the_page_is_asked_for_fewer_frames(registry):
    """On uvicorn (the app's server; the TestClient hands messages over one by one)."""
    import threading

    import uvicorn
    from browser import free_port
    from websockets.sync.client import connect

    judge = SlowJudge()
    token = registry.register(judge, "s", "a patient")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=routes(registry)), host="127.0.0.1", port=port,
                                           ws="websockets-sansio", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    sent = 120   # 4 s of 30 fps frames at once, far more than the judge keeps up with (4.8 s)
    try:
        while not server.started:
            time.sleep(0.05)
        with connect(f"ws://127.0.0.1:{port}{PATH}") as ws:
            ws.send(json.dumps({"type": "hello", "token": token}))
            assert json.loads(ws.recv()) == {"type": "ready"}
            for k in range(sent):
                ws.send(json.dumps({"batch": k, "running": True, "frames": [{"i": k}]}))
                time.sleep(0.01)
            ws.send(json.dumps({"batch": sent, "running": False, "frames": []}))
            got = [json.loads(m) for m in ws]
    finally:
        server.should_exit = True
        thread.join(10)
    assert judge.judged == list(range(sent))   # every frame, once, in order
    assert len(got) < sent / 2 and got[-1]["ack"] == sent - 1   # the waiting ones got one reply
    # first fewer, larger messages (pacing's first step), then fewer frames a second, said in words
    first_limit = next(k for k, r in enumerate(got) if "send_ms" in r)
    assert all("max_fps" not in r for r in got[:first_limit + 1])
    assert got[-1]["send_ms"] == BUSY_SEND_MS
    assert got[-1]["max_fps"] < 30 and "The formcheck server is" in got[-1]["busy"]


@pytest.mark.parametrize("token", ["not-a-token", None, 12])
def test_an_unknown_token_is_refused_with_a_reason(client, token):
    with client.websocket_connect(PATH) as ws:
        ws.send_text(json.dumps({"type": "hello", "token": token}))
        code, reason = closed_with(ws)
    assert code == CLOSE_REFUSED and "unknown or expired token" in reason


def test_a_token_works_once_and_not_for_an_ended_session(client, registry):
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    token = registry.register(proc, "s", "someone")
    with client.websocket_connect(PATH) as first:
        assert hello(first, token)["type"] == "ready"
        with client.websocket_connect(PATH) as second:
            second.send_text(json.dumps({"type": "hello", "token": token}))
            assert closed_with(second) == (CLOSE_REFUSED, "this token is already in use by another connection")
    # the first socket closed: its token is spent
    with client.websocket_connect(PATH) as again:
        again.send_text(json.dumps({"type": "hello", "token": token}))
        assert closed_with(again)[0] == CLOSE_REFUSED
    ended = registry.register(proc, "s2", "someone", alive=lambda: False)
    with client.websocket_connect(PATH) as ws:
        ws.send_text(json.dumps({"type": "hello", "token": ended}))
        assert closed_with(ws) == (CLOSE_REFUSED, "the page's session has ended: reload the page")
    assert registry.drop_session("s") == 0 and len(registry) == 0


def test_an_unclaimed_token_expires_and_a_logout_drops_the_sessions_tokens():
    from formcheck.run.live.registry import TokenRefusedError

    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    stale = LiveRegistry(unclaimed_ttl_s=0.0)
    token = stale.register(proc, "s", "x")
    with pytest.raises(TokenRefusedError, match="unknown or expired"):
        stale.claim(token)
    reg = LiveRegistry()
    a, b, other = reg.register(proc, "s", "x"), reg.register(proc, "s", "x"), reg.register(proc, "t", "y")
    assert len({a, b, other}) == 3 and min(len(a), len(b)) >= 40   # 32 random bytes each
    assert reg.drop_session("s") == 2 and reg.state(a) == "gone" and reg.state(other) == "free"


def test_a_page_of_another_site_cannot_open_it(client, registry):
    token = registry.register(LandmarkLive(get_definition("bridge"), default_model_path()), "s", "x")
    with client.websocket_connect(PATH, headers={"origin": "https://evil.example"}) as ws:
        assert closed_with(ws)[0] == CLOSE_FOREIGN_ORIGIN
    assert registry.state(token) == "free"


def test_bad_json_closes_with_a_reason_and_logs_no_token(client, registry, caplog):
    caplog.set_level("INFO", logger="formcheck")
    token = registry.register(LandmarkLive(get_definition("bridge"), default_model_path()), "s", "a patient")
    with client.websocket_connect(PATH) as ws:
        hello(ws, token)
        ws.send_text("{not json")
        assert closed_with(ws)[1] == "a landmark batch must be JSON"
    assert "a patient" in caplog.text and token not in caplog.text


def test_a_binary_message_closes_with_a_reason(client, registry):
    token = registry.register(LandmarkLive(get_definition("bridge"), default_model_path()), "s", "a patient")
    with client.websocket_connect(PATH) as ws:
        hello(ws, token)
        ws.send_bytes(b"\x00\x01")
        assert closed_with(ws)[1] == "a landmark batch must be JSON text"
    assert registry.state(token) == "gone"


def test_the_app_server_serves_the_socket_over_its_own_https_port(tmp_path):
    """`streamlit run streamlit_app.py` with a certificate: the landmark route is on the same
    TLS port as the app (wss), and refuses a made-up token with its reason."""
    import asyncio
    import os
    import ssl
    import subprocess
    import sys

    import websockets
    from browser import ROOT, free_port, wait_healthy
    from certs import self_signed

    cert, key = self_signed(tmp_path, "127.0.0.1")
    port = free_port()
    env = {**os.environ, "FORMCHECK_HOME": str(tmp_path), "GLOG_minloglevel": "2"}
    log = open(tmp_path / "streamlit.log", "wb")   # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--server.sslCertFile", str(cert),
                             "--server.sslKeyFile", str(key)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    ctx = ssl.create_default_context(cafile=str(cert))
    try:
        wait_healthy(f"https://127.0.0.1:{port}", proc, tmp_path / "streamlit.log", 60.0, ctx)

        async def refused() -> tuple[int, str]:
            async with websockets.connect(f"wss://127.0.0.1:{port}{PATH}", ssl=ctx) as ws:
                await ws.send(json.dumps({"type": "hello", "token": "made-up"}))
                with pytest.raises(websockets.ConnectionClosed) as e:
                    await ws.recv()
                assert e.value.rcvd is not None
                return e.value.rcvd.code, e.value.rcvd.reason
        assert asyncio.run(refused()) == (CLOSE_REFUSED, "unknown or expired token: reload the page")
    finally:
        proc.terminate()
        proc.wait(20)
        log.close()
