"""The messages between the in-browser pose component and the server, typed.

The same batch travels either way the component can send it: over the landmark websocket
(:mod:`formcheck.run.live.websocket`, the default) or as a Streamlit component value (the fallback).
The reply is what the component draws over the video (:meth:`LandmarkLive.reply`).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class LandmarkFrame(TypedDict):
    """One judged camera frame: index, ms since START, frame size in px, 33 x (x, y, z,
    visibility, presence) normalised landmarks flat (None: nobody found), 33 x 3 world metres."""

    i: int
    t: float
    w: int
    h: int
    lm: list[float] | None
    wl: list[float] | None


class BrowserStatus(TypedDict, total=False):
    """The component's own figures (shown in the therapist's debug details)."""

    delegate: str
    camera_fps: float | None
    fps: float
    infer_ms: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    verdict_p95_ms: float | None
    rtt_p50_ms: float | None
    rtt_p95_ms: float | None
    first_verdict_ms: float | None
    first_landmarks_ms: float | None
    frames: int
    problem: str
    transport: str   # "websocket", or why the component values are used instead


class LandmarkBatch(TypedDict):
    """Frames not acknowledged yet (component values) or not sent yet (websocket), oldest first;
    ``running`` false ends the set (STOP)."""

    batch: int
    running: bool
    frames: list[LandmarkFrame]
    status: NotRequired[BrowserStatus]


class Reply(TypedDict, total=False):
    """The newest judged frame's verdict: ``ack`` is the highest frame index judged."""

    type: Literal["reply"]
    ack: int
    t: float
    colours: dict[str, str]
    cue: str | None
    reps: int
    phase: str | None
    hold_ms: int
    sides: dict[str, int]
    playing: bool


class Hello(TypedDict):
    """The websocket's first message: the one-time token from the component's args."""

    type: Literal["hello"]
    token: str


# Websocket close codes (4000-4999 are the application's own) and their meaning.
CLOSE_SET_STOPPED = 1000      # STOP: the set is over, the token is spent
CLOSE_BAD_MESSAGE = 1003
CLOSE_TOO_BIG = 1009
CLOSE_REFUSED = 4401          # unknown, expired or spent token; the session ended
CLOSE_FOREIGN_ORIGIN = 4403
CLOSE_NO_HELLO = 4408
CLOSE_WORKER_GONE = 1011      # the worker judging the set stopped (an internal error)
