"""Thresholds over features: checks judged per frame, their runs (sitting episodes), the
debounced cue and the result of each frame; the phases and reps are followed by
:class:`~formcheck.engine.phases.PhaseTracker`.

Pure Python over floats so that re-scoring a minute of cached features takes milliseconds:
the definition is compiled once (:mod:`formcheck.engine.checks`), nothing pydantic is read
per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.core.landmarks import Side
from formcheck.core.rounding import round1
from formcheck.engine.checks import (
    OBLIQUE_MESSAGE,
    CheckResult,
    CompiledCheck,
    compile_checks,
    compile_requirements,
    judge,
    skipped_all,
)
from formcheck.engine.cues import CueBoard
from formcheck.engine.features import Features
from formcheck.engine.phases import LEAVE_MS, SETTLE_MS, PhaseTracker
from formcheck.engine.reps import Rep, reps_per_side
from formcheck.rules.definition import Definition

__all__ = ["LEAVE_MS", "SETTLE_MS", "CheckResult", "FrameResult", "Rep", "Scorer"]

MAX_DT_MS = 250.0          # longer gaps (dropped frames) do not count towards a hold
NO_PERSON_CUE = "Step into view: the whole body should be in the picture."
_NO_VALUES: dict[str, float] = {}   # read-only stand-in for a side with nothing measured
_NO_HIDDEN: dict[str, list[str]] = {}


@dataclass(slots=True)
class FrameResult:
    t_ms: float
    pose: bool
    view: str
    phase: str | None
    angles: dict[str, float | None]
    checks: list[CheckResult]
    rep_count: int
    reps_by_side: dict[str, int]
    hold_ms: float
    cue: str | None
    side: Side | None


@dataclass(slots=True)
class _Run:
    """A check's current run of failures (for cue debouncing and sitting episodes)."""

    start_ms: float = math.nan
    counted: bool = False


