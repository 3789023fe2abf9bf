"""Vectorised joint geometry over points of shape (..., D), D = 2 (pixels) or 3 (metres).

Conventions (image pixels: x right, y DOWN):
- interior angle at b of a-b-c: 0..180 deg, 180 = straight.
- inclination from vertical: 0..180 deg between segment p->q and "up" (-y).
- elevation: -90..90 deg of p->q above the horizontal (positive = q higher in the image).
- forward lean: -180..180 deg of p->q from "up", positive when q is ahead of p in the
  direction the person faces (``facing`` = +1 facing image-right, -1 facing image-left).
- bend: -180..180 deg, 180 minus the interior angle at b, positive when b lies above
  (image -y) the line a->c: e.g. hips pushed above the shoulder-knee line in a bridge.

Degenerate input (coincident points, NaN) gives NaN, never a guessed value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating]


def _as_float(p: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.asarray(p, dtype=np.float64)


def joint_angle_deg(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Interior angle at ``b`` (deg, 0..180) of points shaped (..., D); returns (...)."""
    ba = _as_float(a) - _as_float(b)
    bc = _as_float(c) - _as_float(b)
    # atan2(|cross|, dot) is accurate near 0 and 180 deg, unlike acos(dot/norms).
    dot = np.sum(ba * bc, axis=-1)
    if ba.shape[-1] == 2:
        cross = np.abs(ba[..., 0] * bc[..., 1] - ba[..., 1] * bc[..., 0])
    else:
        cross = np.linalg.norm(np.cross(ba, bc), axis=-1)
    with np.errstate(invalid="ignore"):
        ang = np.degrees(np.arctan2(cross, dot))
        degenerate = (np.linalg.norm(ba, axis=-1) == 0) | (np.linalg.norm(bc, axis=-1) == 0)
    return np.where(degenerate, np.nan, ang)


def inclination_from_vertical_deg(p: npt.ArrayLike, q: npt.ArrayLike) -> Array:
    """Unsigned angle (deg, 0..180) between 2D segment p->q and image-up."""
    d = _as_float(q) - _as_float(p)
    ang = np.degrees(np.arctan2(np.abs(d[..., 0]), -d[..., 1]))
    return np.where(np.hypot(d[..., 0], d[..., 1]) == 0, np.nan, ang)


def elevation_deg(p: npt.ArrayLike, q: npt.ArrayLike) -> Array:
    """Angle (deg, -90..90) of 2D segment p->q above the horizontal; positive = q higher."""
    d = _as_float(q) - _as_float(p)
    ang = np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0])))
    return np.where(np.hypot(d[..., 0], d[..., 1]) == 0, np.nan, ang)


def forward_lean_deg(p: npt.ArrayLike, q: npt.ArrayLike, facing: npt.ArrayLike) -> Array:
    """Signed angle (deg, -180..180) of 2D segment p->q from image-up, positive when q is
    ahead of p in the facing direction (``facing``: +1 image-right, -1 image-left, (...))."""
    d = _as_float(q) - _as_float(p)
    # "+ 0.0" turns -0.0 into 0.0 so straight down is +180, not -180, on either facing.
    ang = np.degrees(np.arctan2(d[..., 0] * np.sign(_as_float(facing)) + 0.0, -d[..., 1] + 0.0))
    return np.where(np.hypot(d[..., 0], d[..., 1]) == 0, np.nan, ang)


def bend_deg(a: npt.ArrayLike, b: npt.ArrayLike, c: npt.ArrayLike) -> Array:
    """Signed deviation (deg) of 2D point ``b`` from the line a->c: 180 - interior angle,
    positive when b is above the line (image -y), negative below, 0 when straight."""
    a, b, c = _as_float(a), _as_float(b), _as_float(c)
    interior = joint_angle_deg(a, b, c)
    ac = c - a
    ab = b - a
    # Height of b over the a-c line, measured upwards; independent of the a/c order.
    cross = ac[..., 0] * ab[..., 1] - ac[..., 1] * ab[..., 0]
    up = np.where(ac[..., 0] >= 0, -cross, cross)
    return np.sign(up) * (180.0 - interior)


