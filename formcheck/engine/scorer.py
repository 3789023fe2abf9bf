"""Thresholds over features: phases with hysteresis, reps, holds, checks, debounced cues.

Pure Python over floats so that re-scoring a minute of cached features takes milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..definition import Check, Definition
from ..landmarks import Side
from ..measure_kinds import KINDS
from .checks import OBLIQUE_MESSAGE, CheckResult, judge, ranges_of, shape_cue, shape_unseen, skipped_all
from .cues import SEVERITY_RANK, CueBoard
from .features import Features
from .reps import Rep, faults_at_top

__all__ = ["CheckResult", "FrameResult", "Rep", "Scorer"]

MAX_DT_MS = 250.0          # longer gaps (dropped frames) do not count towards a hold
NO_PERSON_CUE = "Step into view: the whole body should be in the picture."
# The top is settled (judged, cued) once the phase measure has stopped rising for this long
# and while it stays within the top margin of its peak: no cue on the way in or out.
SETTLE_MS = 150.0
PEAK_RISE_DEG = 1.0
# A top (a rep's or a hold's) ends once the body has been out of the position this long: the
# measure below exit or the shape broken. Shorter dips are landmarks flickering (a watermark
# over the body, a slow camera move), not the body leaving: a real rep takes far longer to go
# down and come back (the quickest labelled bridges here, darebee, repeat every 1.9 s). The
# rep's end is dated to the first frame out (or back at rest).
LEAVE_MS = 300.0


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
        p = definition.phases
        self.active_name = p.active
        self.state: str | None = p.active if p.kind == "continuous" else None
        self.active_side: Side | None = None
        self.reps: list[Rep] = []
        self.episodes: dict[str, int] = {}
        self._runs: dict[str, _Run] = {c.id: _Run() for c in definition.checks}
        self._ranges = {c.id: ranges_of(c) for c in definition.checks}   # compiled once, not per frame
        self._severity = {c.id: SEVERITY_RANK[c.severity] for c in definition.checks}
        self._rep_checks = {c.id for c in definition.checks if c.phase != "any" and p.kind != "continuous"}
        self._last_t: float | None = None
        self._cues = CueBoard(still)
        self._frames_judged = 0
        self._frames_good = 0
        # time (ms) seen in each camera view and out of position: weighted by time, not frames,
        # so that a clip sampled unevenly (adaptive sampling, dropped live frames) weighs alike
        self.views_ms: dict[str, float] = {}
        self._rise_ms = 0.0
        self._top_value = math.nan
        self._peak_rise_ms = 0.0
        self._shape_cue: str | None = None
        self._after_cut = False   # after a jump, a top counts only once it is risen into again
        self._trough = math.inf   # lowest phase value since the last top (swing, rep_range)
        self._rested = False      # the rest phase was seen (from_rest)
        self._sign = -1.0 if p.direction == "down" else 1.0
        self._angle_gates = {q.measure for q in definition.shape
                             if KINDS[definition.measures[q.measure].kind].foreshortened}
        self.out_of_position_ms = 0.0
        self._leaving_ms: float | None = None   # since when the top is being left (see LEAVE_MS)
        self._leaving_by_shape = True           # ... because the shape broke (not the measure fell)
        self._rest_ms: float | None = None      # ... and when it was first back at rest
        self._frame_weight_ms = 0.0
        m = definition.measures.get(p.measure or "")
        self._phase_label = (m.label or p.measure) if m is not None and p.measure else ""

    # -- per frame -------------------------------------------------------------------
    def __call__(self, f: Features) -> FrameResult:
        dt = 0.0 if self._last_t is None else min(f.t_ms - self._last_t, MAX_DT_MS)
        self._last_t = f.t_ms
        if not f.pose:
            self._end_runs(f.t_ms)
            return self._result(f, None, [], self._cues.show(NO_PERSON_CUE, f.t_ms, urgent=True))
        weight_ms = dt if dt > 0 else 1.0   # the first frame (or a still) weighs a little
        self._frame_weight_ms = weight_ms
        self.views_ms[f.view] = self.views_ms.get(f.view, 0.0) + weight_ms
        if f.jump:
            # Not a body movement: judge nothing, and a rep must start again from a real rise.
            self._end_runs(f.t_ms)
            if self.active_side is None:
                self.state, self._after_cut = None, True
            return self._result(f, None, [], self._cues.current)
        if not self._view_counts(f.view):
            self._end_runs(f.t_ms)
            msg = f"Camera view looks {f.view}, not {self.d.view}: {self.d.view_cue}"
            return self._result(f, None, skipped_all(self.d.checks, msg),
                                self._cues.show(self.d.view_cue, f.t_ms, urgent=True))
        out_of_position = self._out_of_position(f)
        if out_of_position is not None and self.active_side is None:
            self._end_runs(f.t_ms)
            self.out_of_position_ms += weight_ms
            return self._result(f, None, skipped_all(self.d.checks, out_of_position),
                                self._cues.show(out_of_position, f.t_ms))
        was_active = self.active_side is not None
        self._update_phase(f)
        if was_active and self.active_side is None:
            self._cues.clear(f.t_ms)   # a top's cue ends with the top
        side = self.active_side if self.active_side is not None else f.near_side
        if self.d.view != "any" and f.view != self.d.view:
            # counted here (count_views) but form is judged only from the definition's view
            checks = skipped_all([c for c in self.d.checks if self._applies(c)], OBLIQUE_MESSAGE)
            cue = self._shape_cue or OBLIQUE_MESSAGE
        else:
            checks = [judge(c, f.values.get(side, {}), f.hidden.get(side, {}), self._ranges[c.id])
                      for c in self.d.checks if self._applies(c)]
            cue = None
        settled = self._settled_now(f.t_ms)
        self._track(checks, f.t_ms, dt, settled, f.values.get(side, {}))
        return self._result(f, side, checks, self._cue_for(checks, f.t_ms, settled, cue))

    def _view_counts(self, view: str) -> bool:
        """Reps are counted in the definition's view and its ``count_views`` (form is then not
        judged, see OBLIQUE_MESSAGE)."""
        return self.d.counts_in(view)

    def _out_of_position(self, f: Features) -> str | None:
        """The cue of the first position requirement that is measurably not met (on every
        side, for a sided exercise), else None."""
        sides = list(f.values) if self.d.phases.kind == "sided" else [f.near_side]
        for q in self.d.position:
            vals = [f.values.get(s, {}).get(q.measure, math.nan) for s in sides]
            known = [v for v in vals if not math.isnan(v)]
            if known and all(q.fails(v) for v in known):
                return q.cue
        return None

    def _update_phase(self, f: Features) -> None:
        p = self.d.phases
        self._shape_cue = None
        if p.kind == "continuous":
            return
        assert p.measure is not None and p.enter is not None and p.exit is not None
        # Phase values are signed so that the active phase is always HIGH (direction down
        # negates the measure and its thresholds).
        sign = self._sign
        if p.kind == "sided":
            candidates = {s: sign * v[p.measure] for s, v in f.values.items()}
        else:
            candidates = {f.near_side: sign * f.values[f.near_side].get(p.measure, math.nan)}
        if self.active_side is not None:
            v = candidates.get(self.active_side, math.nan)
            if math.isnan(v):
                return  # not measurable this frame: keep the phase rather than guess
            rep = self.reps[-1]
            side = self.active_side
            broken = shape_cue(self.d, self._gates(f).get(side, {}), f.values.get(side), strict=False)
            below = v < (rep.peak - p.exit if p.kind == "swing" else sign * p.exit)
            if self._leaving_ms is None:
                self._leaving_by_shape = not below
            if self._leaving_by_shape:   # (once lowering, the shape breaking is the way down)
                rep.shape_ms[broken is None] += self._frame_weight_ms
            if v > rep.peak + PEAK_RISE_DEG:
                self._peak_rise_ms = f.t_ms
            rep.peak = max(rep.peak, v)
            self._top_value = v
            # The position is left when the measure falls below exit or the shape is measurably
            # broken, and stays so for LEAVE_MS: a landmark flickering (a watermark, a hand
            # over a joint, a slow camera move) does not end a hold.
            if below or broken is not None:
                if self._leaving_ms is None:
                    self._leaving_ms, self._rest_ms = f.t_ms, None
                    self._cues.clear(f.t_ms)   # the top's cue ends as the body leaves it
                if self._rest_ms is None and p.rest is not None and v < sign * p.rest:
                    self._rest_ms = f.t_ms     # back at rest while leaving: the rep's end
                self.state = p.lowering_name   # shown as on the way out; a flicker returns
                if self.still or f.t_ms - self._leaving_ms >= LEAVE_MS:
                    self._leave_top(self._leaving_ms)
                    self._trough = v
                    if self._rest_ms is not None:   # already back at rest
                        self.state = p.rest_name
                        if self.reps and self.reps[-1] is rep:
                            rep.end_ms = self._rest_ms
                return
            if self._leaving_ms is not None:   # back in the position: it was a flicker
                self._leaving_ms = None
                self.state = self.active_name if p.kind != "sided" else f"{self.active_name}_{side}"
            rep.last_top_ms = f.t_ms
            return
        finite = {s: v for s, v in candidates.items() if not math.isnan(v)}
        if not finite:
            return
        gates = self._gates(f)
        if p.kind == "sided" and self.d.shape:
            # the side being done is one whose shape holds (a crossed leg's hip reads flexed
            # too, but it is not the leg pulled in)
            shaped = {s: x for s, x in finite.items()
                      if shape_cue(self.d, gates.get(s, {}), f.values.get(s)) is None}
            finite = shaped or finite
        side, v = max(finite.items(), key=lambda kv: kv[1])
        # A swing is measured in the position: its low point and its top are frames where the
        # shape is seen to hold (a cat-cow on all fours), not one measurably out of it (a limb
        # lifted: a bird-dog's reach) nor one where no part of the shape is seen at all.
        off = seen = None
        if p.kind == "swing":
            off = shape_cue(self.d, gates.get(side, {}), f.values.get(side), strict=False)
            seen = not self.d.shape or any(not math.isnan(gates.get(side, {}).get(q.measure, math.nan))
                                           for q in self.d.shape)
        if off is None and seen is not False:
            self._trough = min(self._trough, v)
        self._shape_cue = off
        enter = self._trough + p.enter if p.kind == "swing" else sign * p.enter
        rest = None if p.rest is None else sign * p.rest
        if self._after_cut:
            if v >= enter:
                return
            self._after_cut = False
        if p.from_rest and not self._rested:
            # the top counts only when reached from the rest position (e.g. standing)
            self._rested = rest is not None and v < rest
            if not self._rested:
                return
        if v >= enter:
            gate_side = side if p.kind == "sided" else f.near_side
            self._shape_cue = shape_cue(self.d, gates.get(gate_side, {}), f.values.get(gate_side))
            unseen = shape_unseen(self.d, gates.get(gate_side, {}), f.hidden.get(gate_side, {}))
            if gate_side in f.phase_estimated:
                # the phase measure itself was not seen: the rest of the rep's shape must be
                if unseen:
                    return
                unseen = [f"{self._phase_label} not seen: "
                          f"{', '.join(f.hidden.get(gate_side, {}).get(p.measure, [])) or 'landmarks'} "
                          "out of view (counted from the rest of the body)"]
            if self._shape_cue is None and seen is not False:
                self._enter_top(side if p.kind == "sided" else None, f.t_ms, v, f.near_side)
                self.reps[-1].notes = unseen
                self.reps[-1].trough = self._trough
                self._rested = False
                return
        if rest is not None and v < rest:
            if self.state == p.lowering_name and self.reps:
                self.reps[-1].end_ms = f.t_ms
            self.state = p.rest_name
        elif self.state in (None, p.rest_name):
            self.state = p.rising_name
            self._rise_ms = f.t_ms

    def phase_room_deg(self, f: Features) -> float:
        """How far (deg) the phase measure of this frame is from the threshold that would
        change the phase from where it is now (entering or leaving the top, and reaching rest
        on the way down from one: that times where the rep ends); ``inf`` for a continuous
        exercise or nothing measured. Adaptive sampling runs the pose model on every other
        frame where this is small. (Rest on the way up is left out: crossing it only times
        where the next rep starts, within a step.)"""
        p = self.d.phases
        if p.kind == "continuous" or p.measure is None or p.enter is None or p.exit is None:
            return math.inf
        sign = self._sign
        if self.active_side is not None and self.reps and self._leaving_ms is not None and p.rest is not None:
            # leaving the top (for LEAVE_MS before it counts): the way down to rest times the
            # rep's end, as in the lowering phase below
            return 0.0
        if self.active_side is not None and self.reps:
            v = sign * f.values.get(self.active_side, {}).get(p.measure, math.nan)
            leave = self.reps[-1].peak - p.exit if p.kind == "swing" else sign * p.exit
            room = abs(v - leave) if not math.isnan(v) else math.inf
            # a shape measure reaching its bound leaves the top too
            gates, seen = self._gates(f).get(self.active_side, {}), f.values.get(self.active_side, {})
            for q in self.d.shape:
                g = (seen if q.seen_only else gates).get(q.measure, math.nan)
                for bound in (q.min, q.max):
                    if bound is not None and not math.isnan(g):
                        room = min(room, abs(g - bound))
            return room
        sides = list(f.values) if p.kind == "sided" else [f.near_side]
        vals = [sign * f.values.get(s, {}).get(p.measure, math.nan) for s in sides]
        if p.rest is not None and self.state == p.lowering_name and any(not math.isnan(v) for v in vals):
            # on the way down from a top, until rest: reaching it times where the rep ends
            # (the room to it cannot tell how fast it closes: it was the room to leave the top)
            return 0.0
        room = math.inf
        for v in vals:
            if math.isnan(v):
                continue
            enter = min(self._trough, v) + p.enter if p.kind == "swing" else sign * p.enter
            room = min(room, abs(v - enter))
        return room

    def _gates(self, f: Features) -> dict[Side, dict[str, float]]:
        """Shape-gate values to trust in this view: in a front view of a side-view exercise the
        image-plane angles are foreshortened beyond use, so only distance gates (gap) remain;
        the others count as not seen (the rep then says so)."""
        if f.view != "front" or self.d.view != "side" or not self._angle_gates:
            return f.gate_values
        return {s: {k: (math.nan if k in self._angle_gates else v) for k, v in vals.items()}
                for s, vals in f.gate_values.items()}

    def _enter_top(self, side: Side | None, t_ms: float, v: float, near: Side) -> None:
        start = self._rise_ms if self.state == self.d.phases.rising_name else t_ms
        if self.reps and self.reps[-1].end_ms < self.reps[-1].last_top_ms:
            self.reps[-1].end_ms = t_ms
        self.reps.append(Rep(len(self.reps) + 1, side, start, t_ms, t_ms, last_top_ms=t_ms, peak=v))
        self.active_side = side if side is not None else near
        self.state = self.active_name if side is None else f"{self.active_name}_{side}"
        self._top_value = v
        self._peak_rise_ms = t_ms

    def _leave_top(self, t_ms: float) -> None:
        self._close_rep(t_ms)
        self.active_side = None
        self._leaving_ms = None
        self.state = self.d.phases.lowering_name

    def _close_rep(self, t_ms: float) -> None:
        rep = self.reps[-1]
        rep.end_ms = t_ms
        if rep.shape_ms[False] > rep.shape_ms[True]:
            # the shape held on less than half of the top: one frame of a look-alike passing
            # the gate (a dead bug's leg), not the position (a bridge's pelvis off the mat)
            self.reps.pop()
            return
        for cid in faults_at_top(rep.settle(self.d.phases.top_margin_deg), self.d.min_fault_ms):
            if cid not in rep.faults:
                rep.faults.append(cid)
        span = rep.peak - rep.trough   # range moved through (deg), for rep_range checks
        for c in self.d.checks:
            if c.of == "rep_range" and math.isfinite(span) and c.id not in rep.faults \
                    and self._ranges[c.id][0].fails(span):
                rep.faults.append(c.id)
        target_ms = self.d.hold.target_s * 1000.0
        if target_ms > 0 and rep.hold_ms < target_ms:
            rep.faults.append(self.d.hold.check_id)

    def _settled_now(self, t_ms: float) -> bool:
        """Is this frame at the settled top, as far as can be known now (the peak so far)?"""
        if self.active_side is None or not self.reps or self._leaving_ms is not None:
            return False
        rep = self.reps[-1]
        near_peak = self._top_value >= rep.peak - self.d.phases.top_margin_deg
        return near_peak and (self.still or t_ms - self._peak_rise_ms >= SETTLE_MS)

    # -- checks ----------------------------------------------------------------------
    def _applies(self, c: Check) -> bool:
        if c.of != "frame":
            return False   # judged once per rep (see _close_rep)
        if c.phase == "any":
            return True
        if self.state is None:
            return False
        return c.phase == self.state or (
            self.active_side is not None and c.phase == self.active_name)

    def _track(self, checks: list[CheckResult], t_ms: float, dt: float, settled: bool,
               values: dict[str, float]) -> None:
        failing = {c.id for c in checks if c.status == "fail"}
        # frames on the way out (or a flicker) are not the position: not recorded as its top
        in_top = self.active_side is not None and bool(self.reps) and self._leaving_ms is None
        for c in self.d.checks:
            run = self._runs[c.id]
            # A rep check's run (and so its cue) counts only on settled top frames.
            if c.id not in failing or (c.id in self._rep_checks and not settled):
                run.start_ms = math.nan
                continue
            if math.isnan(run.start_ms):
                run.start_ms, run.counted = t_ms, False
            lasted = t_ms - run.start_ms + dt
            if not run.counted and self.d.phases.kind == "continuous" \
                    and (self.still or lasted >= self.d.sustain_s * 1000.0):
                run.counted = True
                self.episodes[c.id] = self.episodes.get(c.id, 0) + 1
        if checks and any(c.status != "skipped" for c in checks):
            self._frames_judged += 1
            self._frames_good += not failing
        if in_top:
            rep = self.reps[-1]
            angles = {k: values.get(k, math.nan) for k in self.d.key_angles}   # only at the top
            rep.top_frames.append((t_ms, self._top_value, {c.id: c.status for c in checks}, angles))
            if checks and not failing and all(c.status == "ok" for c in checks):
                rep.hold_ms += dt

    def _end_runs(self, t_ms: float) -> None:
        for run in self._runs.values():
            run.start_ms = math.nan

    # -- cues ------------------------------------------------------------------------
    def _cue_for(self, checks: list[CheckResult], t_ms: float, settled: bool,
                 fallback: str | None = None) -> str | None:
        delay = 0.0 if self.still else max(self.d.min_fault_ms, self.d.sustain_s * 1000.0)
        due = [c for c in checks if c.status == "fail"
               and (settled or c.id not in self._rep_checks)
               and t_ms - self._runs[c.id].start_ms + 1e-9 >= delay]
        due.sort(key=lambda c: self._severity[c.id])
        cue = due[0].message if due else (self._shape_cue or fallback)
        return self._cues.show(cue, t_ms)

    # -- output ----------------------------------------------------------------------
    def _result(self, f: Features, side: Side | None, checks: list[CheckResult],
                cue: str | None) -> FrameResult:
        values = f.values.get(side, {}) if side else {}
        angles = {k: (None if math.isnan(v) else round(v, 1))
                  for k in self.d.key_angles for v in [values.get(k, math.nan)]}
        hold = self.reps[-1].hold_ms if self.reps and self.active_side is not None else 0.0
        by_side: dict[str, int] = {}
        for r in self.reps:
            if r.side:
                by_side[r.side] = by_side.get(r.side, 0) + 1
        phase = self.state if f.pose and (side is not None) else None
        return FrameResult(f.t_ms, f.pose, f.view, phase, angles, checks, len(self.reps),
                           by_side, hold, cue, side)

    def finish(self) -> None:
        """Close a rep still at the top when the clip or stream ends (it still counts)."""
        if self.active_side is not None and self.reps:
            end = self._rest_ms if self._leaving_ms is not None and self._rest_ms is not None else self._leaving_ms
            self._close_rep(end if end is not None else self.reps[-1].last_top_ms)
            self.active_side = None

    def good_form_fraction(self) -> float:
        return self._frames_good / self._frames_judged if self._frames_judged else 0.0
