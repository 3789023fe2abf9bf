"""The landmark websocket: the in-browser pose component streams landmark batches to the same
server and port as the app (mounted through ``st.App`` in streamlit_app.py, so the page's
CSP ``connect-src 'self'`` and the clinic's HTTPS cover it: wss on an https page) and gets each
batch's verdict back on the same socket.

Protocol (messages typed in :mod:`formcheck.run.live.messages`): the first message is
``{"type": "hello", "token": ...}`` with the one-time token the page put in the component's
args (never in the URL: a URL may be logged); the server answers ``{"type": "ready"}`` or
closes with a plain reason. Then every message is a landmark batch, judged at once by what the
page registered (a :class:`~formcheck.run.live.registry.LandmarkSink`: the Live page's
:class:`~formcheck.run.live.landmarks.LandmarkLive`, the same Session as clips, or the Desk
monitor's :class:`~formcheck.monitor.browser_feed.MonitorLandmarks`), answered by the reply the
overlay draws. A batch with ``running`` false (STOP) ends the set: the reply, then
the socket closes (1000, "set stopped") and the token is spent.

Under load (many patients on one event loop) the messages a patient sent while the loop judged
the others wait in that socket's inbox; they are judged together, in order, and answered by one
reply (fewer sends when the server is behind), and the loop lets the other sockets run between
two of them. When replies still come late the socket asks the page for fewer, larger messages, then for
fewer frames a second and says so (:mod:`formcheck.run.live.pacing`), so a backlog cannot grow
without end.

No Streamlit in this module: only Starlette.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from formcheck.run.live.judging import Judged, feed_texts
from formcheck.run.live.messages import (
    CLOSE_BAD_MESSAGE,
    CLOSE_FOREIGN_ORIGIN,
    CLOSE_NO_HELLO,
    CLOSE_REFUSED,
    CLOSE_SET_STOPPED,
    CLOSE_TOO_BIG,
    CLOSE_WORKER_GONE,
)
from formcheck.run.live.pacing import Pacer
from formcheck.run.live.registry import REGISTRY, LiveRegistry, TokenRefusedError
from formcheck.run.live.remote import RemoteLive, WorkerGoneError

log = logging.getLogger(__name__)

PATH = "/formcheck/landmarks"   # outside Streamlit's reserved /_stcore/, /component/, /media/, /static/
HELLO_TIMEOUT_S = 10.0
ALIVE_CHECK_S = 2.0             # how often the page's session is asked whether it is still there
MAX_MESSAGE_CHARS = 2_000_000   # ~300 frames of landmarks; the component sends one or a few


def routes(registry: LiveRegistry = REGISTRY) -> list[WebSocketRoute]:
    """The Starlette route(s) to mount with ``st.App(..., routes=routes())``."""
    async def endpoint(ws: WebSocket) -> None:
        await serve_socket(ws, registry)
    return [WebSocketRoute(PATH, endpoint, name="formcheck-landmarks")]


def same_origin(ws: WebSocket) -> bool:
    """A browser's socket must come from a page of this server (no Origin: not a browser)."""
    origin = ws.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc.lower() == ws.headers.get("host", "").lower()


