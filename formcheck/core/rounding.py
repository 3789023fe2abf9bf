"""``round(x, 1)`` for the per-frame loop: the same float, several times faster.

Python's ``round(x, 1)`` is exact (it rounds the decimal value of ``x``, halves to even) by
writing ``x`` out as a decimal string and reading it back: about 1 us a call, and the engine
rounds ~15 values a frame (each check's value, each key angle). :func:`round1` takes a short
cut where it cannot differ: for ``|x| < 1e4`` the product ``10 * x`` is within 1.2e-12 of its
exact value, so unless it is within 1e-9 of a half (a possible tie, or a product that rounded
across one) its nearest integer ``k`` is the exact one, and ``k / 10`` (one correctly rounded
division) is the double ``round`` returns. Everything else (near-ties, large, NaN, inf) goes
to ``round`` itself. The sign of a zero is ``x``'s, as ``round(-0.04, 1) == -0.0``.
"""

from __future__ import annotations

import math

_FAST_LIMIT = 1e4     # |x| below this: 10 * x is off its exact value by < 1.2e-12
_TIE_MARGIN = 1e-9    # a fraction this close to .5 may be a tie: left to round()


def round1(x: float) -> float:
    """``round(x, 1)`` (bit for bit, the sign of a zero included) for any float ``x``."""
    if -_FAST_LIMIT < x < _FAST_LIMIT:   # (False for NaN)
        y = x * 10.0
        f = math.floor(y)
        frac = y - f   # in [0, 1): exact, or off by < 1e-16 when -1 < y < 0
        if abs(frac - 0.5) > _TIE_MARGIN:
            return math.copysign((f + 1 if frac > 0.5 else f) / 10.0, x)
    return round(x, 1)
