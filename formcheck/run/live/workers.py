"""Judging worker processes for the landmark socket: one patient's live set is judged in one of
a few worker processes, so many patients exercising at once use every core of the server.

Why: the app's server is one Python process, and its event loop runs on one core (the GIL).
Judging a frame takes about half a millisecond of CPU, so 50 patients at 30 frames a second
(1500 frames a second) need most of a core for the judging alone; past about 80% of it their
replies queue up. Here each patient's :class:`~formcheck.run.live.landmarks.LandmarkLive` (the
same Session as clips: no second rule path) lives in a worker, chosen as the least busy one when
the page opens the set; the server's event loop only moves each socket's messages to it and its
replies back (:mod:`formcheck.run.live.remote`).

The workers are :mod:`multiprocessing.managers` servers (stdlib: a worker's objects answer
calls over a local, authenticated connection), started with ``spawn`` (the app's server has
threads: ``fork`` would copy their locks mid-use) the first time a page needs one. How many:
``$FORMCHECK_LIVE_WORKERS`` (default: the machine's cores; 0 judges in the server's own process,
as the component-values fallback and the Desk monitor always do). A worker whose server process
goes away exits within a second (it would otherwise be left running).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Any

from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile
from formcheck.run.live.judging import Judged, judge_texts
from formcheck.storage.access import Actor

log = logging.getLogger(__name__)

ENV_WORKERS = "FORMCHECK_LIVE_WORKERS"
ENV_IN_SERVER = "FORMCHECK_LIVE_IN_SERVER"
# The first sets open at a time are judged in the server's own process, the rest on workers. Why:
# handing a message to another process costs a wake-up there and back; measured with one patient
# at 30 Hz (bench_live_load.py, interleaved pairs, load 5-6): 3.0-3.1% of a core judged in the
# server's process against 4.0-4.4% on a worker. Four sets in the server's process are ~4% of its
# event loop's core at 30 Hz (0.35 ms a frame), which leaves that core to the sockets of the rest.
IN_SERVER_SETS = 4
PARENT_CHECK_S = 1.0
_in_server: weakref.WeakSet[Any] = weakref.WeakSet()   # the sets judged in this process now


def _env_count(name: str, default: int) -> int:
    """A count from the environment: ``default`` when unset or not a number (said in the log)."""
    raw = os.environ.get(name, "").strip()
    try:
        return max(0, int(raw)) if raw else default
    except ValueError:
        log.warning("%s=%r is not a number: using %d", name, raw, default)
        return default


def worker_count() -> int:
    """Judging workers to use ($FORMCHECK_LIVE_WORKERS, default the cores; 0: none)."""
    return _env_count(ENV_WORKERS, max(1, os.cpu_count() or 1))


def in_server_sets() -> int:
    """How many sets at a time the server's own process judges ($FORMCHECK_LIVE_IN_SERVER)."""
    return _env_count(ENV_IN_SERVER, IN_SERVER_SETS)


def room_in_server() -> bool:
    """Whether a new set should be judged in the server's process (see IN_SERVER_SETS)."""
    return len(_in_server) < in_server_sets()


def judged_in_server(proc: Any, open_: bool = True) -> None:
    """``proc`` is judged in the server's process from now (``open_``), or no more (closed; a
    set whose page is gone leaves by itself: the count holds weak references)."""
    if open_:
        _in_server.add(proc)
    else:
        _in_server.discard(proc)


@dataclass(frozen=True)
class RecorderSpec:
    """How a worker opens the patient's SetRecorder: the server's database (its URL, acting as
    the logged-in ``actor``), the patient and what the set is of."""

    url: str
    actor: Actor | None
    patient: str
    exercise: str
    definition_version: str
    profile_version: int | None = None


class WorkerLive:
    """One patient's LandmarkLive inside a worker: what :class:`~formcheck.run.live.remote.RemoteLive`'s
    calls reach (every method returns plain, picklable data)."""

    def __init__(self, definition: Definition, model: Path, profile: Profile | None,
                 recorder: RecorderSpec | None) -> None:
        from formcheck.run.live.landmarks import LandmarkLive

        self.live = LandmarkLive(definition, model, profile, _open_recorder(recorder))

    def judge_texts(self, texts: list[str]) -> Judged:
        return judge_texts(self.live, texts)

    def feed(self, message: Any) -> tuple[bool, dict[str, Any]]:
        self.live.feed(message)
        return self.live.playing, dict(self.live.browser)

    def reply(self) -> dict[str, Any]:
        return self.live.reply()

    def panel_signature(self) -> int:
        return self.live.panel_signature()

    def snapshot(self) -> Any:
        return self.live.snapshot()

    def result(self) -> Any:
        return self.live.result()

    def finished_sets(self) -> list[Any]:
        return list(self.live.finished_sets)

    def set_key(self) -> str:
        return self.live.set_key()

    def end_set(self) -> None:
        self.live.end_set()

    def recorder_state(self) -> tuple[bool, str | None]:
        """(whether the set is recorded, the last write error)."""
        rec = self.live.recorder
        return rec is not None, None if rec is None else rec.error

    def flush(self, timeout_s: float) -> None:
        if self.live.recorder is not None:
            self.live.recorder.flush(timeout_s)

    def close(self) -> None:
        self.live.close()