class Scorer:
    """Feed :class:`Features` in time order; get a :class:`FrameResult` per frame.

    ``still=True`` judges single images: no time-based debouncing.
    """

    def __init__(self, definition: Definition, still: bool = False) -> None:
        self.d = definition
        self.still = still
        self.episodes: dict[str, int] = {}
        self._checks = compile_checks(definition)
        self._runs = [(c, _Run()) for c in self._checks]
        self._run_of = {c.id: run for c, run in self._runs}
        self._frame_checks = [c for c in self._checks if c.per_frame]
        # the checks judged in each (state, at the top) are the same every time: listed once
        self._applicable: dict[tuple[str | None, bool], list[CompiledCheck]] = {}
        self._cues = CueBoard(still)
        self.phases = PhaseTracker(definition, still, self._cues, [c for c in self._checks if not c.per_frame])
        self._continuous = definition.phases.kind == "continuous"
        self._position = compile_requirements(definition.position)
        self._sustain_ms = definition.sustain_s * 1000.0
        self._cue_delay_ms = 0.0 if still else max(definition.min_fault_ms, self._sustain_ms)
        self._key_angles = list(definition.key_angles)
        self._rank = {c.id: (c.severity, c.rep_check) for c in self._checks}
        self._counts_in: dict[str, bool] = {}   # per camera view: Definition.counts_in
        self._sided = definition.phases.kind == "sided"
        self._last_t: float | None = None
        self._frames_judged = 0
        self._frames_good = 0
        # time (ms) seen in each camera view and out of position: weighted by time, not frames,
        # so that a clip sampled unevenly (adaptive sampling, dropped live frames) weighs alike
        self.views_ms: dict[str, float] = {}
        self.out_of_position_ms = 0.0
        self._by_side: dict[str, int] = {}     # reps per side, recounted when the reps change
        self._by_side_of: tuple[int, Rep | None] = (0, None)

    # the phase tracker's state, as callers (the live page, tests) read it
    @property
    def reps(self) -> list[Rep]:
        return self.phases.reps

    @property
    def active_side(self) -> Side | None:
        return self.phases.active_side

    @property
    def state(self) -> str | None:
        return self.phases.state

    # -- per frame -------------------------------------------------------------------
    def __call__(self, f: Features) -> FrameResult:
        dt = 0.0 if self._last_t is None else min(f.t_ms - self._last_t, MAX_DT_MS)
        self._last_t = f.t_ms
        if not f.pose:
            self._end_runs()
            return self._result(f, None, [], self._cues.show(NO_PERSON_CUE, f.t_ms, urgent=True))
        ph = self.phases
        weight_ms = dt if dt > 0 else 1.0   # the first frame (or a still) weighs a little
        self.views_ms[f.view] = self.views_ms.get(f.view, 0.0) + weight_ms
        if f.jump:
            # Not a body movement: judge nothing, and a rep must start again from a real rise.
            self._end_runs()
            ph.cut()
            return self._result(f, None, [], self._cues.current)
        counts = self._counts_in.get(f.view)
        if counts is None:
            counts = self._counts_in[f.view] = self.d.counts_in(f.view)
        if not counts:
            # reps are counted in the definition's view and its count_views (form is then not
            # judged, see OBLIQUE_MESSAGE); in no other
            self._end_runs()
            msg = f"Camera view looks {f.view}, not {self.d.view}: {self.d.view_cue}"
            return self._result(f, None, skipped_all(self._checks, msg),
                                self._cues.show(self.d.view_cue, f.t_ms, urgent=True))
        out_of_position = self._out_of_position(f) if self._position else None
        if out_of_position is not None and ph.active_side is None:
            self._end_runs()
            self.out_of_position_ms += weight_ms
            return self._result(f, None, skipped_all(self._checks, out_of_position),
                                self._cues.show(out_of_position, f.t_ms))
        was_active = ph.active_side is not None
        ph.update(f, weight_ms)
        if was_active and ph.active_side is None:
            self._cues.clear(f.t_ms)   # a top's cue ends with the top
        side = ph.active_side if ph.active_side is not None else f.near_side
        values = f.values.get(side, _NO_VALUES)
        applicable = self._applicable_now()
        if self.d.view != "any" and f.view != self.d.view:
            # counted here (count_views) but form is judged only from the definition's view
            checks = skipped_all(applicable, OBLIQUE_MESSAGE)
            cue = ph.shape_cue or OBLIQUE_MESSAGE
        else:
            hidden = f.hidden.get(side, _NO_HIDDEN)
            checks = [judge(c, values, hidden) for c in applicable]
            cue = None
        settled = ph.settled_now(f.t_ms)
        failing = self._track(checks, f.t_ms, dt, settled, values)
        return self._result(f, side, checks, self._cue_for(checks, failing, f.t_ms, settled, cue))

    def phase_room_deg(self, f: Features) -> float:
        """:meth:`PhaseTracker.room_deg`: how far (deg) this frame's phase measure is from
        changing the phase (adaptive sampling follows small rooms frame by frame)."""
        return self.phases.room_deg(f)

    def _out_of_position(self, f: Features) -> str | None:
        """The cue of the first position requirement that is measurably not met (on every
        side, for a sided exercise), else None."""
        per_side = list(f.values.values()) if self._sided else [f.values.get(f.near_side, _NO_VALUES)]
        for q in self._position:
            known = False
            for values in per_side:
                v = values.get(q.measure, math.nan)
                if v != v:   # NaN: not measured, blocks nothing
                    continue
                if not q.fails(v):
                    break
                known = True
            else:
                if known:   # measured on some side and failing on every side measured
                    return q.cue
        return None

    # -- checks ----------------------------------------------------------------------
    def _applicable_now(self) -> list[CompiledCheck]:
        """The per-frame checks judged in the current phase: ``any``, the phase shown, and the
        active phase's own checks at either side's top."""
        ph = self.phases
        key = (ph.state, ph.active_side is not None)
        got = self._applicable.get(key)
        if got is None:
            state, at_top = key
            got = self._applicable[key] = [
                c for c in self._frame_checks
                if c.phase == "any" or (state is not None and (
                    c.phase == state or (at_top and c.phase == ph.active_name)))]
        return got

    def _track(self, checks: list[CheckResult], t_ms: float, dt: float, settled: bool,
               values: dict[str, float]) -> set[str]:
        """Update each check's run of failures and the good-frame count; record a top frame.
        Returns the ids failing on this frame."""
        failing = {c.id for c in checks if c.status == "fail"}
        ph = self.phases
        # frames on the way out (or a flicker) are not the position: not recorded as its top
        in_top = ph.in_top()
        for c, run in self._runs:
            # A rep check's run (and so its cue) counts only on settled top frames.
            if c.id not in failing or (c.rep_check and not settled):
                run.start_ms = math.nan
                continue
            if math.isnan(run.start_ms):
                run.start_ms, run.counted = t_ms, False
            lasted = t_ms - run.start_ms + dt
            if not run.counted and self._continuous and (self.still or lasted >= self._sustain_ms):
                run.counted = True
                self.episodes[c.id] = self.episodes.get(c.id, 0) + 1
        if checks and any(c.status != "skipped" for c in checks):
            self._frames_judged += 1
            self._frames_good += not failing
        if in_top:
            rep = ph.reps[-1]
            angles = {k: values.get(k, math.nan) for k in self._key_angles}   # only at the top
            rep.top_frames.append((t_ms, ph.top_value, {c.id: c.status for c in checks}, angles))
            if checks and not failing and all(c.status == "ok" for c in checks):
                rep.hold_ms += dt
        return failing

    def _end_runs(self) -> None:
        for _, run in self._runs:
            run.start_ms = math.nan

    # -- cues ------------------------------------------------------------------------
    def _cue_for(self, checks: list[CheckResult], failing: set[str], t_ms: float, settled: bool,
                 fallback: str | None = None) -> str | None:
        if failing:   # (else nothing is due)
            delay, runs, rank = self._cue_delay_ms, self._run_of, self._rank
            due = [c for c in checks if c.status == "fail"
                   and (settled or not rank[c.id][1])
                   and t_ms - runs[c.id].start_ms + 1e-9 >= delay]
            if due:
                # the most severe; the first listed among equals (as a stable sort's first)
                return self._cues.show(min(due, key=lambda c: rank[c.id][0]).message, t_ms)
        return self._cues.show(self.phases.shape_cue or fallback, t_ms)

    # -- output ----------------------------------------------------------------------
    def _result(self, f: Features, side: Side | None, checks: list[CheckResult],
                cue: str | None) -> FrameResult:
        values = f.values.get(side, _NO_VALUES) if side else _NO_VALUES
        angles: dict[str, float | None] = {}
        for k in self._key_angles:
            v = values.get(k, math.nan)
            angles[k] = None if v != v else round1(v)
        ph = self.phases
        reps = ph.reps
        hold = reps[-1].hold_ms if reps and ph.active_side is not None else 0.0
        phase = ph.state if f.pose and (side is not None) else None
        return FrameResult(f.t_ms, f.pose, f.view, phase, angles, checks, len(reps),
                           self._reps_by_side(), hold, cue, side)

    def _reps_by_side(self) -> dict[str, int]:
        """Reps per side (a new dict per frame: results do not share it). Recounted only when
        the reps changed (one added or dropped: the count or the last rep differs)."""
        reps = self.phases.reps
        now = (len(reps), reps[-1] if reps else None)
        if now[0] != self._by_side_of[0] or now[1] is not self._by_side_of[1]:
            self._by_side, self._by_side_of = reps_per_side(reps), now
        return dict(self._by_side)

    def finish(self) -> None:
        """Close a rep still at the top when the clip or stream ends (it still counts)."""
        self.phases.finish()

    def good_form_fraction(self) -> float:
        return self._frames_good / self._frames_judged if self._frames_judged else 0.0
