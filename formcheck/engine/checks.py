"""One check judged on one frame's measures: its own bound plus any ``also`` criteria; and
the position and shape requirements of a definition, compiled once for the per-frame loop."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from formcheck.core.rounding import round1
from formcheck.engine.cues import SEVERITY_RANK
from formcheck.engine.reps import Status
from formcheck.rules.definition import Check, Definition, Position

OBLIQUE_MESSAGE = "Can't judge form from this angle: turn the camera so it sees you from the side."
_INF = math.inf


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

    def fails(self, value: float) -> bool:
        """True when ``value`` is measured and outside the range (NaN never fails), as
        :meth:`formcheck.rules.parts.Criterion.fails`."""
        return (self.min is not None and value < self.min) or (self.max is not None and value > self.max)


def ranges_of(check: Check) -> tuple[Range, ...]:
    """The check's own bound, then its ``also`` criteria."""
    return (Range(check.measure, check.min, check.max),
            *(Range(a.measure, a.min, a.max) for a in check.also))


def _open(lo: float | None, hi: float | None) -> tuple[float, float]:
    """A bound with None as -inf / +inf: ``v < lo or v > hi`` is then exactly
    ``Range.fails`` for any non-NaN ``v`` (nothing is below -inf or above +inf)."""
    return (-_INF if lo is None else lo, _INF if hi is None else hi)


@dataclass(frozen=True, slots=True)
class CompiledCheck:
    """A check as the per-frame loop reads it: plain attributes, bounds as floats."""

    check: Check
    id: str
    measure: str
    # (measure, lo, hi) of the own bound, then of each ``also`` criterion; None -> -inf/+inf
    bounds: tuple[tuple[str, float, float], ...]
    # (measure, lo, hi) of the own bound's ``where`` conditions (Check.where): the own bound is
    # judged, and its value reported, only where each is measured and in range
    where: tuple[tuple[str, float, float], ...]
    measures: tuple[str, ...]   # the measures whose hidden landmarks a skip names, in order
    cue: str
    severity: int               # SEVERITY_RANK: lower is more severe
    phase: str
    per_frame: bool             # of == "frame" (a rep_range check is judged once per rep)
    rep_check: bool             # judged at a rep's settled top (a phase of a rep exercise)
    # the own bound alone (no ``also``, no ``where``: most checks): judged without the loops
    simple: bool = False


def compile_check(c: Check, reps: bool) -> CompiledCheck:
    """One check for the per-frame loop; ``reps``: its exercise counts reps (not continuous)."""
    return CompiledCheck(c, c.id, c.measure,
                         tuple((r.measure, *_open(r.min, r.max)) for r in ranges_of(c)),
                         tuple((w.measure, *_open(w.min, w.max)) for w in c.where),
                         (c.measure, *(a.measure for a in c.also), *(w.measure for w in c.where)),
                         c.cue, SEVERITY_RANK[c.severity], c.phase, c.of == "frame", c.phase != "any" and reps,
                         not c.also and not c.where)


def compile_checks(d: Definition) -> list[CompiledCheck]:
    """Every check of ``d``, in the definition's order."""
    reps = d.phases.kind != "continuous"
    return [compile_check(c, reps) for c in d.checks]


def status_of(check: Check, values: dict[str, float]) -> Status:
    """fail when any judged bound fails, ok when one was judged, else skipped (:func:`judge`
    on one uncompiled check: for tools and tests, not the per-frame loop)."""
    return judge(compile_check(check, reps=False), values, {}).status


def judge(c: CompiledCheck, values: dict[str, float], hidden: dict[str, list[str]]) -> CheckResult:
    """The check's result on one frame: fail when any judged bound fails, ok when one was
    judged, else skipped (naming which landmarks were missing). The own bound is judged only
    where its ``where`` conditions hold; NaN is never judged."""
    if c.simple:   # the loop below on one bound, and the value it reports: the same result
        v = values.get(c.measure, math.nan)
        if v == v:   # (not NaN)
            _, lo, hi = c.bounds[0]
            if v < lo or v > hi:
                return CheckResult(c.id, "fail", round1(v), c.cue)
            return CheckResult(c.id, "ok", round1(v), None)
    get = values.get
    st: Status = "skipped"
    own = not c.where or _met(c.where, get)
    for measure, lo, hi in c.bounds if own else c.bounds[1:]:
        v = get(measure, math.nan)
        if v != v:   # NaN: not measured
            continue
        if v < lo or v > hi:
            st = "fail"
            break
        st = "ok"
    v = get(c.measure, math.nan) if own else math.nan
    if st == "skipped":
        who = ", ".join(dict.fromkeys(n for m in c.measures for n in hidden.get(m, []))) or "landmarks"
        return CheckResult(c.id, st, None if v != v else round1(v), f"Cannot judge: {who} not visible.")
    return CheckResult(c.id, st, None if v != v else round1(v), c.cue if st == "fail" else None)


def _met(where: tuple[tuple[str, float, float], ...], get: Callable[[str, float], float]) -> bool:
    """Is every ``where`` condition measured and in range?"""
    for measure, lo, hi in where:
        v = get(measure, math.nan)
        if v != v or v < lo or v > hi:
            return False
    return True


def skipped_all(checks: list[CompiledCheck], message: str) -> list[CheckResult]:
    return [CheckResult(c.id, "skipped", None, message) for c in checks]


@dataclass(frozen=True, slots=True)
class Requirement:
    """A position or shape requirement (:class:`formcheck.rules.parts.Position`) as plain values."""

    measure: str
    lo: float
    hi: float
    outside: bool
    must_see: bool
    when_unseen: str | None
    seen_only: bool
    cue: str

    def fails(self, v: float) -> bool:
        """:meth:`formcheck.rules.parts.Position.fails`: measured and not where it must be."""
        if self.outside:
            return self.lo <= v <= self.hi
        return v < self.lo or v > self.hi


def compile_requirements(items: list[Position]) -> tuple[Requirement, ...]:
    return tuple(Requirement(q.measure, *_open(q.min, q.max), q.outside, q.must_see, q.when_unseen,
                             q.seen_only, q.cue) for q in items)


def shape_cue(shape: tuple[Requirement, ...], gate_values: dict[str, float],
              seen_values: dict[str, float] | None = None, strict: bool = True) -> str | None:
    """The cue of the first visible shape requirement not met, else None. ``seen_values``:
    the measures from landmarks seen in the picture (for ``seen_only`` gates). ``strict=False``
    asks only whether a measured value breaks the shape (``must_see`` is not applied)."""
    for q in shape:
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
