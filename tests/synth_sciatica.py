"""Synthetic side-view poses (person facing image-right) for the standing hamstring stretch, the
sciatic nerve glide and the safe lift, with known angles; the style of ``synth.py``."""

from __future__ import annotations

import math

import numpy as np
from synth import _dir, make_pose, world_from_xy

from formcheck.core.landmarks import Landmark
from formcheck.core.pose import FramePose

SEG = 200.0   # thigh and shank length, px


def _put(lm: np.ndarray, side: str, name: str, xy: np.ndarray) -> None:
    lm[Landmark[f"{side}_{name}".upper()], :2] = xy


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _finish(lm: np.ndarray, kw: dict) -> FramePose:
    return FramePose(lm, world_from_xy(lm, kw.get("view", "side")))


def standing_stretch_pose(leg_deg: float = 40.0, trunk_lean_deg: float = 0.0, knee_deg: float = 178.0,
                          neck_bend_deg: float = 30.0, leg_side: str = "left", trunk_px: float = 250.0,
                          **kw) -> FramePose:
    """Standing on the ``_other(leg_side)`` leg; the ``leg_side`` leg reaches forward at
    ``leg_deg`` from straight down (the heel up on a step; 0 = both feet down), its knee at
    ``knee_deg``; the trunk leans ``trunk_lean_deg`` forward of vertical; hip-shoulder-ear bend
    ``neck_bend_deg`` (+ = the head dropped forward of the trunk line); ``trunk_px`` the
    hip-shoulder chord (250 = a long back, 62% of the 400 px leg; shorter = curled over)."""
    h = np.array([300.0, 400.0])
    s = h + trunk_px * _dir(90 - trunk_lean_deg)
    e = s + 80 * _dir(90 - trunk_lean_deg - neck_bend_deg)
    lm = make_pose({"hip": tuple(h), "shoulder": tuple(s), "ear": tuple(e), "nose": tuple(e + [25, 5]),
                    "elbow": tuple(s + [10, 110]), "wrist": tuple(s + [20, 220])}, **kw).landmarks.copy()
    other = _other(leg_side)
    _put(lm, other, "knee", h + [0, SEG])
    _put(lm, other, "ankle", h + [0, 2 * SEG])
    _put(lm, other, "heel", h + [-20, 2 * SEG + 15])
    _put(lm, other, "foot_index", h + [60, 2 * SEG + 15])
    k = h + SEG * _dir(-90 + leg_deg)
    a = k + SEG * _dir(-90 + leg_deg - (180 - knee_deg))
    _put(lm, leg_side, "knee", k)
    _put(lm, leg_side, "ankle", a)
    _put(lm, leg_side, "heel", a + [-10, 15])
    _put(lm, leg_side, "foot_index", a + [20, -60])
    return _finish(lm, kw)


def glide_pose(knee_deg: float = 90.0, head_pitch_deg: float = -10.0, leg_side: str = "left",
               thigh_deg: float = 0.0, trunk_lean_deg: float = 5.0, **kw) -> FramePose:
    """Seated: the ``leg_side`` knee at ``knee_deg`` (the other at 90), its thigh at
    ``thigh_deg`` elevation; the head pitched ``head_pitch_deg`` (ear->nose, + = looking up)."""
    h = np.array([300.0, 500.0])
    s = h + 220 * _dir(90 - trunk_lean_deg)
    e = s + 70 * _dir(90 - trunk_lean_deg)
    n = e + 30 * _dir(head_pitch_deg)
    lm = make_pose({"hip": tuple(h), "shoulder": tuple(s), "ear": tuple(e), "nose": tuple(n),
                    "elbow": tuple(s + [20, 100]), "wrist": tuple(s + [80, 110])}, **kw).landmarks.copy()
    lm[Landmark.NOSE, :2] = n
    for side, kd, th in ((leg_side, knee_deg, thigh_deg), (_other(leg_side), 90.0, 0.0)):
        k = h + SEG * _dir(th)
        a = k + SEG * _dir(th - (180 - kd))
        _put(lm, side, "knee", k)
        _put(lm, side, "ankle", a)
        _put(lm, side, "heel", a + [-15, 10])
        _put(lm, side, "foot_index", a + [40, 10])
    return _finish(lm, kw)


def lift_pose(t: float, knee_deg: float = 80.0, shin_lean_deg: float = 30.0, trunk_lean_deg: float = 45.0,
              hands: str = "floor", **kw) -> FramePose:
    """A lift ``t`` of the way (0 = standing tall, 1 = at the bottom) to the bottom given by the
    knee angle, the shin's forward lean and the trunk's forward lean (both from vertical);
    ``hands`` at the bottom: "floor" (reaching down in front of the feet) or "thighs"."""
    knee = 178.0 + (knee_deg - 178.0) * t
    shin = 2.0 + (shin_lean_deg - 2.0) * t
    trunk = 3.0 + (trunk_lean_deg - 3.0) * t
    ankle = np.array([400.0, 720.0])
    k = ankle + SEG * _dir(90 - shin)
    h = k + SEG * _dir(270 - shin - knee)
    s = h + 250 * _dir(90 - trunk)
    e = s + 60 * _dir(90 - trunk)
    hang = s + [0.0, 230.0]
    bottom = ankle + [60.0, -30.0] if hands == "floor" else (h + k) / 2 + [0.0, -15.0]
    w = hang + (bottom - hang) * t
    lm = make_pose({"ankle": tuple(ankle), "knee": tuple(k), "hip": tuple(h), "shoulder": tuple(s),
                    "ear": tuple(e), "nose": tuple(e + [25, 5]), "wrist": tuple(w),
                    "elbow": tuple((s + w) / 2 + [15, 0]), "heel": tuple(ankle + [-30, 25]),
                    "foot_index": tuple(ankle + [70, 25])}, **kw).landmarks.copy()
    return _finish(lm, kw)


def ramp(make, frm: dict, to: dict, frames: int) -> list[FramePose]:
    """``frames`` poses moving every keyword linearly from ``frm`` to ``to``."""
    out = []
    for i in range(frames):
        f = i / max(frames - 1, 1)
        out.append(make(**{k: (frm[k] + (to[k] - frm[k]) * f if isinstance(frm[k], float) else frm[k])
                           for k in frm}))
    return out


def angle_of(p: FramePose, a: str, b: str, c: str) -> float:
    """Interior angle (deg) at ``b`` of three landmark names of ``p`` (for self-checks)."""
    pa, pb, pc = (p.landmarks[Landmark[n.upper()], :2].astype(float) for n in (a, b, c))
    u, v = pa - pb, pc - pb
    return math.degrees(math.atan2(abs(u[0] * v[1] - u[1] * v[0]), float(u @ v)))
