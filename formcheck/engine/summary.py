"""The typed summary of a set or clip, computed once by the engine: what the report, the pages,
the CLI, batch and evaluate all read (the report only serializes it)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from formcheck.core.measure_kinds import KINDS
from formcheck.engine.asymmetry import Asymmetry, SideRep, compare
from formcheck.engine.reps import Rep
from formcheck.rules.definition import Definition


@dataclass(frozen=True)
class Summary:
    """view: the camera view seen most (side, oblique, front, unknown); faults: check id ->
    reps with it (or sustained episodes, for a continuous exercise); good_form_fraction: share
    of judged frames with no failing check; the messages are None when there is nothing to say;
    person_missing: (start_ms, end_ms) stretches with no whole person in view; asymmetry: left
    against right for a one-sided (sided) exercise with reps, else None.

    How close the view and position decisions came, as shares of the time in view (what
    adaptive sampling asks of a result, :func:`formcheck.engine.sampling.marginal`; not in the report,
    so None on a summary read back from JSON): view_lead, the view seen longest's lead over
    the next (1.0 with one view, or none); out_of_position_share (0.0 with nothing in view)."""

    view: str
    faults: dict[str, int]
    good_form_fraction: float
    camera_message: str | None = None
    position_message: str | None = None
    people_message: str | None = None
    person_missing: list[tuple[float, float]] = field(default_factory=list)
    asymmetry: Asymmetry | None = None
    view_lead: float | None = None
    out_of_position_share: float | None = None

    @property
    def missing_message(self) -> str | None:
        """One line naming where no whole person was in view, or None."""
        if not self.person_missing:
            return None
        spans = ", ".join(f"{a / 1000:.1f}-{b / 1000:.1f} s" for a, b in self.person_missing[:6])
        more = f" and {len(self.person_missing) - 6} more" if len(self.person_missing) > 6 else ""
        return f"No whole person in view at {spans}{more}: nothing was judged there."

    def messages(self) -> list[str]:
        """Every message a person should read, in order of importance."""
        sides = self.asymmetry.message() if self.asymmetry else None
        return [m for m in (self.camera_message, self.position_message, self.people_message,
                            self.missing_message, sides) if m]


def summarize(d: Definition, reps: list[Rep], episodes: dict[str, int], views_ms: dict[str, float],
              good_form_fraction: float, out_of_position_ms: float, people_message: str | None,
              missing: list[tuple[float, float]]) -> Summary:
    # a rep exercise counts reps with each fault; a continuous one, sustained episodes
    faults = dict(episodes) if d.phases.kind == "continuous" else dict(Counter(c for x in reps for c in x.faults))
    # the view seen longest; out of position for more than half the time in view
    view = max(views_ms.items(), key=lambda kv: kv[1])[0] if views_ms else "unknown"
    posed_ms = sum(views_ms.values())
    position = next((q.cue for q in d.position), None) \
        if posed_ms and out_of_position_ms * 2 > posed_ms else None
    camera = d.view_cue if d.view not in ("any", view) else None
    shares = sorted((v / posed_ms for v in views_ms.values()), reverse=True) if posed_ms > 0 else []
    return Summary(view, faults, round(good_form_fraction, 4), camera, position, people_message, list(missing),
                   sides_of(d, reps), shares[0] - shares[1] if len(shares) > 1 else 1.0,
                   out_of_position_ms / posed_ms if posed_ms > 0 else 0.0)


def sides_of(d: Definition, reps: list[Rep]) -> Asymmetry | None:
    """Left against right for a sided exercise: per side reps, longest hold, the first key
    angle at the top, the range the phase measure moved (see formcheck.engine.asymmetry)."""
    if d.phases.kind != "sided":
        return None
    key = d.key_angles[0] if d.key_angles else None

    def unit(m: str | None) -> str:
        return KINDS[d.measures[m].kind].unit if m else "deg"

    return compare([SideRep(r.side, r.hold_ms, r.key_angles.get(key) if key else None,
                            # a still (or a rep after a cut) moved through no known range
                            round(r.peak - r.trough, 1) if math.isfinite(r.peak - r.trough)
                            and r.peak > r.trough else None)
                    for r in reps if r.side], d.flag_share(),
                   (d.measures[key].label or key) if key else "", unit(d.phases.measure), unit(key))
