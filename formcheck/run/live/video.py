"""Live webcam processing, UI-agnostic: one estimator + one Session per stream, a frame
callback for a worker thread, and a lock-protected snapshot for the page to read.

streamlit-webrtc calls the page's callback on its own thread with every frame queued since the
last call; :meth:`LiveProcessor.fresh` picks those captured within STALE_MS of the newest (a
jitter burst is still analysed) and counts the older ones as dropped, so latency cannot build
up when the model is slower than the camera. The page polls
:meth:`LiveProcessor.snapshot` (a copy taken under the lock).
"""

from __future__ import annotations

import collections
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.core.pose import ClipInfo
from formcheck.engine.report import build_report, summary_json
from formcheck.engine.scorer import FrameResult, Rep
from formcheck.engine.session import Session, SessionResult
from formcheck.engine.setup import SetupItem, setup_verdicts
from formcheck.media.crowd import CrowdCheck
from formcheck.media.draw import annotate
from formcheck.media.estimator import PoseEstimator
from formcheck.media.video_reader import RGBFrame
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile
from formcheck.storage.recorder import SetRecorder

FPS_WINDOW_S = 2.0   # the processed frame rate is measured over the last 2 s
# Frames arrive in bursts (network jitter): a frame queued behind the newest one is still
# analysed if it was captured at most this long before it; older ones are stale and dropped,
# so the backlog (and the latency) stays bounded however slow the analysis gets.
STALE_MS = 100.0


@dataclass
class LiveSnapshot:
    """What the page shows beside the video; a copy, safe to read on the page's thread."""

    frames: int = 0
    dropped: int = 0
    fps: float = 0.0
    latency_ms: float = 0.0        # capture -> result (capture clock aligned on the fastest frame)
    process_ms: float = 0.0        # model + engine + drawing for the last frame
    first_result_s: float | None = None   # first frame received -> first result
    last: FrameResult | None = None
    reps: list[Rep] = field(default_factory=list)
    cues: list[str] = field(default_factory=list)
    setup: list[SetupItem] = field(default_factory=list)
    frame_size: tuple[int, int] | None = None
    error: str | None = None


