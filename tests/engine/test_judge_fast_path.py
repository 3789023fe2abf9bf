"""A check with its own bound alone is judged on a short path (formcheck/engine/checks.py
``CompiledCheck.simple``): the same status, value and message as the general loop, for every
such check of every exercise, on measured, unmeasured and boundary values."""

from __future__ import annotations

import dataclasses
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.engine.checks import compile_checks, judge
from formcheck.rules.definition import available_exercises, get_definition

SIMPLE = [c for ex in available_exercises() for c in compile_checks(get_definition(ex)) if c.simple]
value = st.one_of(st.floats(-400, 400), st.just(math.nan), st.sampled_from([-45.0, 15.0, 150.0, -12.0]))


def test_most_checks_take_the_short_path() -> None:
    assert len(SIMPLE) >= 20


@settings(max_examples=400, deadline=None)
@given(i=st.integers(0, len(SIMPLE) - 1), v=value, hidden=st.booleans())
def test_short_path_gives_the_loops_result(i: int, v: float, hidden: bool) -> None:
    c = SIMPLE[i]
    lo, hi = c.bounds[0][1:]
    v = v if not math.isfinite(v) else min(max(v, lo - 5, -400.0), hi + 5, 400.0)
    values = {c.measure: v}
    gone = {c.measure: ["left knee"]} if hidden else {}
    assert judge(c, values, gone) == judge(dataclasses.replace(c, simple=False), values, gone)
