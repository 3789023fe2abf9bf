"""Live webcam processing, UI-agnostic: one estimator + one Session per stream, a frame
callback for a worker thread, and a lock-protected snapshot for the page to read.

streamlit-webrtc calls :meth:`LiveProcessor.process` on its own thread; the page polls
:meth:`LiveProcessor.snapshot`. Stale frames are dropped by the transport (async mode).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .definition import Definition
from .draw import annotate
from .engine.scorer import FrameResult, Rep
from .engine.session import Session
from .estimator import PoseEstimator
from .pose import ClipInfo
from .profile import Profile
from .video import RGBFrame


@dataclass
class LiveSnapshot:
    """What the page shows beside the video; copied under the lock."""

    frames: int = 0
    fps: float = 0.0
    latency_ms: float = 0.0
    last: FrameResult | None = None
    reps: list[Rep] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    error: str | None = None


class LiveProcessor:
    def __init__(self, definition: Definition, model: Path, profile: Profile | None = None) -> None:
        self.definition = definition
        self.session = Session(definition, profile, ClipInfo(path="webcam"), keep_features=False,
                               keep_frames=False)
        # Created on the first frame, on the callback's thread: rendering the page (and the
        # page tests) never loads the model.
        self._model = model
        self._est: PoseEstimator | None = None
        self._lock = threading.Lock()
        self._snap = LiveSnapshot()
        self._t0: float | None = None
        self._times: list[float] = []

    def process(self, rgb: RGBFrame) -> RGBFrame:
        """Analyse one (H, W, 3) RGB frame (any size, may change) and return it annotated."""
        start = time.perf_counter()
        self._t0 = self._t0 if self._t0 is not None else start
        t_ms = (start - self._t0) * 1000.0
        h, w = rgb.shape[:2]
        try:
            if self._est is None:
                self._est = PoseEstimator(self._model, mode="video")
            pose = self._est.detect(rgb, t_ms)
            r = self.session.update(t_ms, pose, frame_size=(w, h))
            feats = self.session.extractor.last
            assert feats is not None
            out = annotate(rgb, feats, r, self.definition)
        except Exception as e:  # keep the stream alive; the page shows the error
            with self._lock:
                self._snap.error = f"{e.__class__.__name__}: {e}"
            return rgb
        self._times.append(start)
        self._times = self._times[-30:]
        with self._lock:
            s = self._snap
            s.frames += 1
            s.last = r
            s.latency_ms = (time.perf_counter() - start) * 1000.0
            if len(self._times) > 1:
                s.fps = (len(self._times) - 1) / max(self._times[-1] - self._times[0], 1e-6)
            s.reps = list(self.session.scorer.reps)
            if r.cue and (not s.cues or s.cues[-1] != r.cue):
                s.cues = (s.cues + [r.cue])[-5:]
        return out

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            s = self._snap
            return LiveSnapshot(s.frames, s.fps, s.latency_ms, s.last, list(s.reps), list(s.cues), s.error)

    def close(self) -> None:
        if self._est is not None:
            self._est.close()


def blank_frame(width: int = 640, height: int = 480) -> RGBFrame:
    return np.zeros((height, width, 3), np.uint8)
