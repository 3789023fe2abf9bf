"""Live coaching from landmarks the patient's browser computed: no video reaches the server.

The browser component (formcheck/ui/pose_component) runs MediaPipe's PoseLandmarker on the
camera and sends batches of frames, each ``{"i": frame index, "t": ms since START, "w", "h":
frame size in px, "lm": 33 x (x, y, z, visibility, presence) flat, normalised like MediaPipe's
NormalizedLandmark (or null: nobody found), "wl": 33 x (x, y, z) world metres flat}``. A batch
repeats every frame the server has not yet acknowledged (a rerun may coalesce two batches), so
frames are judged once each, in order, by index. The same :class:`~formcheck.engine.session.Session`
as clips and the server-side video path judges them; :meth:`LandmarkLive.reply` is what the
component draws.
"""

from __future__ import annotations

import collections
import math
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.core.landmarks import NUM_LANDMARKS
from formcheck.core.pose import CHANNELS, VIS, FramePose
from formcheck.engine.reps import reps_per_side
from formcheck.engine.setup import SetupItem, setup_verdicts
from formcheck.media.draw import landmark_colours
from formcheck.media.estimator import DenseVisibility
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile
from formcheck.run.live.video import FPS_WINDOW_S, LiveProcessor

CAMERA_FPS = 30.0   # the camera's frame rate when the browser does not say (getUserMedia's usual)
MAX_FRAME_SIDE_PX = 8192
STATUS_KEYS = ("delegate", "fps", "infer_ms", "latency_p50_ms", "latency_p95_ms", "verdict_p95_ms",
               "rtt_p50_ms", "rtt_p95_ms",
               "first_verdict_ms", "first_landmarks_ms", "frames", "problem", "transport")


class BadMessageError(ValueError):
    """A landmark message that does not follow the component's protocol."""


def parse_frame(raw: Any) -> tuple[int, float, tuple[int, int], FramePose | None]:
    """One frame of a batch -> (index, t_ms, (w, h) px, pose or None). Raises BadMessageError."""
    if not isinstance(raw, dict):
        raise BadMessageError("a frame must be an object")
    try:
        i, t_ms, w, h = int(raw["i"]), float(raw["t"]), int(raw["w"]), int(raw["h"])
    except (KeyError, TypeError, ValueError):
        raise BadMessageError("a frame needs numbers i, t, w and h") from None
    if not (0 < w <= MAX_FRAME_SIDE_PX and 0 < h <= MAX_FRAME_SIDE_PX) or not math.isfinite(t_ms):
        raise BadMessageError(f"frame {i}: size {w}x{h} or time {t_ms} out of range")
    if raw.get("lm") is None:
        return i, t_ms, (w, h), None
    try:
        lm = np.asarray(raw["lm"], np.float32).reshape(NUM_LANDMARKS, len(CHANNELS))
        wm = np.asarray(raw.get("wl"), np.float32).reshape(NUM_LANDMARKS, 3)
    except (TypeError, ValueError):
        raise BadMessageError(f"frame {i}: landmarks must be 33 x 5 and world landmarks 33 x 3 numbers") from None
    if not (np.isfinite(lm).all() and np.isfinite(wm).all()):
        raise BadMessageError(f"frame {i}: landmarks must be finite")
    # Pixels as formcheck.media.estimator makes them: x, y and z (scaled like x) times the frame size.
    lm *= np.array([w, h, w, 1.0, 1.0], np.float32)
    return i, t_ms, (w, h), FramePose(lm, wm)


