"""The desk monitor fed by landmarks the patient's browser computed (the default path): the
pose component runs the lite PoseLandmarker in the browser at :data:`BROWSER_FPS` frames a
second and sends only landmarks, in the Live page's protocol (:mod:`formcheck.run.live.landmarks`),
on the same landmark websocket (:mod:`formcheck.run.live.websocket`, a token from
:mod:`formcheck.run.live.registry`). Each frame goes through the same :class:`~.engine.Monitor` as
the server-side video path (calibration, states, alerts, breaks): no rule runs in the browser.

:class:`MonitorLandmarks` has the interface the socket feeds (``feed``, ``reply``,
``playing``) and the :class:`~.live.MonitorProcessor` one the page reads (``snapshot``,
``recalibrate``, ``snooze``). Its clock is the browser's (ms since START), continued across
STOP and START so the monitor's samples stay in time order.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from formcheck.core.landmarks import NUM_LANDMARKS
from formcheck.core.pose import FramePose
from formcheck.engine.monitor_events import MonitorSettings
from formcheck.monitor.video_feed import MonitorProcessor
from formcheck.rules.definition import Definition
from formcheck.run.live.landmarks import STATUS_KEYS, BadMessageError, parse_frame

# The browser runs the model at most this often. The server-side monitor samples 2 frames a
# second (MonitorProcessor's sample_fps) and its settle, calibration and alert times are counted
# in those samples; 2/s is also what keeps the patient's laptop nearly idle: the lite model took
# a median 59-105 ms per sample in headless Chromium (CPU delegate) on this loaded 2-core
# machine (tests/ui/test_browser_monitor.py), so 12-21% of one core at 2/s where every camera frame
# would take all of it, and nothing runs between samples (the camera's frames are not copied).
BROWSER_FPS = 2.0
# Judged frames a second below which the browser path gives up for this page (the Live page's
# rule, scaled to the monitor's rate): one sample a second still settles states in settle_s.
MIN_FPS = 1.0


class MonitorLandmarks(MonitorProcessor):
    """One desk-monitor session judged from browser landmarks (no model on the server)."""

    def __init__(self, definition: Definition, model: Path, settings: MonitorSettings,
                 sample_fps: float = BROWSER_FPS, baseline: dict[str, float] | None = None) -> None:
        super().__init__(definition, model, settings, sample_fps, baseline)
        self.browser: dict[str, Any] = {}   # the component's own figures (fps, delegate, problem...)
        self.playing = False
        self._feed_lock = threading.RLock()   # the socket's event loop, or the page's thread (fallback)
        self._next_i = 0
        self._offset_s = 0.0                  # browser time of this START on the monitor's clock
        self._last_s: float | None = None     # the monitor's time of the last sample
        self._last_pose: FramePose | None = None

    def process(self, rgb: Any) -> Any:
        """Not used: the browser sends landmarks, not frames."""
        raise NotImplementedError("MonitorLandmarks is fed landmarks: use feed()")

    def feed(self, message: Any) -> None:
        """Judge the frames of one component message not judged yet (re-sent frames are
        skipped by index); a bad message sets the snapshot's error. ``running`` true starts
        the monitoring, false (STOP) ends it. A ``notice`` only updates the browser's figures."""
        if not isinstance(message, dict):
            return
        with self._feed_lock:
            status = message.get("status")
            if isinstance(status, dict):
                self.browser = {k: status[k] for k in STATUS_KEYS if k in status}
            if message.get("notice"):
                return
            running = bool(message.get("running"))
            if running and not self.playing:
                self._start()
            try:
                frames = message.get("frames") or []
                if not isinstance(frames, list):
                    raise BadMessageError("frames must be a list")
                for raw in frames:
                    self._judge(*parse_frame(raw))
            except BadMessageError as e:
                with self._lock:
                    self._snap.error = f"Bad landmark message: {e}"
            if not running:
                self.playing = False

    def _start(self) -> None:
        """START in the browser: its clock restarts at 0 and its frame index too."""
        self.playing = True
        self._next_i = 0
        self._offset_s = 0.0 if self._last_s is None else self._last_s + self._step_s

    def _judge(self, i: int, t_ms: float, size: tuple[int, int], pose: FramePose | None) -> None:
        if i < self._next_i:
            return
        self._next_i = i + 1
        t = self._offset_s + t_ms / 1000.0
        # the browser paces itself at BROWSER_FPS; a faster one is sampled like the video path
        if self._last_s is not None and t < self._last_s + self._step_s * 0.9:
            return
        self._last_s = t
        with self._lock:
            events = self.monitor.sample(t, pose, size)
            self._update(t, events)
        self._last_pose = pose

    def reply(self) -> dict[str, Any]:
        """What the component draws: the joints green (red while posture is bad) and the cue."""
        with self._lock:
            bad = self.monitor.bad_check
            state = self.monitor.state
            cue = self.monitor.fault_text(bad)[1] if bad else None
        out: dict[str, Any] = {"ack": self._next_i - 1, "state": state}
        if self._last_pose is not None:
            out["colours"] = {str(k): "fail" if bad else "ok" for k in range(NUM_LANDMARKS)}
        if cue:
            out["cue"] = cue
        return out

    def snooze(self, minutes: float) -> None:
        """No alert for ``minutes`` from the last sample (the browser's clock)."""
        with self._lock:
            self.monitor.snooze(self._last_s or 0.0, minutes * 60.0)
