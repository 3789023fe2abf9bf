"""The one session object the CLI, clip review and live page share, so they cannot disagree.

A :class:`Session` turns (t_ms, pose) into per-frame feedback, keeps the reps, and produces
the report. Features (smoothing, view, side, measures) are kept so that a clip can be
re-scored with new thresholds without re-running the pose model or the filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..definition import Definition
from ..landmarks import resolve
from ..pose import ClipInfo, FramePose, PoseSequence
from ..profile import Profile
from .features import FeatureExtractor, Features
from .scorer import FrameResult, Rep, Scorer


@dataclass
class SessionResult:
    """Everything a report needs: the definition used, the clip, frames and reps."""

    definition: Definition
    profile: Profile | None
    info: ClipInfo
    frames: list[FrameResult]
    reps: list[Rep]
    episodes: dict[str, int]
    views: dict[str, int]
    good_form_fraction: float
    features: list[Features] = field(default_factory=list, repr=False)
    out_of_position_frames: int = 0   # frames with a person not in the exercise's position
    people_message: str | None = None  # set when more than one person was seen (see crowd.py)
    # (start_ms, end_ms) stretches with no whole person in view (title cards, close-ups,
    # someone out of the picture), at least MISSING_MIN_MS long
    missing: list[tuple[float, float]] = field(default_factory=list)


MISSING_MIN_MS = 500.0   # shorter gaps are tracking blips, not worth telling


class _MissingTracker:
    """Collects the stretches where the exercise's required landmarks were not all in view."""

    def __init__(self, definition: Definition) -> None:
        self.required = {s: [resolve(n, s).value for n in definition.required_landmarks]
                         for s in ("left", "right")}
        self.spans: list[tuple[float, float]] = []
        self._start: float | None = None
        self._last = 0.0

    def update(self, f: Features, frame_ms: float) -> None:
        whole = f.pose and not f.jump and f.visible is not None and all(
            f.visible[i] for i in self.required[f.near_side])
        if not whole and self._start is None:
            self._start = f.t_ms
        elif whole and self._start is not None:
            self._close(f.t_ms)
        self._last = f.t_ms + frame_ms

    def _close(self, end_ms: float) -> None:
        if self._start is not None and end_ms - self._start >= MISSING_MIN_MS:
            self.spans.append((self._start, end_ms))
        self._start = None

    def finish(self) -> list[tuple[float, float]]:
        self._close(self._last)
        return self.spans


class Session:
    """Per-stream analysis state. ``keep_features`` retains features for re-scoring."""

    def __init__(self, definition: Definition, profile: Profile | None = None,
                 info: ClipInfo | None = None, keep_features: bool = True,
                 keep_frames: bool = True) -> None:
        self.definition = definition
        self.profile = profile
        self.info = info or ClipInfo()
        size = (self.info.width, self.info.height) if self.info.width else None
        self.extractor = FeatureExtractor(definition, size)
        self.scorer = Scorer(definition, still=self.info.is_image)
        self.keep_features = keep_features
        self.keep_frames = keep_frames
        self.features: list[Features] = []
        self.frames: list[FrameResult] = []
        self._missing = _MissingTracker(definition)
        self._frame_ms = 1000.0 / self.info.fps if self.info.fps > 0 else 0.0

    def update(self, t_ms: float, pose: FramePose | None,
               frame_size: tuple[int, int] | None = None) -> FrameResult:
        """Analyse one frame; ``frame_size`` (w, h) may change mid-stream (live video)."""
        if frame_size is not None:
            self.extractor.frame_size = frame_size
        f = self.extractor(t_ms, pose)
        r = self.scorer(f)
        self._missing.update(f, self._frame_ms)
        if self.keep_features:
            self.features.append(f)
        if self.keep_frames:
            self.frames.append(r)
        return r

    def missing_so_far(self) -> list[tuple[float, float]]:
        """The closed stretches with no whole person in view, so far (live summaries)."""
        return list(self._missing.spans)

    def finish(self) -> SessionResult:
        self.scorer.finish()
        return SessionResult(self.definition, self.profile, self.info, self.frames,
                             self.scorer.reps, self.scorer.episodes, self.scorer.views,
                             self.scorer.good_form_fraction(), self.features,
                             self.scorer.out_of_position_frames, missing=self._missing.finish())


def analyze_sequence(seq: PoseSequence, definition: Definition,
                     profile: Profile | None = None) -> SessionResult:
    """Run a whole cached pose sequence through a fresh session."""
    s = Session(definition, profile, seq.info)
    for i in range(len(seq)):
        s.update(float(seq.t_ms[i]), seq.frame(i))
    return s.finish()


def rescore(result: SessionResult, definition: Definition,
            profile: Profile | None = None) -> SessionResult:
    """Re-judge cached features with other thresholds (same measures): no model, no filter.

    The definition must share the original's measures and phases measure; only thresholds,
    hold targets and timings may differ.
    """
    if definition.measures != result.definition.measures:
        raise ValueError("rescore needs the same measures; run analyze_sequence instead")
    scorer = Scorer(definition, still=result.info.is_image)
    frames = [scorer(f) for f in result.features]
    scorer.finish()
    return SessionResult(definition, profile, result.info, frames, scorer.reps,
                         scorer.episodes, scorer.views, scorer.good_form_fraction(),
                         result.features, scorer.out_of_position_frames, result.people_message,
                         result.missing)
