"""The one session object the CLI, clip review and live page share, so they cannot disagree.

A :class:`Session` turns (t_ms, pose) into per-frame feedback, keeps the reps, and produces
the result (with its typed summary). Features (smoothing, view, side, measures) are kept so
that a clip can be re-scored with new thresholds without re-running the pose model or the
filters.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from formcheck.core.landmarks import SIDES, Side, resolve
from formcheck.core.pose import ClipInfo, FramePose, PoseSequence
from formcheck.engine.features import FeatureExtractor, Features
from formcheck.engine.scorer import FrameResult, Rep, Scorer
from formcheck.engine.summary import Summary, summarize
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile

MISSING_MIN_MS = 500.0   # shorter gaps are tracking blips, not worth telling


@dataclass
class SessionResult:
    """Everything a report needs: the definition used, the clip, frames, reps and summary."""

    definition: Definition
    profile: Profile | None
    info: ClipInfo
    frames: list[FrameResult]
    reps: list[Rep]
    episodes: dict[str, int]
    summary: Summary
    features: list[Features] = field(default_factory=list, repr=False)

    @property
    def good_form_fraction(self) -> float:
        return self.summary.good_form_fraction

    @property
    def missing(self) -> list[tuple[float, float]]:
        return self.summary.person_missing


class Step(NamedTuple):
    """One analysed frame: its features (for drawing) and its result."""

    features: Features
    result: FrameResult


def whole_in_view(f: Features, required: Mapping[Side, list[int]]) -> bool:
    """A person in view, not jumping, with every ``required`` landmark (indices per near side)
    visible: what a missing-person stretch and adaptive sampling both ask of a frame."""
    return bool(f.pose and not f.jump and f.visible is not None
                and all(f.visible[i] for i in required[f.near_side]))


class _MissingTracker:
    """Collects the stretches where the exercise's required landmarks were not all in view."""

    def __init__(self, definition: Definition) -> None:
        self.required = {s: [resolve(n, s).value for n in definition.required_landmarks]
                         for s in SIDES}
        self.spans: list[tuple[float, float]] = []
        self._start: float | None = None
        self._last = 0.0

    def update(self, f: Features, frame_ms: float) -> None:
        whole = whole_in_view(f, self.required)
        if not whole and self._start is None:
            self._start = f.t_ms
        elif whole and self._start is not None:
            self._close(f.t_ms)
        self._last = f.t_ms + frame_ms

    def open_ms(self, t_ms: float) -> float:
        """How long the stretch still open at ``t_ms`` has lasted (0 if none is open)."""
        return t_ms - self._start if self._start is not None else 0.0

    def _close(self, end_ms: float) -> None:
        if self._start is not None and end_ms - self._start >= MISSING_MIN_MS:
            self.spans.append((self._start, end_ms))
        self._start = None

    def finish(self) -> list[tuple[float, float]]:
        self._close(self._last)
        return self.spans


class Session:
    """Per-stream analysis state. ``keep_features`` retains features for re-scoring.

    ``joined=True``: a live stream, joined at whatever moment START was pressed. A top already
    under way on its first frames is the end of a rep whose rise (and perhaps peak) was never
    seen: judged, its way down would read as a low top (a bridge's "hips not high enough"
    with no time held). It counts only once risen into again, as after a cut in the picture.
    A clip starts where its author chose, and is judged from its first frame."""

    def __init__(self, definition: Definition, profile: Profile | None = None,
                 info: ClipInfo | None = None, keep_features: bool = True,
                 keep_frames: bool = True, joined: bool = False) -> None:
        self.definition = definition
        self.profile = profile
        self.info = info or ClipInfo()
        size = (self.info.width, self.info.height) if self.info.width else None
        self.extractor = FeatureExtractor(definition, size)
        self.scorer = Scorer(definition, still=self.info.is_image)
        if joined:
            self.scorer.phases.cut()
        self.keep_features = keep_features
        self.keep_frames = keep_frames
        self.features: list[Features] = []
        self.frames: list[FrameResult] = []
        self._missing = _MissingTracker(definition)
        self._frame_ms = 1000.0 / self.info.fps if self.info.fps > 0 else 0.0

    def update(self, t_ms: float, pose: FramePose | None,
               frame_size: tuple[int, int] | None = None) -> Step:
        """Analyse one frame; ``frame_size`` (w, h) may change mid-stream (live video)."""
        if frame_size is not None:
            self.extractor.frame_size = frame_size
        return self.replay(self.extractor(t_ms, pose))

    def replay(self, f: Features) -> Step:
        """Score already extracted features (re-scoring keeps the model and filters out)."""
        r = self.scorer(f)
        self._missing.update(f, self._frame_ms)
        if self.keep_features:
            self.features.append(f)
        if self.keep_frames:
            self.frames.append(r)
        return Step(f, r)

    def person_missing_since(self, t_ms: float) -> float:
        """How long (ms) no whole person has been in view, up to ``t_ms`` (0 when one is)."""
        return self._missing.open_ms(t_ms)

    def result(self, info: ClipInfo | None = None, people_message: str | None = None,
               final: bool = False) -> SessionResult:
        """The result so far. ``final`` closes a rep still at the top (the clip or stream has
        ended); otherwise that rep is reported as it stands and the session goes on. ``info``
        is the clip as finally known (real frame count and timing), ``people_message`` what the
        two-person check saw."""
        if final:
            self.scorer.finish()
        reps = self.scorer.reps if final else copy.deepcopy(self.scorer.reps)
        missing = self._missing.finish() if final else list(self._missing.spans)
        sc = self.scorer
        summary = summarize(self.definition, reps, sc.episodes, sc.views_ms, sc.good_form_fraction(),
                            sc.out_of_position_ms, people_message, missing)
        return SessionResult(self.definition, self.profile, info or self.info, self.frames, reps,
                             dict(sc.episodes), summary, self.features)

    def finish(self, info: ClipInfo | None = None, people_message: str | None = None) -> SessionResult:
        """The final result: the clip or stream has ended."""
        return self.result(info, people_message, final=True)


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
    s = Session(definition, profile, result.info)
    for f in result.features:
        s.replay(f)
    return s.finish(people_message=result.summary.people_message)
