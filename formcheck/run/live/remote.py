"""The page's handle on a live set judged in a worker process (:mod:`formcheck.run.live.workers`):
what the Live page and the landmark socket use in place of a
:class:`~formcheck.run.live.landmarks.LandmarkLive`, with the same calls.

The socket's hot path (:meth:`RemoteLive.judge_async`) sends a socket's waiting messages to the
worker as they came (text: the worker parses them) from a thread of a small pool, so the server's
event loop never waits for a worker; ``playing`` and the component's figures come back with each
reply, so the page reads them without a call. What the page shows (snapshot, summary, earlier
sets) is asked of the worker when the page runs, about once a second. When the worker has gone
away the set cannot go on: the snapshot says so in plain words (the reps done so far are in the
patient's history: they were written as they finished) and the socket closes with the same words.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from formcheck.engine.session import SessionResult
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile
from formcheck.run.live.judging import Judged
from formcheck.run.live.video import LiveSnapshot
from formcheck.run.live.workers import RecorderSpec, WorkerPool

log = logging.getLogger(__name__)

WORKER_GONE = ("The server's judging process for this set stopped, so this set cannot go on. "
               "The reps you finished are in your history; reload the page to start a new set.")
CALL_ERRORS = (OSError, EOFError)   # a worker gone: refused, reset or closed connections
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


class WorkerGoneError(RuntimeError):
    """The worker judging this set has gone away; ``str()`` is the plain message."""


def _calls() -> ThreadPoolExecutor:
    """Threads that wait on workers for the event loop (each keeps a connection per worker)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="formcheck-judge-call")
        return _executor


class RemoteRecorder:
    """The page's view of the worker's SetRecorder: its last write error, and a flush."""

    def __init__(self, live: RemoteLive) -> None:
        self._live = live

    @property
    def error(self) -> str | None:
        return self._live.recorder_error()

    def flush(self, timeout_s: float = 10.0) -> None:
        self._live.call("flush", timeout_s, default=None)


class RemoteLive:
    """A LandmarkLive judged in a worker: the same calls the Live page and the socket make."""

    def __init__(self, pool: WorkerPool, definition: Definition, model: Path, profile: Profile | None = None,
                 recorder: RecorderSpec | None = None) -> None:
        self.definition = definition
        self.profile = profile
        self.target: Any = None   # the programme's set target (the page sets it)
        self.details = True
        self.playing = False
        self.browser: dict[str, Any] = {}   # the component's own figures, as of the last reply
        self.gone: str | None = None
        self._pool = pool
        self._worker, self._proxy = pool.open(definition, model, profile, recorder)
        # the worker's count of sets drops once: at close, when the worker is lost, or when the
        # page's session is gone without either (its state is garbage-collected)
        self._release = weakref.finalize(self, pool.closed, self._worker)
        self.recorder = RemoteRecorder(self) if recorder is not None else None

    # -- the socket's hot path (the server's event loop) -----------------------------------
    async def judge_async(self, texts: list[str]) -> Judged:
        """Judge a socket's waiting messages in the worker; raises :class:`WorkerGoneError`."""
        loop = asyncio.get_running_loop()
        try:
            judged: Judged = await loop.run_in_executor(_calls(), self._proxy.judge_texts, texts)
        except CALL_ERRORS as e:
            raise self._lost(e) from None
        self.playing, self.browser = judged.playing, {**self.browser, **judged.browser}
        return judged

    # -- what the page calls ---------------------------------------------------------------
    def call(self, method: str, *args: Any, default: Any) -> Any:
        """``method`` of the worker's LandmarkLive, or ``default`` once the worker has gone."""
        if self.gone:
            return default
        try:
            return self._proxy._callmethod(method, args)
        except CALL_ERRORS as e:
            self._lost(e)
            return default

    def feed(self, message: Any) -> None:
        """The component-values fallback: one message from the page's thread."""
        got = self.call("feed", message, default=None)
        if got is not None:
            playing, browser = got
            self.playing, self.browser = playing, {**self.browser, **browser}

    def reply(self) -> dict[str, Any]:
        return dict(self.call("reply", default={"ack": -1, "panel": 0}))

    def panel_signature(self) -> int:
        return int(self.call("panel_signature", default=-1))

    def snapshot(self) -> LiveSnapshot:
        snap: LiveSnapshot | None = self.call("snapshot", default=None)
        if snap is None:
            return LiveSnapshot(error=self.gone)
        return snap

    def result(self) -> SessionResult:
        """The set so far; raises :class:`WorkerGoneError` once the worker has gone."""
        got: SessionResult | None = self.call("result", default=None)
        if got is None:
            raise WorkerGoneError(self.gone or WORKER_GONE)
        return got

    @property
    def finished_sets(self) -> list[Any]:
        return list(self.call("finished_sets", default=[]))

    def set_key(self) -> str:
        return str(self.call("set_key", default="gone"))

    def end_set(self) -> None:
        self.call("end_set", default=None)
        self.playing = False

    def recorder_error(self) -> str | None:
        _, error = self.call("recorder_state", default=(True, self.gone))
        return error

    def close(self) -> None:
        """The set in progress is finished in the patient's history; the worker forgets it."""
        self.call("close", default=None)
        self._release()
        self.gone = self.gone or "This set has been closed."

    def _lost(self, e: BaseException) -> WorkerGoneError:
        if not self.gone:
            log.warning("judging worker %d gone (%s: %s)", self._worker, e.__class__.__name__, e)
            self.gone = WORKER_GONE
            self.playing = False
            self._release()
        return WorkerGoneError(self.gone)
