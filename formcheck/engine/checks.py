"""One check judged on one frame's measures: its own bound plus any ``also`` criteria."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..definition import Check, Definition
from .reps import Status

OBLIQUE_MESSAGE = "Can't judge form from this angle: turn the camera so it sees you from the side."


@dataclass(slots=True)
class CheckResult:
    id: str
    status: Status
    value: float | None
    message: str | None


@dataclass(frozen=True, slots=True)
class Range:
    """One bound of a check on one measure (deg, or % for a gap), compiled once from the
    validated definition: judging builds no pydantic model per frame."""

    measure: str
    min: float | None
    max: float | None
    where: tuple[Range, ...] = ()   # judged only where these are measured and in range

    def judged(self, values: dict[str, float]) -> bool:
        """Are the ``where`` conditions met (all measured and in range) on these values?"""
        for w in self.where:
            v = values.get(w.measure, math.nan)
            if math.isnan(v) or w.fails(v):
                return False
        return True

    def fails(self, value: float) -> bool:
        """True when ``value`` is measured and outside the range (NaN never fails), as
        :meth:`formcheck.rules.Criterion.fails`."""
        return (self.min is not None and value < self.min) or (self.max is not None and value > self.max)


def ranges_of(check: Check) -> tuple[Range, ...]:
    """The check's own bound, then its ``also`` criteria."""
    where = tuple(Range(w.measure, w.min, w.max) for w in check.where)
    return (Range(check.measure, check.min, check.max, where),
            *(Range(a.measure, a.min, a.max) for a in check.also))


def status_of(check: Check, values: dict[str, float], ranges: tuple[Range, ...] | None = None) -> Status:
    """fail when any measured bound fails, ok when one was measured, else skipped.
    ``ranges``: :func:`ranges_of` ``check``, compiled once by the caller (else here)."""
    measured = False
    for bound in ranges if ranges is not None else ranges_of(check):
        v = values.get(bound.measure, math.nan)
        if math.isnan(v) or (bound.where and not bound.judged(values)):
            continue
        measured = True
        if bound.fails(v):
            return "fail"
    return "ok" if measured else "skipped"


def judge(check: Check, values: dict[str, float], hidden: dict[str, list[str]],
          ranges: tuple[Range, ...] | None = None) -> CheckResult:
    """The check's result on one frame; a skipped check says which landmarks were missing."""
    ranges = ranges if ranges is not None else ranges_of(check)
    st = status_of(check, values, ranges)
    # the own measure's value is reported only where it is judged (see Check.where)
    v = values.get(check.measure, math.nan) if ranges[0].judged(values) else math.nan
    if st == "skipped":
        who = ", ".join(dict.fromkeys(n for m in [check.measure, *(a.measure for a in check.also),
                                                  *(w.measure for w in check.where)]
                                      for n in hidden.get(m, []))) or "landmarks"
        msg: str | None = f"Cannot judge: {who} not visible."
    else:
        msg = check.cue if st == "fail" else None
    return CheckResult(check.id, st, None if math.isnan(v) else round(v, 1), msg)


def skipped_all(checks: list[Check], message: str) -> list[CheckResult]:
    return [CheckResult(c.id, "skipped", None, message) for c in checks]


def shape_cue(d: Definition, gate_values: dict[str, float],
              seen_values: dict[str, float] | None = None, strict: bool = True) -> str | None:
    """The cue of the first visible shape requirement not met, else None. ``seen_values``:
    the measures from landmarks seen in the picture (for ``seen_only`` gates). ``strict=False``
    asks only whether a measured value breaks the shape (``must_see`` is not applied)."""
    for q in d.shape:
        if q.when_unseen is not None and not math.isnan(gate_values.get(q.when_unseen, math.nan)):
            continue
        v = (seen_values or {}).get(q.measure, math.nan) if q.seen_only else gate_values.get(q.measure, math.nan)
        if q.fails(v) or (strict and q.must_see and math.isnan(v)):
            return q.cue
    return None


def shape_unseen(d: Definition, gate_values: dict[str, float], hidden: dict[str, list[str]]) -> list[str]:
    """Shape requirements that could not be seen when a rep started (it is counted on the rest
    of the evidence, and says so)."""
    label = {n: m.label or n for n, m in d.measures.items()}
    return [f"{label[q.measure]} not confirmed: {', '.join(hidden.get(q.measure, [])) or 'landmarks'} "
            "not visible" for q in d.shape if math.isnan(gate_values.get(q.measure, math.nan))
            and q.when_unseen is None and not q.seen_only]
