"""Judging a landmark socket's waiting messages (JSON text) with a live set: parse, feed in
order, one reply for them all. The same code in a judging worker (formcheck.run.live.workers) and
in the server's process (formcheck.run.live.websocket, for a set judged there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class Judged:
    """What one round of judging on the socket gives back: the reply the overlay draws (without
    its ``type`` and pacing fields), whether the set runs, how many frames came, whether a STOP
    came, the component's own figures, and ``bad``: a message that was not JSON (the socket
    closes)."""

    reply: dict[str, Any]
    playing: bool
    frames: int
    stopped: bool
    browser: dict[str, Any]
    bad: bool = False


def feed_texts(proc: Any, texts: list[str]) -> Judged:
    """Parse and judge a socket's waiting messages (JSON text) in order with ``proc`` (a
    LandmarkSink), without its reply (``reply`` is empty)."""
    frames, stopped = 0, False
    for text in texts:
        try:   # orjson: a batch's ~250 numbers a frame parse in a quarter of json's time
            message: Any = orjson.loads(text)
        except ValueError:   # (orjson.JSONDecodeError is one)
            return Judged({}, proc.playing, frames, stopped, {}, bad=True)
        if isinstance(message, dict):
            frames += len(message.get("frames") or [])
            stopped = stopped or message.get("running") is False
        proc.feed(message)
    return Judged({}, proc.playing, frames, stopped, {})


def judge_texts(proc: Any, texts: list[str]) -> Judged:
    """:func:`feed_texts`, then one reply for them all and the component's figures."""
    fed = feed_texts(proc, texts)
    if fed.bad:
        return fed
    return Judged(proc.reply(), proc.playing, fed.frames, fed.stopped, dict(getattr(proc, "browser", {})))
