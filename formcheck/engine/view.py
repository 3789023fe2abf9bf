"""Camera view from MediaPipe's world landmarks, body jumps between frames, and the small
time-based smoother both use. Pure functions of landmarks and timestamps."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import numpy.typing as npt

from formcheck.core.landmarks import Landmark

View = Literal["side", "oblique", "front", "unknown"]

# Camera view from the world-landmark yaw of the shoulder and hip lines (0 deg = the line is
# parallel to the image plane = front view; 90 = pointing at the camera = side view).
# Side: the camera within 25 deg of a true profile. 2D joint angles are usable only near a
# true lateral view (CLINICAL.md: MAE 2-7 deg at 90 deg, bias up to -14 deg and limits of
# agreement +-30 deg off-plane), and a limb bent in the sagittal plane looks more bent by
# 1/cos(offset) as the camera turns: 10% more at 25 deg, 41% at 45 deg. Measured here: the
# true side clips read 80-90 (median; 5th percentile 67 or more), a camera ~45 deg off the
# side 49-59, one 20-30 deg off about 70. Between side and front is "oblique": reps are
# counted, form is not judged ("can't judge from this angle").
SIDE_YAW_DEG = 65.0
FRONT_YAW_DEG = 30.0
VIEW_HYSTERESIS_DEG = 5.0  # a view is kept until the yaw is this far past its band
EMA_TAU_MS = 400.0         # time constant of the view / side / facing stabilisers
# The body moving faster than this (mean landmark speed in trunk lengths per second; ~4 m/s)
# is no part of a bridge, a bird-dog or sitting: it is a cut in the video, a knocked camera
# or the tracker jumping. Such frames are not judged and start nothing. Measured on the
# labelled clips: the fastest real movement reads 4.7 (turning round on an office chair),
# a dead bug's leg kick 4.0; scene cuts in the tutorials 11-27.
MAX_TRUNK_SPEED_PER_S = 8.0
_TRUNK = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
_SHOULDERS = slice(Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER + 1)   # rows (left, right)
_HIPS = slice(Landmark.LEFT_HIP, Landmark.RIGHT_HIP + 1)
# the rows from the left shoulder to the right hip (a slice, not a gather), and where the
# (left, right) shoulders and hips are in it
_LINE_ROWS = slice(Landmark.LEFT_SHOULDER, Landmark.RIGHT_HIP + 1)
_LINES = tuple((a - Landmark.LEFT_SHOULDER, b - Landmark.LEFT_SHOULDER) for a, b in (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)))


def view_of_yaw(yaw_deg: float, previous: View = "unknown") -> View:
    """Camera view for a smoothed yaw (deg), keeping ``previous`` within the hysteresis."""
    h = VIEW_HYSTERESIS_DEG
    if previous == "side" and yaw_deg >= SIDE_YAW_DEG - h:
        return "side"
    if previous == "front" and yaw_deg <= FRONT_YAW_DEG + h:
        return "front"
    if yaw_deg >= SIDE_YAW_DEG:
        return "side"
    if yaw_deg <= FRONT_YAW_DEG:
        return "front"
    return "oblique"


class Ema:
    """Exponential moving average over real time (so it is frame-rate independent)."""

    def __init__(self, tau_ms: float) -> None:
        self.tau_ms, self.value, self.t_ms = tau_ms, math.nan, 0.0

    def __call__(self, x: float, t_ms: float) -> float:
        if math.isnan(x):
            return self.value
        if math.isnan(self.value) or t_ms - self.t_ms > 5 * self.tau_ms:
            self.value = x
        else:
            a = 1.0 - math.exp(-max(t_ms - self.t_ms, 0.0) / self.tau_ms)
            self.value += a * (x - self.value)
        self.t_ms = t_ms
        return self.value


def yaw_of(world: npt.NDArray[np.floating]) -> float:
    """Mean yaw (deg) of the shoulder and hip lines in (33, 3) world landmarks: 0 = in the image
    plane (front view), 90 = pointing at the camera (side view); NaN when unknown."""
    w = world[_LINE_ROWS].tolist()   # (14, 3): the rows it reads, as plain floats
    yaws = []
    for left, right in _LINES:
        dx, dz = w[left][0] - w[right][0], w[left][2] - w[right][2]
        if math.isfinite(dx) and math.isfinite(dz) and (dx or dz):
            yaws.append(math.degrees(math.atan2(abs(dz), abs(dx))))
    return sum(yaws) / len(yaws) if yaws else math.nan


class ViewTracker:
    """The camera view over time: the yaw smoothed over EMA_TAU_MS, the view kept sticky."""

    def __init__(self) -> None:
        self.view: View = "unknown"
        self._yaw = Ema(EMA_TAU_MS)

    def __call__(self, world: npt.NDArray[np.floating], t_ms: float) -> tuple[View, float]:
        yaw = self._yaw(yaw_of(world), t_ms)
        if not math.isnan(yaw):
            self.view = view_of_yaw(yaw, self.view)
        return self.view, yaw


def _nanmean(a: npt.NDArray[np.float64]) -> float:
    """``np.nanmean`` (the same sum over the same values) without its Python-level wrapping;
    ``a`` has at least one non-NaN value."""
    nan = np.isnan(a)
    return float(np.where(nan, 0.0, a).sum() / (a.size - np.count_nonzero(nan)))


class JumpDetector:
    """Flags frames where the body moved faster than MAX_TRUNK_SPEED_PER_S trunk lengths since
    the last one (mean over all landmarks). Positions are divided by the frame's longer side so
    that a live stream changing its resolution is not a jump."""

    def __init__(self) -> None:
        self._prev: npt.NDArray[np.float64] | None = None
        self._prev_t = 0.0
        self._prev_finite = False
        # Scratch, with its views made once (a slice costs about what a small ufunc does):
        # the 33 steps then the 2 trunk vectors, their lengths, and two (33, 2) buffers for
        # the scaled positions, used in turn (the last frame's stays intact).
        d, h = np.empty((35, 2)), np.empty(35)
        self._d, self._d_steps, self._d_trunk, self._dx, self._dy = d, d[:33], d[33:], d[:, 0], d[:, 1]
        self._h, self._h_steps, self._h_trunk = h, h[:33], h[33:]
        self._bufs = [(b, b[_SHOULDERS], b[_HIPS]) for b in (np.empty((33, 2)), np.empty((33, 2)))]
        self._turn = 0

    def forget(self) -> None:
        """No person in this frame: the next one has nothing to jump from."""
        self._prev = None

    def __call__(self, raw_xy: npt.NDArray[np.float64], t_ms: float,
                 frame_size: tuple[int, int] | None, finite: bool = False) -> bool:
        """raw_xy: (33, 2) unsmoothed pixels; ``finite=True``: it has no NaN or inf."""
        scale = float(max(frame_size)) if frame_size else 1.0
        prev, prev_t, prev_finite = self._prev, self._prev_t, self._prev_finite
        if raw_xy.shape == (33, 2) and raw_xy.dtype == np.float64:
            cur, shoulders, hips = self._bufs[self._turn]
            self._turn ^= 1
            np.divide(raw_xy, scale, cur)
        else:   # (not from FeatureExtractor: it hands (33, 2) float64)
            cur = raw_xy / scale
            shoulders, hips = cur[_SHOULDERS], cur[_HIPS]
        self._prev, self._prev_t, self._prev_finite = cur, t_ms, finite
        if prev is None or t_ms <= prev_t:
            return False
        if finite and prev_finite:
            # No NaN anywhere: the means need no NaN repair, and the 33 steps and the 2 trunk
            # lengths come from one hypot over a (35, 2) difference (the same numbers).
            np.subtract(cur, prev, self._d_steps)
            np.subtract(shoulders, hips, self._d_trunk)
            np.hypot(self._dx, self._dy, self._h)
            step = float(np.add.reduce(self._h_steps)) / 33   # (ndarray.sum without its Python wrapper)
            left, right = self._h_trunk.tolist()
            trunk = (left + right) / 2
        else:
            t = list(_TRUNK)
            trunks = np.hypot(*(cur[t[:2]] - cur[t[2:]]).T)
            steps = np.hypot(*(cur - prev).T)
            if not (np.isfinite(trunks).any() and np.isfinite(steps).any()):
                return False
            trunk, step = _nanmean(trunks), _nanmean(steps)
        if not (math.isfinite(trunk) and math.isfinite(step)) or trunk <= 0:
            return False
        return step / trunk / ((t_ms - prev_t) / 1000.0) > MAX_TRUNK_SPEED_PER_S
