"""formcheck/engine/reps.py: the per-side count that the live panel, a set's end and a clip's
result all use."""

from __future__ import annotations

import pytest

from formcheck.engine.reps import Rep, reps_per_side


def _reps(*sides: str | None) -> list[Rep]:
    return [Rep(i, s, i * 1000.0, i * 1000.0 + 300, i * 1000.0 + 600) for i, s in enumerate(sides, 1)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("sides", "expected"), [
    ((), {}),
    ((None, None), {}),                                          # a two-sided exercise: no sides
    (("left", "right", "left"), {"left": 2, "right": 1}),
    (("right", None, "right"), {"right": 2}),                     # a rep whose side was not seen
])
def test_reps_per_side(sides, expected):
    assert reps_per_side(_reps(*sides)) == expected