class LiveProcessor:
    """One live set: thread-safe, tolerant of frame-size changes and frames with nobody in them."""

    def __init__(self, definition: Definition, model: Path, profile: Profile | None = None,
                 recorder: SetRecorder | None = None) -> None:
        self.definition = definition
        self.profile = profile
        # Writes each finished rep to the patient's history as it happens (None: free practice).
        self.recorder = recorder
        self.target: Any = None   # the programme's set target for this exercise (the page sets it)
        self.details = True       # angles and phase drawn on the video (the page sets it)
        self._model = model
        # Created on the first frame, on the callback's thread: rendering the page (and the
        # page tests) never loads the model.
        self._est: PoseEstimator | None = None
        self._crowd: CrowdCheck | None = None   # people count every 2 s, on its own thread
        self._lock = threading.Lock()
        # The thread delivering the current stream's frames; a restarted stream gets a new
        # worker thread, and late frames of a superseded one must not mix into the set.
        self._stream_thread: threading.Thread | None = None
        self._retired: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
        self.finished_sets: list[SessionResult] = []   # earlier streams' sets, oldest first
        self._new_session()

    def _new_session(self) -> None:
        self.session = Session(self.definition, self.profile, ClipInfo(path="webcam"),
                               keep_features=False, keep_frames=False, joined=True)
        self._snap = LiveSnapshot()
        self._times: collections.deque[float] = collections.deque()
        self._t0: float | None = None
        self._clock_offset_s: float | None = None
        self._last_t_ms = -1.0
        self._reps_recorded = 0
        self._set_ended = False
        self.final: SessionResult | None = None   # the set as judged at its end (end_set)

    def reset(self) -> None:
        """Start a new set (keeps the loaded model)."""
        with self._lock:
            self._new_session()

    def fresh(self, capture_s: list[float | None]) -> list[int]:
        """Indices of the queued frames worth analysing (oldest first), given their capture
        times in seconds: those within STALE_MS of the newest. The rest count as dropped."""
        newest = capture_s[-1]
        if newest is None:
            keep = [len(capture_s) - 1]
        else:
            keep = [i for i, t in enumerate(capture_s)
                    if t is not None and (newest - t) * 1000.0 <= STALE_MS]
        self.note_dropped(len(capture_s) - len(keep))
        return keep

    def note_dropped(self, n: int) -> None:
        """Count ``n`` stale frames the caller skipped (it analyses only the newest)."""
        if n > 0:
            with self._lock:
                self._snap.dropped += n

    def process(self, rgb: RGBFrame, capture_s: float | None = None, inplace: bool = False) -> RGBFrame:
        """Analyse one (H, W, 3) RGB frame (any size, may change) and return it annotated.

        ``capture_s`` is the frame's presentation time in seconds (stream clock); it gives
        the capture-to-result latency. ``inplace``: the overlay is drawn on ``rgb`` itself (a
        frame the caller reads no more, e.g. one on its way back to the browser). Never
        raises: a problem is kept for the page to show.
        """
        if not self._from_current_stream():
            self.note_dropped(1)
            return rgb
        start = time.perf_counter()
        self._t0 = self._t0 if self._t0 is not None else start
        # Pose timestamps must strictly increase for the landmarker, whatever the clock did.
        t_ms = max((start - self._t0) * 1000.0, self._last_t_ms + 1.0)
        self._last_t_ms = t_ms
        h, w = rgb.shape[:2]
        try:
            if self._est is None:
                self._est = PoseEstimator(self._model, mode="video")
                self._crowd = CrowdCheck(self._model, threaded=True, skip_when_busy=True)
            pose = self._est.detect(rgb, t_ms)
            if pose is not None and self._crowd is not None:
                self._crowd.offer(rgb, t_ms)
            feats, r = self.session.update(t_ms, pose, frame_size=(w, h))
            out = annotate(rgb, feats, r, self.definition, self.details, inplace=inplace)
            setup = setup_verdicts(self.definition, feats, self._crowd.people if self._crowd else None)
        except Exception as e:  # keep the stream alive; the page shows the error
            with self._lock:
                self._snap.error = f"{e.__class__.__name__}: {e}"
            return rgb
        done = time.perf_counter()
        self._record(r, setup, start, done, capture_s, (w, h))
        self._record_reps()
        return out

    def _from_current_stream(self) -> bool:
        me = threading.current_thread()
        with self._lock:
            if me is self._stream_thread:
                return True
            if me in self._retired:
                return False
            if self._stream_thread is not None:   # a new stream (START again): a new set
                self._retired.add(self._stream_thread)
                if self._snap.frames:
                    ended, self._set_ended = self._set_ended, True   # (the old set's last rep closes)
                    self.finished_sets.append(self._summary_locked())
                    if self.recorder is not None and not ended:
                        self.recorder.finish(summary_json(self.finished_sets[-1].summary))
                self._new_session()
            self._stream_thread = me
            return True

    def _record(self, r: FrameResult, setup: list[SetupItem], start: float, done: float,
                capture_s: float | None, size: tuple[int, int]) -> None:
        self._times.append(done)
        while self._times[0] < done - FPS_WINDOW_S:
            self._times.popleft()
        with self._lock:
            s = self._snap
            s.frames += 1
            s.last, s.setup, s.frame_size, s.error = r, setup, size, None
            s.process_ms = (done - start) * 1000.0
            if s.first_result_s is None and self._t0 is not None:
                s.first_result_s = done - self._t0
            if capture_s is not None:
                # The capture clock is the stream's; align it on the fastest hand-over seen
                # (the smallest arrival - capture), so latency = queueing + processing.
                offset = start - capture_s
                if self._clock_offset_s is None or offset < self._clock_offset_s:
                    self._clock_offset_s = offset
                s.latency_ms = (done - (self._clock_offset_s + capture_s)) * 1000.0
            else:
                s.latency_ms = s.process_ms
            if len(self._times) > 1:
                s.fps = (len(self._times) - 1) / max(self._times[-1] - self._times[0], 1e-6)
            s.reps = list(self.session.scorer.reps)
            if r.cue and (not s.cues or s.cues[-1] != r.cue):
                s.cues = (s.cues + [r.cue])[-5:]

    def snapshot(self) -> LiveSnapshot:
        with self._lock:
            s = self._snap
            return LiveSnapshot(s.frames, s.dropped, s.fps, s.latency_ms, s.process_ms, s.first_result_s,
                                s.last, list(s.reps), list(s.cues), list(s.setup), s.frame_size, s.error)

    def set_key(self) -> str:
        """Changes with each new set (the page keys the set's notices by it)."""
        return f"{id(self.session)}"

    def summary(self) -> dict[str, Any]:
        """The set so far as a schema-1 report (reps, holds, faults per rep; no frame list).

        Safe to call while streaming: a rep still at the top is reported as it stands.
        """
        return build_report(self.result())

    def result(self) -> SessionResult:
        """The set so far (what :meth:`summary` writes as JSON)."""
        with self._lock:
            return self._summary_locked()

    def _summary_locked(self) -> SessionResult:
        """:meth:`result`, for callers that already hold the lock. Once the set has ended, a
        rep still at the top is closed (judged on its settled top, dated to its last top
        frame), as a clip's last rep is: reported as it stood, it had no faults yet."""
        w, h = self._snap.frame_size or (0, 0)
        info = ClipInfo(path="webcam", fps=self._snap.fps, frames=self._snap.frames, width=w, height=h,
                        duration_s=self._last_t_ms / 1000.0 if self._last_t_ms > 0 else 0.0)
        return self.session.result(info, self._crowd.message() if self._crowd else None, final=self._set_ended)

    def _record_reps(self) -> None:
        """Hand every rep finished since the last frame to the recorder (a new set starts with
        the stream's first frame, so a set with no finished rep is on record too)."""
        if self.recorder is None:
            return
        sc = self.session.scorer
        if self._snap.frames == 1:
            self.recorder.start()
        closed = len(sc.reps) - (1 if sc.active_side is not None else 0)
        for rep in sc.reps[self._reps_recorded:closed]:
            self.recorder.rep(rep)
        self._reps_recorded = max(self._reps_recorded, closed)

    def end_set(self) -> None:
        """The stream has stopped: the set is over, with or without a patient (a rep still at
        the top is closed and judged, see :meth:`_summary_locked`). Write what is left of it
        and finish it in the patient's history. Once per set."""
        if self._set_ended or not self._snap.frames:
            return
        with self._lock:
            self._set_ended = True
            result = self.final = self._summary_locked()
        if self.recorder is None:
            return
        for rep in result.reps[self._reps_recorded:]:
            self.recorder.rep(rep)
        self._reps_recorded = len(result.reps)
        self.recorder.finish(summary_json(result.summary))

    def close(self) -> None:
        """Release the model; the set in progress is finished in the patient's history."""
        if self.recorder is not None:
            self.end_set()
            self.recorder.close()
            self.recorder = None
        if self._est is not None:
            self._est.close()
            self._est = None
        if self._crowd is not None:
            self._crowd.close()
            self._crowd = None


def blank_frame(width: int = 640, height: int = 480) -> RGBFrame:
    return np.zeros((height, width, 3), np.uint8)
