"""The desk monitor behind the app's page: frames arrive from the browser at the camera's
rate on a worker thread; one every 1/sample_fps s goes through the pose model and the
:class:`Monitor`, the others are passed back untouched. Thread-safe snapshots for the page."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from formcheck.core.pose import VIS
from formcheck.engine.monitor_events import Event, MonitorSettings
from formcheck.media.draw import GREEN, RED, skeleton
from formcheck.media.estimator import PoseEstimator
from formcheck.media.video_reader import RGBFrame
from formcheck.monitor.engine import Monitor
from formcheck.rules.definition import Definition

BONES_FOR_S = 2.0   # a skeleton older than this is not drawn (the person may have moved away)
VISIBLE = 0.5       # landmark visibility drawn (as the sitting definition's min_visibility)


@dataclass
class MonitorSnapshot:
    state: str = "starting"
    bad: str | None = None            # the failing check's name, in plain words
    seated_s: float = 0.0
    good_share: float = 0.0
    next_break_s: float | None = None
    alerts: int = 0
    samples: int = 0
    events: list[Event] = field(default_factory=list)
    error: str | None = None


class MonitorProcessor:
    def __init__(self, definition: Definition, model: Path, settings: MonitorSettings,
                 sample_fps: float = 2.0, baseline: dict[str, float] | None = None) -> None:
        self.monitor = Monitor(definition, settings, baseline)
        self._model, self._step_s = model, 1.0 / max(sample_fps, 0.1)
        self._est: PoseEstimator | None = None
        self._lock = threading.Lock()
        self._t0: float | None = None
        self._next = 0.0
        self._snap = MonitorSnapshot()
        # the last sample's skeleton, drawn on every frame until the next sample (or 2 s)
        self._bones: tuple[float, np.ndarray, np.ndarray, tuple[int, int, int], tuple[int, ...]] | None = None

    def process(self, rgb: RGBFrame) -> RGBFrame:
        """Called for every camera frame; analyses one per sample period. Never raises."""
        now = time.monotonic()
        self._t0 = self._t0 if self._t0 is not None else now
        t = now - self._t0
        if t < self._next:
            return self._drawn(rgb, t)
        self._next = t + self._step_s
        try:
            if self._est is None:
                self._est = PoseEstimator(self._model, mode="video")
            pose = self._est.detect(rgb, t * 1000.0)
            with self._lock:
                events = self.monitor.sample(t, pose, (rgb.shape[1], rgb.shape[0]))
                self._update(t, events)
                bad = self.monitor.bad_check is not None
            if pose is not None:
                lm = pose.landmarks
                self._bones = (t, lm[:, :2].copy(), lm[:, VIS] >= VISIBLE, RED if bad else GREEN, rgb.shape[:2])
        except Exception as e:   # keep the stream alive; the page shows the problem
            with self._lock:
                self._snap.error = f"{e.__class__.__name__}: {e}"
        return self._drawn(rgb, t)

    def _drawn(self, rgb: RGBFrame, t: float) -> RGBFrame:
        """The frame with the latest skeleton (green, red while posture is bad), if recent."""
        # pixels of the sampled frame: not drawn on a frame of another size (the browser may
        # lower the resolution mid-stream)
        if self._bones is None or t - self._bones[0] > BONES_FOR_S or rgb.shape[:2] != self._bones[4]:
            return rgb
        return skeleton(rgb, self._bones[1], self._bones[2], self._bones[3])

    def _update(self, t: float, events: list[Event]) -> None:
        m, s = self.monitor, self._snap
        s.state, s.samples, s.error = m.state, s.samples + 1, None
        s.bad = m.fault_text(m.bad_check)[0] if m.bad_check else None
        s.seated_s, s.good_share, s.alerts = m.summary.seated_s, m.summary.good_share, m.summary.alerts
        s.next_break_s = m.next_break_in_s(t)
        s.events = s.events + events

    def snapshot(self) -> MonitorSnapshot:
        with self._lock:
            s = self._snap
            return MonitorSnapshot(s.state, s.bad, s.seated_s, s.good_share, s.next_break_s, s.alerts, s.samples,
                                   list(s.events), s.error)

    def recalibrate(self) -> None:
        with self._lock:
            self.monitor.recalibrate()

    def snooze(self, minutes: float) -> None:
        with self._lock:
            now = time.monotonic() - (self._t0 or time.monotonic())
            self.monitor.snooze(now, minutes * 60.0)

    def close(self) -> None:
        if self._est is not None:
            self._est.close()
            self._est = None