EXPOSED = ("judge_texts", "feed", "reply", "panel_signature", "snapshot", "result", "finished_sets",
           "set_key", "end_set", "recorder_state", "flush", "close")


class JudgeManager(BaseManager):
    """A judging worker (a manager server process holding WorkerLive objects)."""


JudgeManager.register("WorkerLive", WorkerLive, exposed=EXPOSED)

_databases: dict[str, Any] = {}   # in a worker: one engine per database URL, shared by its patients
_databases_lock = threading.Lock()


def _open_recorder(spec: RecorderSpec | None) -> Any:
    if spec is None:
        return None
    from formcheck.storage.database import Database
    from formcheck.storage.recorder import SetRecorder

    with _databases_lock:
        db = _databases.get(spec.url) or _databases.setdefault(spec.url, Database(spec.url))
    if spec.actor is not None:
        db = db.for_actor(spec.actor)
    return SetRecorder(db, spec.patient, spec.exercise, spec.definition_version, spec.profile_version)


def _start_worker(parent_pid: int) -> None:
    """A worker's start: load the judging code now (not at a patient's START), and exit once
    the server that started it is gone."""
    import formcheck.run.live.landmarks
    import formcheck.storage.recorder  # noqa: F401

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)
    threading.Thread(target=watch, name="formcheck-parent-watch", daemon=True).start()


class WorkerPool:
    """The server's judging workers, started when first needed; :meth:`open` puts a new live set
    on the least busy live worker (a worker that died is replaced)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._workers: list[JudgeManager | None] = [None] * size
        self._load = [0] * size

    def open(self, definition: Definition, model: Path, profile: Profile | None,
             recorder: RecorderSpec | None) -> tuple[int, Any]:
        """(worker index, proxy of a new WorkerLive on it)."""
        with self._lock:
            k = min(range(self.size), key=lambda j: self._load[j])
            manager = self._workers[k]
            if manager is None or not _alive(manager):
                if manager is not None:
                    log.warning("judging worker %d had stopped: starting a new one", k)
                manager = self._workers[k] = self._start()
                self._load[k] = 0
            self._load[k] += 1
        return k, manager.WorkerLive(definition, model, profile, recorder)  # type: ignore[attr-defined]

    def start_all(self) -> None:
        """Start every worker now (a server starting up: the first sets need not wait)."""
        for k in range(self.size):
            with self._lock:
                if self._workers[k] is None:
                    self._workers[k] = self._start()

    def closed(self, k: int) -> None:
        """A live set of worker ``k`` is over."""
        with self._lock:
            self._load[k] = max(0, self._load[k] - 1)

    def shutdown(self) -> None:
        with self._lock:
            for m in self._workers:
                if m is not None and _alive(m):
                    m.shutdown()
            self._workers = [None] * self.size

    def _start(self) -> JudgeManager:
        t = time.perf_counter()
        manager = JudgeManager(ctx=multiprocessing.get_context("spawn"))
        manager.start(_start_worker, (os.getpid(),))
        log.info("judging worker started in %.2f s", time.perf_counter() - t)
        return manager


def _alive(manager: JudgeManager) -> bool:
    process = getattr(manager, "_process", None)
    return process is not None and process.is_alive()


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[None]:
    """The app server's lifespan (``st.App(lifespan=...)``): its judging workers start on a
    thread as it starts (each takes about a second to load the judging code, which the first
    Live pages would otherwise wait for) and stop with it."""
    workers = pool()
    if workers is not None:
        threading.Thread(target=workers.start_all, name="formcheck-workers-start", daemon=True).start()
    yield
    if workers is not None:
        workers.shutdown()


def pool() -> WorkerPool | None:
    """The server's worker pool (None with $FORMCHECK_LIVE_WORKERS=0: read at each new set)."""
    global _pool
    n = worker_count()
    if n == 0:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool(n)
        return _pool
