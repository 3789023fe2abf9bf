"""Decoding ahead on a worker thread: a bounded queue between a frame source and its consumer,
so decoding overlaps with the pose model while memory stays flat (media/video_reader.py uses it)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetched(source: Iterator[T], depth: int) -> Iterator[T]:
    """Run ``source`` on a worker thread, ``depth`` items ahead; re-raise its errors here.

    The queue is bounded so memory stays flat however long the clip is; the worker stops
    when the consumer stops early (the generator is closed).
    """
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        """Queue ``item`` unless the consumer has stopped (then never block on a full queue)."""
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as e:  # handed to the consumer, which re-raises it
            put(e)

    t = threading.Thread(target=work, name="formcheck-decode", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        t.join(timeout=5)
