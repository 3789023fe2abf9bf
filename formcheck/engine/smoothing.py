"""Landmark smoothing for live use, and left/right swap repair.

MediaPipe's Tasks API has no landmark smoothing. The One Euro filter (Casiez, Roussel &
Vogel, CHI 2012) adapts its cut-off to speed: smooth when still, little lag when moving; it
works on real timestamps, so dropped frames and variable frame rate are handled.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ..landmarks import Landmark

F = npt.NDArray[np.float64]

# Paired (left, right) landmark indices, used to detect a one-frame left/right label swap.
PAIRS = np.array([
    (Landmark[n].value, Landmark[n.replace("LEFT", "RIGHT")].value)
    for n in Landmark.__members__
    if n.startswith("LEFT_")
])
_BODY_PAIRS = PAIRS[[i for i, (a, _) in enumerate(PAIRS) if a >= Landmark.LEFT_SHOULDER]]
RESET_GAP_MS = 1000.0  # after a longer gap the filter restarts instead of gliding
MIN_JUMP = 0.15  # mean landmark jump, as a fraction of torso length, before a swap is judged


def _alpha(cutoff_hz: F | float, dt_s: float) -> F | float:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Vectorised One Euro filter over arrays of any fixed shape (e.g. (33, 2) pixels)."""

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.05,
                 d_cutoff_hz: float = 1.0, scale: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        # beta multiplies a speed in units/s; ``scale`` (e.g. body size in px) makes it
        # independent of the image resolution.
        self.beta = beta / max(scale, 1e-6)
        self.d_cutoff_hz = d_cutoff_hz
        self._x: F | None = None
        self._dx: F | None = None
        self._t_ms = 0.0

    def __call__(self, x: npt.ArrayLike, t_ms: float) -> F:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._x.shape != x.shape or t_ms - self._t_ms > RESET_GAP_MS \
                or t_ms <= self._t_ms:
            self._x, self._dx, self._t_ms = x.copy(), np.zeros_like(x), t_ms
            return x
        dt_s = (t_ms - self._t_ms) / 1000.0
        assert self._dx is not None
        dx = (x - self._x) / dt_s
        a_d = _alpha(self.d_cutoff_hz, dt_s)
        dx_hat = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = _alpha(cutoff, dt_s)
        # NaN input (a landmark that vanished) keeps the previous estimate for that value.
        x_hat = np.where(np.isnan(x), self._x, a * x + (1 - a) * self._x)
        self._x, self._dx, self._t_ms = x_hat, np.where(np.isnan(dx_hat), 0.0, dx_hat), t_ms
        return x_hat


# every body pair's (left..., right...) indices, and the same exchanged: one gather per frame
_SAME = np.concatenate([_BODY_PAIRS[:, 0], _BODY_PAIRS[:, 1]])
_CROSSED = np.concatenate([_BODY_PAIRS[:, 1], _BODY_PAIRS[:, 0]])


def nansum(a: F) -> float:
    """``np.nansum`` of a float array, the same number without its Python-level wrapping (it
    runs on every frame)."""
    return float(np.where(np.isnan(a), 0.0, a).sum())


def is_swapped(xy: F, previous: F | None) -> bool:
    """True when this frame's left/right body labels look exchanged against the last one.

    xy, previous: (33, 2) pixels. A swap is assumed when exchanging every left/right pair
    brings the body landmarks at least 2x closer to where they were in the previous frame.
    """
    if previous is None:
        return False
    torso = float(np.hypot(*(previous[Landmark.LEFT_SHOULDER] - previous[Landmark.LEFT_HIP])))
    if not np.isfinite(torso) or torso <= 0:
        return False
    cur = xy[_SAME]
    d = cur - previous[_SAME]
    same = nansum(np.sqrt((d * d).sum(-1)))
    # Most frames barely move: skip the crossed distances (half the cost) when they cannot matter.
    if same / len(_SAME) <= MIN_JUMP * torso:
        return False
    d = cur - previous[_CROSSED]
    crossed = nansum(np.sqrt((d * d).sum(-1)))
    return crossed * 2.0 < same


def swap_sides(arr: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Copy of a (33, ...) landmark array with every left/right pair exchanged."""
    out = arr.copy()
    out[PAIRS[:, 0]], out[PAIRS[:, 1]] = arr[PAIRS[:, 1]], arr[PAIRS[:, 0]]
    return out
