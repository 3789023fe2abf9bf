"""A stick figure from segment directions: the pose generator behind the exercise cases
(``exercises/cases/*.cases.toml``), no model and no images.

A pose is a mapping of segment -> direction in degrees, counter-clockwise from image-right
(0 = pointing right, 90 = up, -90 = down, 180 = left), each segment starting where its parent
ends (the hip is the root):

    trunk hip->shoulder, neck shoulder->ear, face ear->nose,
    upper_arm shoulder->elbow, forearm elbow->wrist, thigh hip->knee, shin knee->ankle.

``trunk_pct`` (optional, default 100) draws the trunk that % of its length: the shorter
hip-shoulder chord of a back curled over (a stick has no spine to bend).
A limb segment sets both sides; ``left_thigh`` / ``right_thigh`` (etc.) set one side only.
The far side (not ``near``) is drawn 3 px off the near one, as tests/synth.py does, and is less
visible (0.8 against 0.99); ``world_from_xy`` gives the 3D pose in the case's camera view.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from synth import world_from_xy

from formcheck.core.landmarks import Landmark
from formcheck.core.pose import FramePose

# segment -> (start point, end point, length px): about a 1.7 m person 0.4 px/mm
SEGMENTS: dict[str, tuple[str, str, float]] = {
    "trunk": ("hip", "shoulder", 160.0),
    "neck": ("shoulder", "ear", 50.0),
    "face": ("ear", "nose", 20.0),
    "upper_arm": ("shoulder", "elbow", 90.0),
    "forearm": ("elbow", "wrist", 85.0),
    "thigh": ("hip", "knee", 140.0),
    "shin": ("knee", "ankle", 130.0),
}
LIMBS = ("upper_arm", "forearm", "thigh", "shin")
SIDED_KEYS = frozenset(f"{s}_{seg}" for s in ("left", "right") for seg in LIMBS)
# optional keys that are not directions, with their value when a pose leaves them out
DEFAULTS = {"trunk_pct": 100.0}
POSE_KEYS = frozenset(SEGMENTS) | SIDED_KEYS | frozenset(DEFAULTS)
FAR_OFFSET_PX = 3.0
# landmarks not drawn as a segment end sit on the nearest drawn one
_AT = {"eye": "ear", "eye_inner": "ear", "eye_outer": "ear", "pinky": "wrist",
       "index": "wrist", "thumb": "wrist", "heel": "ankle", "foot_index": "ankle"}


def _dir(deg: float) -> np.ndarray:
    r = math.radians(deg)
    return np.array([math.cos(r), -math.sin(r)])   # image y points down


def _side_points(angles: Mapping[str, float], side: str, hip: np.ndarray) -> dict[str, np.ndarray]:
    pts = {"hip": hip}
    for seg, (a, b, length) in SEGMENTS.items():
        deg = angles.get(f"{side}_{seg}", angles.get(seg))
        if deg is None:
            raise KeyError(f"pose has no direction for segment {seg!r}")
        if seg == "trunk":
            length *= float(angles.get("trunk_pct", DEFAULTS["trunk_pct"])) / 100.0
        pts[b] = pts[a] + length * _dir(float(deg))
    return pts


def _slots(side: str) -> list[tuple[int, str]]:
    """(landmark index, drawn point) of one side's landmarks."""
    out = []
    for n in Landmark:
        if n.name.startswith(side.upper() + "_"):
            part = n.name[len(side) + 1:].lower()
            out.append((int(n), _AT.get(part, part)))
    return out


_SLOTS = {s: _slots(s) for s in ("left", "right")}


def stick_pose(angles: Mapping[str, float], hip_px: tuple[float, float] = (500.0, 450.0),
               near: str = "left", view: str = "side", hidden: tuple[str, ...] = ()) -> FramePose:
    """(33, 5) landmarks (x_px, y_px, z, visibility, presence) and world metres of one pose.

    ``hidden``: full landmark names ("left_ankle") drawn with visibility 0.05 (not seen)."""
    far = "right" if near == "left" else "left"
    lm = np.zeros((33, 5), np.float32)
    lm[:, 3:] = 0.99
    root = np.array(hip_px, np.float64)
    for side, hip, z, vis in ((near, root, -20.0, 0.99), (far, root + FAR_OFFSET_PX, 20.0, 0.8)):
        pts = _side_points(angles, side, hip)
        for i, part in _SLOTS[side]:
            lm[i, :2] = pts[part]
            lm[i, 2] = z
            lm[i, 3] = vis
        if side == near:
            # the nose and the mouth corners (named without a side) on the near side's face
            lm[[Landmark.NOSE, Landmark.MOUTH_LEFT, Landmark.MOUTH_RIGHT], :2] = pts["nose"]
    for h in hidden:
        lm[Landmark[h.upper()], 3] = 0.05
    return FramePose(lm, world_from_xy(lm, view))
