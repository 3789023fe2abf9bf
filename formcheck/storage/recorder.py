"""Writes a live set into the database as it happens: the set when the stream starts, each rep
as soon as it is finished (its own transaction, on a writer thread so the video never waits
for the disk or the server), the summary when the set ends."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from formcheck.engine.reps import Rep
from formcheck.storage import repo
from formcheck.storage.database import Database

log = logging.getLogger(__name__)


class SetRecorder:
    """One patient's live sets of one exercise. ``start()`` opens a set, ``rep()`` queues a
    finished rep, ``finish(summary)`` closes the set; ``close()`` waits for the writes."""

    def __init__(self, db: Database, patient: str, exercise: str, definition_version: str,
                 profile_version: int | None = None) -> None:
        self.db, self.patient, self.exercise = db, patient, exercise
        self.definition_version, self.profile_version = definition_version, profile_version
        self.set_id: int | None = None
        self.error: str | None = None      # the last write that failed (the page shows it)
        self.written = 0
        self._q: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._t = threading.Thread(target=self._run, name="formcheck-recorder", daemon=True)
        self._t.start()

    def start(self) -> None:
        self._q.put(self._start)

    def rep(self, rep: Rep) -> None:
        self._q.put(lambda: self._rep(rep))

    def finish(self, summary: dict[str, Any]) -> None:
        self._q.put(lambda: self._finish(summary))

    def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until everything queued so far is written."""
        done = threading.Event()
        self._q.put(done.set)
        done.wait(timeout_s)

    def close(self) -> None:
        self._q.put(None)
        self._t.join(timeout=30)

    def _run(self) -> None:
        while (job := self._q.get()) is not None:
            try:
                job()
            except Exception as e:   # keep recording the next reps; the page shows the error
                self.error = f"{e.__class__.__name__}: {e}"
                log.warning("could not record: %s", self.error)

    def _start(self) -> None:
        self.set_id = repo.start_set(self.db, self.patient, self.exercise, "live", self.definition_version,
                                     self.profile_version, "webcam")
        self.written = 0

    def _rep(self, rep: Rep) -> None:
        if self.set_id is None:
            self._start()
        assert self.set_id is not None
        repo.add_rep(self.db, self.set_id, rep)
        self.written += 1
        self.error = None

    def _finish(self, summary: dict[str, Any]) -> None:
        if self.set_id is not None:
            repo.finish_set(self.db, self.set_id, summary)
            self.set_id = None
