"""The per-frame measure closures (formcheck/engine/measure_fns.py) give exactly the registry's
value (formcheck/core/measure_kinds.py ``Kind.in_2d``) on the same landmarks, for every kind and
either side, and nothing where one of the measure's landmarks is not visible."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.core.landmarks import NUM_LANDMARKS, SIDES
from formcheck.core.measure_kinds import KINDS
from formcheck.engine.measure_fns import compile_measure
from formcheck.rules.definition import POINTS_PER_KIND, Measure

# the measure's points by name: enough distinct landmarks for a 4-point kind, both sides
NAMES = ["hip", "knee", "ankle", "opposite_wrist"]
# coordinates in px, with repeats (coincident points: NaN) and a few exact values
coord = st.one_of(st.floats(-2000, 2000, allow_nan=False), st.sampled_from([0.0, 100.0, -100.0]))


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)),
       xy=st.lists(st.tuples(coord, coord), min_size=NUM_LANDMARKS, max_size=NUM_LANDMARKS),
       facing=st.sampled_from([1.0, -1.0]), hidden=st.integers(-1, NUM_LANDMARKS - 1))
def test_compiled_measure_is_the_kinds_value(kind: str, xy: list[tuple[float, float]], facing: float,
                                             hidden: int) -> None:
    m = compile_measure("x", Measure(kind=kind, points=NAMES[:POINTS_PER_KIND[kind]]))
    pts = [list(p) for p in xy]
    vis = [i != hidden for i in range(NUM_LANDMARKS)]
    for side in SIDES:
        idx = m.idx[side]
        got = m.fn[side](pts, vis, facing)
        if hidden in idx:
            assert got is None
        else:
            assert got is not None
            assert _same(got, KINDS[kind].in_2d([pts[i] for i in idx], facing))
