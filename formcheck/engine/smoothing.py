"""Landmark smoothing for live use, and left/right swap repair.

MediaPipe's Tasks API has no landmark smoothing. The One Euro filter (Casiez, Roussel &
Vogel, CHI 2012) adapts its cut-off to speed: smooth when still, little lag when moving; it
works on real timestamps, so dropped frames and variable frame rate are handled.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from formcheck.core.landmarks import Landmark

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


# Above this step the filter's arithmetic stays finite for any finite input (a speed is at most
# ~1e45 px/s): the frame can skip the NaN repairs, which then change nothing.
_FINITE_DT_S = 1e-6
# 0-d float64 constants of the fast step (a Python float operand costs a conversion per call)
_ONE, _TWO_PI = np.array(1.0), np.array(2.0 * math.pi)


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
        self._finite = False   # the state has no NaN (the fast path may run)
        self._buf: tuple[F, F] | None = None   # scratch arrays of the state's shape
        self._consts = (np.array(float(self.beta)), np.array(float(min_cutoff_hz)))   # (0-d)

    @property
    def finite(self) -> bool:
        """The filtered positions (the state) have no NaN."""
        return self._finite

    def __call__(self, x: npt.ArrayLike, t_ms: float, finite: bool = False) -> F:
        """Filter one sample; ``finite=True`` promises that ``x`` has no NaN or inf (the caller
        checked): the same numbers, without the NaN repairs."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._x.shape != x.shape or t_ms - self._t_ms > RESET_GAP_MS \
                or t_ms <= self._t_ms:
            self._x, self._dx, self._t_ms = x.copy(), np.zeros_like(x), t_ms
            self._finite = finite or bool(np.isfinite(x).all())
            return x
        dt_s = (t_ms - self._t_ms) / 1000.0
        assert self._dx is not None
        if finite and self._finite and dt_s > _FINITE_DT_S:
            return self._finite_step(x, t_ms, dt_s)
        dx = (x - self._x) / dt_s
        a_d = _alpha(self.d_cutoff_hz, dt_s)
        dx_hat = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = _alpha(cutoff, dt_s)
        # NaN input (a landmark that vanished) keeps the previous estimate for that value.
        x_hat = np.where(np.isnan(x), self._x, a * x + (1 - a) * self._x)
        self._x, self._dx, self._t_ms = x_hat, np.where(np.isnan(dx_hat), 0.0, dx_hat), t_ms
        self._finite = not bool(np.isnan(x_hat).any())
        return x_hat

    def _finite_step(self, x: F, t_ms: float, dt_s: float) -> F:
        """The step above for NaN-free input and state: the same operations in the same order
        (so the same rounding), written into scratch arrays; both ``np.where`` calls would
        keep every value, so they are left out."""
        assert self._x is not None and self._dx is not None
        if self._buf is None or self._buf[0].shape != x.shape:
            self._buf = (np.empty_like(self._x), np.empty_like(self._x))
        t1, t2 = self._buf
        # prev_x was handed out (the last frame's positions): read, never written
        prev_x, prev_dx = self._x, self._dx
        tau_d = 1.0 / (2.0 * math.pi * self.d_cutoff_hz)   # scalar _alpha: the same float ops
        a_d = 1.0 / (1.0 + tau_d / dt_s)
        # outputs passed by position and the constants as 0-d arrays: the same float64
        # operations, with less argument parsing per call (17 calls a frame)
        beta, min_cutoff = self._consts
        np.subtract(x, prev_x, t1)
        np.divide(t1, dt_s, t1)                         # dx
        np.multiply(1 - a_d, prev_dx, t2)
        np.multiply(a_d, t1, t1)
        dx_hat = np.add(t1, t2, prev_dx)                # a_d * dx + (1 - a_d) * prev_dx
        cut = np.abs(dx_hat, t1)
        np.multiply(beta, cut, cut)
        np.add(min_cutoff, cut, cut)                    # min_cutoff + beta * |dx_hat|
        np.multiply(_TWO_PI, cut, cut)                  # _alpha(cut): 1 / (1 + tau / dt)
        np.divide(_ONE, cut, cut)
        np.divide(cut, dt_s, cut)
        np.add(_ONE, cut, cut)
        a = np.divide(_ONE, cut, cut)
        np.subtract(_ONE, a, t2)
        np.multiply(t2, prev_x, t2)
        np.multiply(a, x, t1)
        x_hat = np.add(t1, t2)                          # a * x + (1 - a) * prev_x (a new array)
        self._x, self._dx, self._t_ms = x_hat, dx_hat, t_ms
        return x_hat


