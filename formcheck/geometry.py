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


def facing_sign(nose_x: npt.ArrayLike, ears_x: npt.ArrayLike) -> Array:
    """+1 where the nose is right of the ears in the image (facing image-right), -1 left,
    NaN when undecidable. Shapes (...)."""
    s = np.sign(_as_float(nose_x) - _as_float(ears_x))
    return np.where(s == 0, np.nan, s)


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