class LandmarkLive(LiveProcessor):
    """One patient's live sets judged from browser landmarks (same snapshot/summary/recording
    as the server-side video path; no model on the server)."""

    def __init__(self, definition: Definition, model: Path, profile: Profile | None = None,
                 recorder: Any = None) -> None:
        super().__init__(definition, model, profile, recorder)
        self.browser: dict[str, Any] = {}   # the component's own numbers (fps, latency...)
        self.playing = False
        self.camera_fps = CAMERA_FPS
        # Batches come from the landmark socket (the server's event loop) or, in the fallback,
        # from component values (the page's script thread); STOP may also end the set there.
        self._feed_lock = threading.RLock()

    def _new_session(self) -> None:
        super()._new_session()
        self._next_i = 0
        self._t_seen: collections.deque[float] = collections.deque()
        self._dense: DenseVisibility | None = None
        self._last_step: Any = None

    def feed(self, message: Any) -> None:
        """Judge the frames of one component message not judged yet. A bad message sets the
        snapshot's error (the page shows it); the frames before the bad one count. A
        ``notice`` (the component tells the page START or STOP happened on its landmark
        socket) only updates the browser's figures."""
        if not isinstance(message, dict):
            return
        with self._feed_lock:
            self._take_status(message.get("status"))
            if not message.get("notice"):
                self._feed(message)

    def _take_status(self, status: Any) -> None:
        if isinstance(status, dict):
            self.browser = {k: status[k] for k in STATUS_KEYS if k in status}
            cam = status.get("camera_fps")
            if isinstance(cam, int | float) and 1.0 <= cam <= 240.0:
                self.camera_fps = float(cam)

    def _feed(self, message: dict[str, Any]) -> None:
        frames = message.get("frames") or []
        running = bool(message.get("running"))
        if running and not self.playing:
            self.start_set()
        try:
            if not isinstance(frames, list):
                raise BadMessageError("frames must be a list")
            for k, raw in enumerate(frames):   # the set-up checklist shows the newest frame's
                self.judge(*parse_frame(raw), camera_fps=self.camera_fps, setup=k == len(frames) - 1)
        except BadMessageError as e:
            with self._lock:
                self._snap.error = f"Bad landmark message: {e}"
        if not running and self.playing:
            self.playing = False
            self.end_set()

    def end_set(self) -> None:
        """The set's end in the patient's history, once (either thread may get there first)."""
        with self._feed_lock:
            super().end_set()

    def start_set(self) -> None:
        """START pressed in the browser: a new set (the last one, if any, is finished)."""
        if self._snap.frames:
            self.end_set()
            with self._lock:
                self.finished_sets.append(self._summary_locked())
                self._new_session()
        self.playing = True

    def judge(self, i: int, t_ms: float, size: tuple[int, int], pose: FramePose | None,
              camera_fps: float = CAMERA_FPS, setup: bool = True) -> None:
        """Judge frame ``i`` unless it was already (re-sent); frames arrive oldest first.
        ``setup``: also its set-up checklist (else the last one stays: only the newest frame
        of a batch is shown)."""
        if i < self._next_i or t_ms <= self._last_t_ms:
            return
        start = time.perf_counter()
        self.note_dropped(i - self._next_i)   # frames the browser dropped (a full queue)
        self._next_i = i + 1
        if pose is None:
            self._dense = None
        else:
            # The browser's landmarker smooths visibility per call, like Python's: judged at a
            # lower rate than the camera's it would climb slower in time (see DenseVisibility).
            self._dense = self._dense or DenseVisibility(1000.0 / camera_fps)
            pose.landmarks[:, VIS] = self._dense(pose.landmarks[:, VIS], t_ms)
        self._t0 = self._t0 if self._t0 is not None else start
        self._last_t_ms = t_ms
        step = self.session.update(t_ms, pose, frame_size=size)
        self._last_step = step
        if setup or not self._snap.setup:
            items = setup_verdicts(self.definition, step.features, None)
            # The browser's landmarker looks for one person: nobody counts the others here.
            items[-1] = SetupItem(items[-1].label, None, "not checked while the pose model runs in your browser")
        else:
            items = self._snap.setup
        self._record(step.result, items, start, time.perf_counter(), None, size)
        self._t_seen.append(t_ms)
        while self._t_seen[0] < t_ms - FPS_WINDOW_S * 1000.0:
            self._t_seen.popleft()
        with self._lock:   # frames per second of the browser's clock, not of batch arrival
            n = len(self._t_seen)
            self._snap.fps = (n - 1) * 1000.0 / (self._t_seen[-1] - self._t_seen[0]) if n > 1 else 0.0
            self._snap.latency_ms = float(self.browser.get("latency_p50_ms") or 0.0)
        self._record_reps()

    def panel_signature(self) -> int:
        """Changes when the page's panel has something new to show (reps, cue, the hold's whole
        seconds, set-up checks, an error): the component's watcher reruns the panel then."""
        step = self._last_step
        r = step.result if step is not None else None
        with self._lock:
            s = self._snap
            key = (self.playing, len(s.reps), s.error, tuple(i.ok for i in s.setup), tuple(s.cues[-1:]),
                   None if r is None else (r.rep_count, r.cue, int(r.hold_ms // 1000), tuple(r.reps_by_side.items())))
        return zlib.crc32(repr(key).encode())

    def reply(self) -> dict[str, Any]:
        """What the component draws: the last judged frame's joint statuses, cue, reps, hold;
        ``panel``: :meth:`panel_signature`."""
        step = self._last_step
        if step is None:
            return {"ack": self._next_i - 1, "panel": self.panel_signature()}
        r = step.result
        colours = {str(k): v for k, v in landmark_colours(r, self.definition).items()}
        out: dict[str, Any] = {"ack": self._next_i - 1, "t": r.t_ms, "colours": colours, "cue": r.cue,
                               "reps": r.rep_count, "phase": r.phase, "hold_ms": round(r.hold_ms),
                               "panel": self.panel_signature()}
        if self.definition.phases.kind == "sided":
            out["sides"] = dict(r.reps_by_side)
        if self.final is not None:
            # After STOP: the set's reps as judged at its end (what its history keeps), not the
            # last frame's count, which may hold a rep still at the top that did not count.
            out["reps"] = len(self.final.reps)
            if "sides" in out:
                out["sides"] = reps_per_side(self.final.reps)
        if self.definition.phases.kind == "continuous":
            out.pop("hold_ms")
        return out