def near_side_score(
    left_z: npt.ArrayLike, right_z: npt.ArrayLike,
    left_vis: npt.ArrayLike, right_vis: npt.ArrayLike,
) -> Array:
    """Score > 0 when the person's LEFT side faces the camera, < 0 for the right.

    Combines relative depth (the near side has the smaller z) with visibility (the far side
    is occluded); inputs are (..., K) over K paired landmarks (e.g. shoulders, hips), z in
    the landmark's pixel-scaled units divided by a body length by the caller.
    """
    dz = np.nanmean(_as_float(right_z) - _as_float(left_z), axis=-1)
    dv = np.nanmean(_as_float(left_vis) - _as_float(right_vis), axis=-1)
    return np.tanh(dz * 4.0) + dv


# -- Scalar 2D fast path ----------------------------------------------------------------------
# The live engine measures a handful of angles per frame; numpy's per-call overhead (~5 us)
# would dominate its budget, so it uses these plain-float twins of the functions above. They
# follow the same conventions and NaN rules; tests assert they agree with the array versions.

Pt = Sequence[float]   # (x_px, y_px)


def _sign(v: float) -> float:
    return math.nan if math.isnan(v) else (v > 0) - (v < 0)


def joint_angle_2d(a: Pt, b: Pt, c: Pt) -> float:
    """Interior angle at ``b`` (deg, 0..180) of three (x_px, y_px) points."""
    bax, bay, bcx, bcy = a[0] - b[0], a[1] - b[1], c[0] - b[0], c[1] - b[1]
    # Degenerate like the array version: a zero (or underflowing) squared length.
    if bax * bax + bay * bay == 0 or bcx * bcx + bcy * bcy == 0:
        return math.nan
    return math.degrees(math.atan2(abs(bax * bcy - bay * bcx), bax * bcx + bay * bcy))


def bend_2d(a: Pt, b: Pt, c: Pt) -> float:
    """Scalar :func:`bend_deg`: + when ``b`` is above the line a->c."""
    acx, acy, abx, aby = c[0] - a[0], c[1] - a[1], b[0] - a[0], b[1] - a[1]
    cross = acx * aby - acy * abx
    up = -cross if acx >= 0 else cross
    return _sign(up) * (180.0 - joint_angle_2d(a, b, c))


def elevation_2d(p: Pt, q: Pt) -> float:
    """Scalar :func:`elevation_deg` (deg, -90..90, + = q higher)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    return math.nan if dx == 0 and dy == 0 else math.degrees(math.atan2(-dy, abs(dx)))


def forward_lean_2d(p: Pt, q: Pt, facing: float) -> float:
    """Scalar :func:`forward_lean_deg` (deg, -180..180, + = q ahead in the facing direction)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    if dx == 0 and dy == 0:
        return math.nan
    return math.degrees(math.atan2(dx * _sign(facing) + 0.0, -dy + 0.0))