# every body pair's (left..., right...) indices, and the same exchanged: one gather per frame
_SAME = np.concatenate([_BODY_PAIRS[:, 0], _BODY_PAIRS[:, 1]])
_CROSSED = np.concatenate([_BODY_PAIRS[:, 1], _BODY_PAIRS[:, 0]])
_LS, _LH = Landmark.LEFT_SHOULDER.value, Landmark.LEFT_HIP.value


def nansum(a: F) -> float:
    """``np.nansum`` of a float array, the same number without its Python-level wrapping (it
    runs on every frame)."""
    return float(np.where(np.isnan(a), 0.0, a).sum())


def is_swapped(xy: F, previous: F | None, finite: bool = False) -> bool:
    """True when this frame's left/right body labels look exchanged against the last one.

    xy, previous: (33, 2) pixels. A swap is assumed when exchanging every left/right pair
    brings the body landmarks at least 2x closer to where they were in the previous frame.
    ``finite=True``: the caller knows both have no NaN or inf (the sums then need no NaN
    repair; the numbers are the same).
    """
    if previous is None:
        return False
    if finite:
        # the torso from plain floats (the same subtraction), the distances from one gather
        # of the (33, 2) difference: per element the same numbers as gathering both first
        (sx, sy), (hx, hy) = previous[_LS].tolist(), previous[_LH].tolist()
        # math.hypot (not np.hypot's libm call, 15x its cost on two floats) may differ in the
        # last bit: it decides alone only where that cannot change the comparison below
        torso = math.hypot(sx - hx, sy - hy)
        if not math.isfinite(torso) or torso <= 0:
            return False
        d = np.subtract(xy, previous).take(_SAME, 0)   # (take: the same rows as [_SAME])
        np.multiply(d, d, d)
        # (d * d).sum(-1) for 2 columns; np.add.reduce is ndarray.sum without its Python wrapper
        same = float(np.add.reduce(np.sqrt(d[:, 0] + d[:, 1])))
        mean, limit = same / len(_SAME), MIN_JUMP * torso
        if abs(mean - limit) <= 1e-9 * limit:   # too close to call on math.hypot's torso
            limit = MIN_JUMP * float(np.hypot(sx - hx, sy - hy))
        if mean <= limit:
            return False
        return _crossed(xy, previous) * 2.0 < same
    torso = float(np.hypot(*(previous[Landmark.LEFT_SHOULDER] - previous[Landmark.LEFT_HIP])))
    if not np.isfinite(torso) or torso <= 0:
        return False
    cur = xy[_SAME]
    d = cur - previous[_SAME]
    same = nansum(np.sqrt((d * d).sum(-1)))
    # Most frames barely move: skip the crossed distances (half the cost) when they cannot matter.
    if same / len(_SAME) <= MIN_JUMP * torso:
        return False
    return _crossed(xy, previous) * 2.0 < same


def _crossed(xy: F, previous: F) -> float:
    """Summed distance (px) of each body landmark to its left/right twin's previous place."""
    d = xy[_SAME] - previous[_CROSSED]
    return nansum(np.sqrt((d * d).sum(-1)))


def swap_sides(arr: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Copy of a (33, ...) landmark array with every left/right pair exchanged."""
    out = arr.copy()
    out[PAIRS[:, 0]], out[PAIRS[:, 1]] = arr[PAIRS[:, 1]], arr[PAIRS[:, 0]]
    return out