async def serve_socket(ws: WebSocket, registry: LiveRegistry) -> None:
    """One component's socket, from hello to close."""
    await ws.accept()
    if not same_origin(ws):
        await ws.close(CLOSE_FOREIGN_ORIGIN, "this socket is only for pages of this server")
        return
    try:
        hello = orjson.loads(await asyncio.wait_for(ws.receive_text(), HELLO_TIMEOUT_S))
    except (TimeoutError, ValueError, KeyError):
        await ws.close(CLOSE_NO_HELLO, "expected a hello with the page's token first")
        return
    except WebSocketDisconnect:
        return
    token = hello.get("token") if isinstance(hello, dict) and hello.get("type") == "hello" else None
    try:
        entry = registry.claim(token)
    except TokenRefusedError as e:
        log.info("live socket refused: %s", e)
        await ws.close(CLOSE_REFUSED, str(e))
        return
    assert isinstance(token, str)
    proc = entry.proc
    log.info("live socket open for %s's session", entry.owner)
    pacer = Pacer()
    frames = 0
    inbox: asyncio.Queue[tuple[str, float] | None] = asyncio.Queue()
    reader = asyncio.create_task(_read(ws, inbox))
    try:
        await ws.send_text('{"type":"ready"}')
        checked = time.monotonic()
        while True:
            queued = [await inbox.get()]
            while not inbox.empty():   # all that arrived while the others were judged: one reply
                queued.append(inbox.get_nowait())
            ended = None in queued     # the page went away, or sent too much (closed by _read)
            texts = [got[0] for got in (queued[:queued.index(None)] if ended else queued) if got is not None]
            try:
                judged = await _judge(proc, texts)
            except WorkerGoneError:
                await ws.close(CLOSE_WORKER_GONE, "the server's judging process stopped: reload the page")
                return
            frames += judged.frames
            if judged.bad:
                await ws.close(CLOSE_BAD_MESSAGE, "a landmark batch must be JSON")
                return
            if ended:
                return
            now = time.monotonic()
            first = queued[0]
            assert first is not None
            if pacer.observe(now - first[1], now):
                log.warning("live socket for %s's session: replies %.0f ms late, the page may now send %s, %s",
                            entry.owner, (now - first[1]) * 1000.0,
                            f"{pacer.max_fps:.0f} frames a second" if pacer.max_fps else "every frame",
                            f"a message every {pacer.send_ms:.0f} ms" if pacer.send_ms else "at its own interval")
            await ws.send_text(orjson.dumps({"type": "reply", **judged.reply, "playing": judged.playing,
                                             **pacer.fields()}).decode())
            if judged.stopped:
                await ws.close(CLOSE_SET_STOPPED, "set stopped")
                return
            if now - checked > ALIVE_CHECK_S:
                checked = now
                if not entry.alive():
                    await ws.close(CLOSE_REFUSED, "the page's session has ended: reload the page")
                    return
    except WebSocketDisconnect:
        pass
    except RuntimeError:   # a reply after the connection closed (e.g. a keep-alive ping timed out)
        if ws.client_state == WebSocketState.CONNECTED and ws.application_state == WebSocketState.CONNECTED:
            raise
        log.info("live socket for %s's session closed under us", entry.owner)
    finally:
        reader.cancel()
        registry.release(token)
        log.info("live socket closed for %s's session (%d frames received)", entry.owner, frames)


async def _judge(proc: Any, texts: list[str]) -> Judged:
    """Judge a socket's waiting messages: in the set's worker process (a RemoteLive), or here,
    letting the other sockets run between two messages of one patient's backlog."""
    if isinstance(proc, RemoteLive):
        return await proc.judge_async(texts)
    frames, stopped = 0, False
    for k, text in enumerate(texts):
        if k:   # one patient's backlog does not hold up the other patients' replies
            await asyncio.sleep(0)
        got = feed_texts(proc, [text])
        frames, stopped = frames + got.frames, stopped or got.stopped
        if got.bad:
            return Judged({}, proc.playing, frames, stopped, {}, bad=True)
    return Judged(proc.reply(), proc.playing, frames, stopped, {})


async def _read(ws: WebSocket, inbox: asyncio.Queue[tuple[str, float] | None]) -> None:
    """The socket's messages into ``inbox`` as they come, each with its arrival (monotonic s),
    so the judging loop can take a patient's backlog at once; None at the end."""
    try:
        while True:
            text = await ws.receive_text()
            if len(text) > MAX_MESSAGE_CHARS:
                await ws.close(CLOSE_TOO_BIG, "message too large")
                return
            inbox.put_nowait((text, time.monotonic()))
    except KeyError:   # a binary message: the protocol is text
        await ws.close(CLOSE_BAD_MESSAGE, "a landmark batch must be JSON text")
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        inbox.put_nowait(None)
