"""The phase state machine over features: rest, rising, the top (per side for a sided
exercise), lowering; when a top is entered and left, and the reps it makes.

Pure Python over floats, like the scorer that owns it (see :mod:`formcheck.engine.scorer`).
"""

from __future__ import annotations

import math

from formcheck.core.landmarks import Side
from formcheck.core.measure_kinds import KINDS
from formcheck.engine.checks import CompiledCheck, compile_requirements, shape_cue, shape_unseen
from formcheck.engine.cues import CueBoard
from formcheck.engine.features import Features
from formcheck.engine.reps import Rep, faults_at_top
from formcheck.rules.definition import Definition

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


class PhaseTracker:
    """Follows the phase measure frame by frame and keeps the reps.

    ``state`` is the phase name shown (None before anything is known), ``active_side`` the
    side at the top (the near side for an unsided exercise; None when not at the top).
    ``cues`` is the scorer's cue board: a top's cue is taken down as the body leaves it.
    ``rep_range``: the checks judged once per rep on the range moved through.
    """

    def __init__(self, definition: Definition, still: bool, cues: CueBoard,
                 rep_range: list[CompiledCheck]) -> None:
        self.d = definition
        self.still = still
        p = self.p = definition.phases
        self.active_name = p.active
        self.state: str | None = p.active if p.kind == "continuous" else None
        self.active_side: Side | None = None
        self.reps: list[Rep] = []
        self.shape_cue: str | None = None   # the shape's cue where it blocked a top this frame
        self._cues = cues
        self._rep_range = rep_range
        self._shape = compile_requirements(definition.shape)
        self._rise_ms = 0.0
        self._top_value = math.nan
        self._peak_rise_ms = 0.0
        self._after_cut = False   # after a jump, a top counts only once it is risen into again
        self._trough = math.inf   # lowest phase value since the last top (swing, rep_range)
        self._rested = False      # the rest phase was seen (from_rest)
        self._sign = -1.0 if p.direction == "down" else 1.0
        self._angle_gates = {q.measure for q in definition.shape
                             if KINDS[definition.measures[q.measure].kind].foreshortened}
        self._leaving_ms: float | None = None   # since when the top is being left (see LEAVE_MS)
        self._leaving_by_shape = True           # ... because the shape broke (not the measure fell)
        self._rest_ms: float | None = None      # ... and when it was first back at rest
        m = definition.measures.get(p.measure or "")
        self._phase_label = (m.label or p.measure) if m is not None and p.measure else ""

    @property
    def top_value(self) -> float:
        """The phase measure (signed: the top is high) on the last frame at the top."""
        return self._top_value

    def in_top(self) -> bool:
        """At the top and not on the way out (nor in a flicker): frames recorded as its top."""
        return self.active_side is not None and bool(self.reps) and self._leaving_ms is None

    def cut(self) -> None:
        """The picture jumped (not a body movement): a rep must start again from a real rise."""
        if self.active_side is None:
            self.state, self._after_cut = None, True

    def update(self, f: Features, weight_ms: float) -> None:
        """Advance the phase on one frame in position (``weight_ms``: the time it stands for)."""
        p = self.p
        self.shape_cue = None
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
            rep = self.reps[-1]
            side = self.active_side
            broken = shape_cue(self._shape, self.gates(f).get(side, {}), f.values.get(side), strict=False)
            if math.isnan(v):
                # Not measurable: keep the phase rather than guess. Still the top, so its shape
                # weighs as on any top frame (else a top whose measure drops out, a knee leaving
                # the frame, lost held time by a frame-rate-dependent amount: see _close_rep).
                if self._leaving_ms is None or self._leaving_by_shape:
                    rep.shape_ms[broken is None] += weight_ms
                return
            below = v < (rep.peak - p.exit if p.kind == "swing" else sign * p.exit)
            if self._leaving_ms is None:
                self._leaving_by_shape = not below
            if self._leaving_by_shape:   # (once lowering, the shape breaking is the way down)
                rep.shape_ms[broken is None] += weight_ms
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
        gates = self.gates(f)
        if p.kind == "sided" and self._shape:
            # the side being done is one whose shape holds (a crossed leg's hip reads flexed
            # too, but it is not the leg pulled in)
            shaped = {s: x for s, x in finite.items()
                      if shape_cue(self._shape, gates.get(s, {}), f.values.get(s)) is None}
            finite = shaped or finite
        side, v = max(finite.items(), key=lambda kv: kv[1])
        # A swing is measured in the position: its low point and its top are frames where the
        # shape is seen to hold (a cat-cow on all fours), not one measurably out of it (a limb
        # lifted: a bird-dog's reach) nor one where no part of the shape is seen at all.
        off = seen = None
        if p.kind == "swing":
            side_gates = gates.get(side, {})
            off = shape_cue(self._shape, side_gates, f.values.get(side), strict=False)
            seen = not self._shape or any(not math.isnan(side_gates.get(q.measure, math.nan))
                                          for q in self._shape)
        if off is None and seen is not False:
            self._trough = min(self._trough, v)
        self.shape_cue = off
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
            self.shape_cue = shape_cue(self._shape, gates.get(gate_side, {}), f.values.get(gate_side))
            unseen = shape_unseen(self.d, gates.get(gate_side, {}), f.hidden.get(gate_side, {}))
            if gate_side in f.phase_estimated:
                # the phase measure itself was not seen: the rest of the rep's shape must be
                if unseen:
                    return
                unseen = [f"{self._phase_label} not seen: "
                          f"{', '.join(f.hidden.get(gate_side, {}).get(p.measure, [])) or 'landmarks'} "
                          "out of view (counted from the rest of the body)"]
            if self.shape_cue is None and seen is not False:
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

    def room_deg(self, f: Features) -> float:
        """How far (deg) this frame's phase measure is from the threshold that would change the
        phase now (entering or leaving the top; reaching rest on the way down times the rep's
        end); ``inf`` if continuous or unmeasured. Adaptive sampling runs the model on every other
        frame where this is small (rest on the way up only times the next rep's start)."""
        p = self.p
        if p.kind == "continuous" or p.measure is None or p.enter is None or p.exit is None:
            return math.inf
        sign = self._sign
        top = self.active_side if self.reps else None   # the side at the top, if any
        sides = list(f.values) if p.kind == "sided" else [f.near_side]
        if p.rest is not None and self._on_way_down(f, top is not None, sides):
            return 0.0
        if top is not None:
            v = sign * f.values.get(top, {}).get(p.measure, math.nan)
            leave = self.reps[-1].peak - p.exit if p.kind == "swing" else sign * p.exit
            room = abs(v - leave) if not math.isnan(v) else math.inf
            # a shape measure reaching its bound leaves the top too
            gates, seen = self.gates(f).get(top, {}), f.values.get(top, {})
            for q in self.d.shape:
                g = (seen if q.seen_only else gates).get(q.measure, math.nan)
                for bound in (q.min, q.max):
                    if bound is not None and not math.isnan(g):
                        room = min(room, abs(g - bound))
            return room
        room = math.inf
        for v in (sign * f.values.get(s, {}).get(p.measure, math.nan) for s in sides):
            if math.isnan(v):
                continue
            enter = min(self._trough, v) + p.enter if p.kind == "swing" else sign * p.enter
            room = min(room, abs(v - enter))
        return room

    def _on_way_down(self, f: Features, at_top: bool, sides: list[Side]) -> bool:
        """Leaving the top (rep open, LEAVE_MS) or lowering (closed, until rest): reaching rest
        times the rep's end, whose room cannot tell how fast it comes. Only lowering asks for a
        measured frame (unmeasured, the phase cannot move); this only picks frames to sample."""
        if at_top:
            return self._leaving_ms is not None
        return self.state == self.p.lowering_name and any(
            not math.isnan(f.values.get(s, {}).get(self.p.measure or "", math.nan)) for s in sides)

    def gates(self, f: Features) -> dict[Side, dict[str, float]]:
        """Shape-gate values to trust in this view: in a front view of a side-view exercise the
        image-plane angles are foreshortened beyond use, so only distance gates (gap) remain;
        the others count as not seen (the rep then says so)."""
        if f.view != "front" or self.d.view != "side" or not self._angle_gates:
            return f.gate_values
        return {s: {k: (math.nan if k in self._angle_gates else v) for k, v in vals.items()}
                for s, vals in f.gate_values.items()}

    def settled_now(self, t_ms: float) -> bool:
        """Is this frame at the settled top, as far as can be known now (the peak so far)?"""
        if self.active_side is None or not self.reps or self._leaving_ms is not None:
            return False
        rep = self.reps[-1]
        near_peak = self._top_value >= rep.peak - self.p.top_margin_deg
        return near_peak and (self.still or t_ms - self._peak_rise_ms >= SETTLE_MS)

    def finish(self) -> None:
        """Close a rep still at the top when the clip or stream ends (it still counts)."""
        if self.active_side is not None and self.reps:
            end = self._rest_ms if self._leaving_ms is not None and self._rest_ms is not None else self._leaving_ms
            self._close_rep(end if end is not None else self.reps[-1].last_top_ms)
            self.active_side = None

    def _enter_top(self, side: Side | None, t_ms: float, v: float, near: Side) -> None:
        start = self._rise_ms if self.state == self.p.rising_name else t_ms
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
        self.state = self.p.lowering_name

    def _close_rep(self, t_ms: float) -> None:
        rep = self.reps[-1]
        rep.end_ms = t_ms
        if rep.shape_ms[False] > rep.shape_ms[True]:
            # the shape held on less than half of the top: one frame of a look-alike passing
            # the gate (a dead bug's leg), not the position (a bridge's pelvis off the mat)
            self.reps.pop()
            return
        for cid in faults_at_top(rep.settle(self.p.top_margin_deg), self.d.min_fault_ms):
            if cid not in rep.faults:
                rep.faults.append(cid)
        span = rep.peak - rep.trough   # range moved through (deg), for rep_range checks
        for c in self._rep_range:
            _, lo, hi = c.bounds[0]
            if math.isfinite(span) and c.id not in rep.faults and (span < lo or span > hi):
                rep.faults.append(c.id)
        target_ms = self.d.hold.target_s * 1000.0
        if target_ms > 0 and rep.hold_ms < target_ms:
            rep.faults.append(self.d.hold.check_id)
