"""round1 is round(x, 1) bit for bit (the sign of a zero included), on any float and on the
values next to every tie, where its short cut must hand over to round()."""

from __future__ import annotations

import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from formcheck.core.rounding import round1


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(a: float, b: float) -> bool:
    return bits(a) == bits(b) or (math.isnan(a) and math.isnan(b))


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_any_float(x: float) -> None:
    assert same(round1(x), round(x, 1))


@settings(max_examples=3000, deadline=None)
@given(st.floats(-1e4, 1e4))
def test_angles_and_percentages(x: float) -> None:
    assert same(round1(x), round(x, 1))


@settings(max_examples=2000, deadline=None)
@given(st.integers(-100_000, 100_000), st.integers(-3, 3))
def test_next_to_ties_and_tenths(k: int, steps: int) -> None:
    for x in ((k + 0.5) / 10, k / 10, (k + 0.5) / 10 + 1e-10, (k + 0.5) / 10 - 1e-10):
        for _ in range(abs(steps)):
            x = math.nextafter(x, math.inf if steps > 0 else -math.inf)
        assert same(round1(x), round(x, 1)), x


def test_signed_zeros_and_edges() -> None:
    for x in (0.0, -0.0, 0.04, -0.04, 0.05, -0.05, 0.15, -0.25, 9999.95, -9999.95, 1e4, -1e4,
              5e-324, -5e-324, 1e300, math.inf, -math.inf):
        assert same(round1(x), round(x, 1)), x
    assert math.isnan(round1(math.nan))
