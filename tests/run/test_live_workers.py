"""Live sets judged in worker processes (formcheck.run.live.workers / remote): the same replies,
reps and history as judging in the server's process, through the landmark socket too; a worker
that dies ends its set with a plain message and is replaced; a worker outlives no server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from test_live_landmarks import bridge_reps, protocol_frames

from formcheck.media.bundles import default_model_path
from formcheck.rules.definition import get_definition
from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.messages import CLOSE_SET_STOPPED, CLOSE_WORKER_GONE
from formcheck.run.live.registry import LiveRegistry
from formcheck.run.live.remote import WORKER_GONE, RemoteLive, WorkerGoneError
from formcheck.run.live.replay import messages
from formcheck.run.live.websocket import PATH, routes
from formcheck.run.live.workers import RecorderSpec, WorkerPool, worker_count
from formcheck.storage import repo
from formcheck.storage.database import Database


@pytest.fixture(scope="module")
def workers():
    p = WorkerPool(1)
    yield p
    p.shutdown()


def spec(db: Database, patient: str) -> RecorderSpec:
    d = get_definition("bridge")
    return RecorderSpec(db.url, db.actor, patient, d.id, d.version)


def test_a_set_judged_in_a_worker_replies_counts_and_records_as_in_the_server(workers, tmp_path):
    d = get_definition("bridge")
    db = Database(f"sqlite:///{tmp_path / 'fc.db'}")
    here = LandmarkLive(d, default_model_path())
    there = RemoteLive(workers, d, default_model_path(), recorder=spec(db, "Worker Patient"))
    for m in messages(protocol_frames(bridge_reps(3))):
        here.feed(m)
        there.feed(m)
        assert there.reply() == here.reply()
        assert there.playing == here.playing
    assert there.panel_signature() == here.panel_signature()
    assert len(there.snapshot().reps) == len(here.snapshot().reps) == 3
    assert there.result().summary == here.result().summary
    assert there.set_key() != "gone"
    there.recorder.flush()
    assert there.recorder.error is None
    (done,) = repo.history(db, "Worker Patient")
    assert done.source == "live" and done.reps == 3 and done.good_reps == 3
    there.close()
    db.dispose()


def test_the_socket_feeds_a_worker_and_a_dead_worker_ends_the_set_in_plain_words(tmp_path):
    pool = WorkerPool(1)
    registry = LiveRegistry()
    client = TestClient(Starlette(routes=routes(registry)))
    d = get_definition("bridge")
    db = Database(f"sqlite:///{tmp_path / 'fc.db'}")
    try:
        proc = RemoteLive(pool, d, default_model_path(), recorder=spec(db, "Socket Patient"))
        msgs = list(messages(protocol_frames(bridge_reps(2))))
        with client.websocket_connect(PATH) as ws:
            ws.send_text(json.dumps({"type": "hello", "token": registry.register(proc, "s1", "a patient")}))
            assert json.loads(ws.receive_text()) == {"type": "ready"}
            for m in msgs:
                ws.send_text(json.dumps(m))
                r = json.loads(ws.receive_text())
            assert r["reps"] == 2 and r["playing"] is False and proc.playing is False
            with pytest.raises(WebSocketDisconnect) as e:
                ws.receive_text()
            assert e.value.code == CLOSE_SET_STOPPED
        proc.recorder.flush()
        assert [s.reps for s in repo.history(db, "Socket Patient")] == [2]

        second = RemoteLive(pool, d, default_model_path())
        pool._workers[0]._process.kill()   # the worker dies mid-set
        pool._workers[0]._process.join(5)
        with client.websocket_connect(PATH) as ws:
            ws.send_text(json.dumps({"type": "hello", "token": registry.register(second, "s2", "a patient")}))
            assert json.loads(ws.receive_text()) == {"type": "ready"}
            ws.send_text(json.dumps(msgs[0]))
            with pytest.raises(WebSocketDisconnect) as e:
                ws.receive_text()
            assert e.value.code == CLOSE_WORKER_GONE and "judging process stopped" in e.value.reason
        assert second.snapshot().error == WORKER_GONE and second.playing is False
        with pytest.raises(WorkerGoneError):
            second.result()
        third = RemoteLive(pool, d, default_model_path())   # a new worker takes the next set
        for m in msgs:
            third.feed(m)
        assert len(third.snapshot().reps) == 2
        third.close()
    finally:
        pool.shutdown()
        db.dispose()


def test_a_worker_exits_when_its_server_is_gone():
    code = ("import os, sys\n"
            "from formcheck.media.bundles import default_model_path\n"
            "from formcheck.rules.definition import get_definition\n"
            "from formcheck.run.live.remote import RemoteLive\n"
            "from formcheck.run.live.workers import WorkerPool\n"
            "if __name__ == '__main__':\n"
            "    pool = WorkerPool(1)\n"
            "    RemoteLive(pool, get_definition('bridge'), default_model_path())\n"
            "    print(pool._workers[0]._process.pid, flush=True)\n"
            "    os._exit(0)   # no clean shutdown: killed, or crashed\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    pid = int(out.stdout.split()[-1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.2)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:   # a zombie has exited (its parent is gone: reaped by init)
        return f.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize(("env", "expected"), [("0", 0), ("3", 3), ("", max(1, os.cpu_count() or 1)),
                                               ("lots", max(1, os.cpu_count() or 1))])
def test_the_number_of_workers_follows_the_setting(monkeypatch, env, expected):
    monkeypatch.setenv("FORMCHECK_LIVE_WORKERS", env)
    assert worker_count() == expected


def test_the_app_server_starts_its_workers_as_it_starts_and_stops_them_with_it(monkeypatch):
    from formcheck.run.live import workers

    monkeypatch.setenv("FORMCHECK_LIVE_WORKERS", "1")
    with TestClient(Starlette(lifespan=workers.lifespan)):
        started = workers.pool()
        assert started is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and started._workers[0] is None:
            time.sleep(0.05)
        process = started._workers[0]._process
        assert process.is_alive()   # before any page asked for one
    process.join(10)
    assert not process.is_alive()


class _FakeManager:
    """A worker that is always alive and makes stand-in proxies (no process)."""

    class _process:  # noqa: N801
        @staticmethod
        def is_alive() -> bool:
            return True

    def WorkerLive(self, *args):  # noqa: N802 (the manager's registered type name)
        return object()


def test_sets_go_to_the_least_busy_worker_and_leave_it_when_closed_or_forgotten(monkeypatch):
    import gc

    monkeypatch.setattr(WorkerPool, "_start", lambda self: _FakeManager())
    pool = WorkerPool(2)
    d = get_definition("bridge")
    a, b, c = (RemoteLive(pool, d, default_model_path()) for _ in range(3))
    assert [a._worker, b._worker, c._worker] == [0, 1, 0] and pool._load == [2, 1]
    monkeypatch.setattr(RemoteLive, "call", lambda self, method, *args, default: default)
    a.close()
    a.close()   # twice: counted once
    assert pool._load == [1, 1]
    del b       # a page's session gone without a close
    gc.collect()
    assert pool._load == [1, 0]


@pytest.mark.parametrize(("env", "open_here", "room"), [("", 3, True), ("", 4, False), ("0", 0, False),
                                                          ("2", 1, True), ("x", 4, False)])
def test_a_new_set_is_judged_in_the_server_while_it_has_room(monkeypatch, env, open_here, room):
    from formcheck.run.live import workers

    monkeypatch.setenv("FORMCHECK_LIVE_IN_SERVER", env)
    monkeypatch.setattr(workers, "_in_server", workers.weakref.WeakSet())
    d = get_definition("bridge")
    sets = [LandmarkLive(d, default_model_path()) for _ in range(open_here)]
    for s in sets:
        workers.judged_in_server(s)
    assert workers.room_in_server() is room
    if sets:
        workers.judged_in_server(sets[0], open_=False)   # closed: room again
        assert workers.room_in_server()