def inclination_2d(p: Pt, q: Pt) -> float:
    """Scalar :func:`inclination_from_vertical_deg` (deg, 0..180 from image-up)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    return math.nan if dx == 0 and dy == 0 else math.degrees(math.atan2(abs(dx), -dy))


def gap_pct_2d(a: Pt, b: Pt, r1: Pt, r2: Pt) -> float:
    """Distance a->b in percent of the reference distance r1->r2 (scale-free, 0..; NaN when
    the reference has no length). Not an angle: used where contact matters (ankle on knee)."""
    ref = math.hypot(r2[0] - r1[0], r2[1] - r1[1])
    if ref == 0:
        return math.nan
    return 100.0 * math.hypot(b[0] - a[0], b[1] - a[1]) / ref


def rise_pct_2d(a: Pt, b: Pt, r1: Pt, r2: Pt) -> float:
    """How far ``b`` is above ``a`` (image y points down) in percent of the reference distance
    r1->r2: + = b higher, - = lower (scale-free; NaN when the reference has no length)."""
    ref = math.hypot(r2[0] - r1[0], r2[1] - r1[1])
    if ref == 0:
        return math.nan
    return 100.0 * (a[1] - b[1]) / ref


def _segment_distance(p: Pt, a: Pt, b: Pt) -> float:
    """Distance from ``p`` to the nearest point of the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    n2 = dx * dx + dy * dy
    t = 0.0 if n2 == 0 else min(1.0, max(0.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / n2))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def limb_gap_pct_2d(p: Pt, a: Pt, b: Pt, c: Pt) -> float:
    """Distance from ``p`` to the nearest point of the limb from the middle of a-b, through b,
    to c (e.g. the far half of the thigh, the knee and the shin of hip-knee-ankle) in percent of
    a->b (scale-free, 0..; NaN when a->b has no length): small = ``p`` is on that part of the
    limb (a hand holding the leg behind the thigh, at the knee or on the shin). The near half of
    a-b is left out: a hand resting on the floor beside the hip is not holding the thigh."""
    ref = math.hypot(b[0] - a[0], b[1] - a[1])
    if ref == 0:
        return math.nan
    mid = ((a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0)
    return 100.0 * min(_segment_distance(p, mid, b), _segment_distance(p, b, c)) / ref


def near_side_score_2(pairs: tuple[tuple[float, float, float, float], ...], z_scale: float) -> float:
    """Scalar :func:`near_side_score` over K (left_z, right_z, left_vis, right_vis) tuples;
    z is divided by ``z_scale`` (a body length). NaN members are ignored like ``nanmean``."""
    dz = [(r_z - l_z) / z_scale for l_z, r_z, _, _ in pairs if not math.isnan(r_z - l_z)]
    dv = [l_v - r_v for _, _, l_v, r_v in pairs if not math.isnan(l_v - r_v)]
    if not dz or not dv:
        return math.nan
    return math.tanh(sum(dz) / len(dz) * 4.0) + sum(dv) / len(dv)


# -- World (3D, metres) twins, for an oblique camera ------------------------------------------
# MediaPipe's world landmarks: metres, origin between the hips, x right, y DOWN, z away from
# the camera. Angles to the vertical do not change when the camera turns about the vertical,
# so these stay valid off a side view; interior angles in 3D are biased on these models (see
# formcheck/engine/features.py), so only these kinds have a world twin.
Pt3 = Sequence[float]   # (x_m, y_m, z_m)


def elevation_3d(p: Pt3, q: Pt3) -> float:
    """Angle (deg, -90..90) of p->q above the horizontal plane; + = q higher."""
    dx, dy, dz = q[0] - p[0], q[1] - p[1], q[2] - p[2]
    h = math.hypot(dx, dz)
    return math.nan if h == 0 and dy == 0 else math.degrees(math.atan2(-dy, h))


def inclination_3d(p: Pt3, q: Pt3) -> float:
    """Angle (deg, 0..180) between p->q and straight up."""
    dx, dy, dz = q[0] - p[0], q[1] - p[1], q[2] - p[2]
    h = math.hypot(dx, dz)
    return math.nan if h == 0 and dy == 0 else math.degrees(math.atan2(h, -dy))


def forward_lean_3d(p: Pt3, q: Pt3, forward: tuple[float, float]) -> float:
    """Signed angle (deg) of p->q from straight up in the plane of ``forward`` (a horizontal
    (x, z) direction the person faces): + = q ahead of p. Sideways lean is left out."""
    dx, dy, dz = q[0] - p[0], q[1] - p[1], q[2] - p[2]
    norm = math.hypot(*forward)
    if norm == 0 or (dx == 0 and dy == 0 and dz == 0):
        return math.nan
    ahead = (dx * forward[0] + dz * forward[1]) / norm
    return math.degrees(math.atan2(ahead + 0.0, -dy + 0.0))
