"""Synthetic side-view poses with known angles, for engine tests (no model, no images)."""

from __future__ import annotations

import math

import numpy as np

from formcheck.core.landmarks import Landmark
from formcheck.core.pose import ClipInfo, FramePose
from formcheck.engine.reps import Rep
from formcheck.engine.session import Session


def _dir(deg: float) -> np.ndarray:
    """Unit vector at ``deg`` above the image horizontal (image y points down)."""
    r = math.radians(deg)
    return np.array([math.cos(r), -math.sin(r)])


def make_pose(points: dict[str, tuple[float, float]], view: str = "side",
              hidden: tuple[str, ...] = (), near: str = "left",
              covered: dict[str, float] | None = None) -> FramePose:
    """A FramePose from near-side points given without side ("hip") or with ("nose").

    The far side is the same points shifted by 3 px; ``view`` sets the world landmarks so the
    shoulder/hip lines point at the camera (side) or lie in the image plane (front).
    """
    far = "right" if near == "left" else "left"
    covered = covered or {}
    lm = np.zeros((33, 5), np.float32)
    base = np.array(points.get("shoulder", (300.0, 300.0)))
    lm[:, :2] = base
    lm[:, 3:] = 0.99
    for name, xy in points.items():
        if name in ("nose",):
            lm[Landmark.NOSE, :2] = xy
            continue
        lm[Landmark[f"{near}_{name}".upper()], :2] = xy
        lm[Landmark[f"{far}_{name}".upper()], :2] = np.array(xy) + 3.0
    for side, z, vis in ((near, -0.2, 0.99), (far, 0.2, 0.8)):
        for n in Landmark:
            if n.name.startswith(side.upper() + "_"):
                lm[n, 2] = z * 100
                lm[n, 3] = vis
    for h in hidden:
        lm[Landmark[h.upper()], 3] = 0.05
    for c, v in covered.items():   # covered but still tracked by MediaPipe
        lm[Landmark[c.upper()], 3] = v
    return FramePose(lm, world_from_xy(lm, view))


def world_from_xy(lm: np.ndarray, view: str = "side") -> np.ndarray:
    """World landmarks (metres, y down) of the body drawn in ``lm``'s pixels, with its
    sagittal plane turned so the shoulder/hip lines have the view's yaw (side 90, oblique 45,
    front 0 deg): the true 3D pose of which the pixels are the side-on drawing."""
    yaw = math.radians({"side": 90.0, "oblique": 45.0, "front": 0.0}[view])
    across = np.array([math.cos(yaw), 0.0, math.sin(yaw)])
    fwd = np.array([math.sin(yaw), 0.0, -math.cos(yaw)])
    hip = lm[Landmark.LEFT_HIP, :2].astype(np.float64)
    world = np.zeros((33, 3), np.float64)
    for n in Landmark:
        u, v = (lm[n, :2] - hip) / 200.0
        lateral = -0.1 if n.name.startswith("LEFT_") else 0.1 if n.name.startswith("RIGHT_") else 0.0
        world[n] = u * fwd + np.array([0.0, v, 0.0]) + lateral * across
    return world.astype(np.float32)


def _bridge_points(hip_deg: float, knee_deg: float, trunk_deg: float,
                   hip_above: bool) -> dict[str, np.ndarray]:
    s = np.array([100.0, 400.0])
    h = s + 120 * _dir(trunk_deg)
    turn = (180.0 - hip_deg) * (-1 if hip_above else 1)
    thigh = trunk_deg + turn
    k = h + 110 * _dir(thigh)
    a1 = k + 100 * _dir(thigh + 180 + knee_deg)
    a2 = k + 100 * _dir(thigh + 180 - knee_deg)
    return {"shoulder": s, "hip": h, "knee": k, "ankle": a1 if a1[1] > a2[1] else a2}


def bridge_pose(hip_deg: float, knee_deg: float = 85.0, trunk_deg: float | None = None,
                hip_above: bool = False, **kw) -> FramePose:
    """Supine bridge seen from the side, head at the left: shoulder-hip-knee interior angle
    ``hip_deg`` (hip below the shoulder-knee line unless ``hip_above``), knee ``knee_deg``.

    Like a real body, the trunk rises until the feet rest on the mat (ankle at the shoulders'
    height) unless ``trunk_deg`` (elevation of shoulder->hip) is given."""
    if trunk_deg is None:
        lo, hi = -10.0, 70.0   # bisection on the ankle's height above the mat
        for _ in range(40):
            mid = (lo + hi) / 2
            p = _bridge_points(hip_deg, knee_deg, mid, hip_above)
            lo, hi = (mid, hi) if p["ankle"][1] > p["shoulder"][1] else (lo, mid)
        trunk_deg = lo
    p = _bridge_points(hip_deg, knee_deg, trunk_deg, hip_above)
    s = p["shoulder"]
    pts = {n: tuple(v) for n, v in p.items()}
    pts.update({"ear": tuple(s - [40, 5]), "nose": tuple(s - [45, 15]), "elbow": tuple(s + [30, 20]),
                "wrist": tuple(s + [60, 25])})
    return make_pose(pts, **kw)


def sitting_pose(trunk_lean_deg: float = 0.0, neck_lean_deg: float = 5.0,
                 thigh_deg: float = -5.0, **kw) -> FramePose:
    """Seated person facing image-right: signed trunk/neck lean (+ forward), thigh elevation."""
    h = np.array([300.0, 500.0])
    s = h + 200 * _dir(90 - trunk_lean_deg)
    e = s + 80 * _dir(90 - neck_lean_deg)
    k = h + 180 * _dir(thigh_deg)
    a = k + np.array([0.0, 170.0])
    pts = {"hip": tuple(h), "shoulder": tuple(s), "ear": tuple(e), "knee": tuple(k),
           "ankle": tuple(a), "nose": tuple(e + [25, 5]), "elbow": tuple(s + [20, 100]),
           "wrist": tuple(s + [80, 110])}
    return make_pose(pts, **kw)


def bird_dog_pose(leg_deg: float, arm_deg: float, leg_side: str = "left",
                  knee_deg: float = 175.0, elbow_deg: float = 175.0, trunk_deg: float = 0.0,
                  **kw) -> FramePose:
    """Quadruped facing image-right; the ``leg_side`` thigh/leg raised to ``leg_deg`` elevation
    (-90 hanging) and the opposite arm to ``arm_deg`` (-90 hanging)."""
    other = "right" if leg_side == "left" else "left"
    h = np.array([200.0, 300.0])
    s = h + 220 * _dir(trunk_deg)
    lm = make_pose({"shoulder": tuple(s), "hip": tuple(h)}, **kw).landmarks.copy()

    def put(side: str, name: str, xy: np.ndarray) -> None:
        lm[Landmark[f"{side}_{name}".upper()], :2] = xy

    # raised leg (thigh and shank nearly in line at knee_deg) and the support leg
    thigh_dir = 180 - leg_deg  # pointing backwards (image-left), leg_deg above horizontal
    k = h + 110 * _dir(thigh_dir)
    a = k + 100 * _dir(thigh_dir + (180 - knee_deg))
    put(leg_side, "knee", k)
    put(leg_side, "ankle", a)
    put(other, "knee", h + np.array([0.0, 110.0]))
    put(other, "ankle", h + np.array([-100.0, 110.0]))
    # reaching arm on the opposite side, support arm on the leg side
    e = s + 110 * _dir(arm_deg)
    w = e + 100 * _dir(arm_deg - (180 - elbow_deg))
    put(other, "elbow", e)
    put(other, "wrist", w)
    put(leg_side, "elbow", s + np.array([0.0, 110.0]))
    put(leg_side, "wrist", s + np.array([0.0, 210.0]))
    lm[Landmark.NOSE, :2] = s + np.array([60.0, -10.0])
    return FramePose(lm, world_from_xy(lm, kw.get("view", "side")))


# Runs of synthetic sequences through the engine, shared by the engine, rules and page tests.
FPS = 30.0


def run(definition, poses, fps=FPS, info=None):
    s = Session(definition, info=info or ClipInfo(width=1000, height=800, fps=fps))
    for i, p in enumerate(poses):
        s.update(i * 1000.0 / fps, p)
    return s.finish()


def bridge_reps(n=3, top_deg=178.0, hold_s=0.5, rest_deg=125.0, **kw):
    """n reps: 0.6 s rest, 0.5 s up, hold, 0.5 s down."""
    seq = []
    for _ in range(n):
        seq += [bridge_pose(rest_deg, **kw)] * int(0.6 * FPS)
        seq += [bridge_pose(rest_deg + (top_deg - rest_deg) * i / 15, **kw) for i in range(15)]
        seq += [bridge_pose(top_deg, **kw)] * int(hold_s * FPS)
        seq += [bridge_pose(top_deg - (top_deg - rest_deg) * i / 15, **kw) for i in range(15)]
    seq += [bridge_pose(rest_deg, **kw)] * 10
    return seq


def bird_dog_rep(side, leg_peak=0.0, arm_peak=0.0, **kw):
    up = [(-85 + (leg_peak + 85) * i / 10, -85 + (arm_peak + 85) * i / 10) for i in range(11)]
    seq = [bird_dog_pose(-85, -85, side, **kw)] * 15
    seq += [bird_dog_pose(lg, am, side, **kw) for lg, am in up]
    seq += [bird_dog_pose(leg_peak, arm_peak, side, **kw)] * 30
    seq += [bird_dog_pose(lg, am, side, **kw) for lg, am in reversed(up)]
    return seq



def protocol_frames(poses, fps: float = FPS, w: int = 1000, h: int = 800) -> list[dict]:
    """Synthetic poses as the browser component sends them (landmarks normalised by the frame
    size ``w`` x ``h`` px; formcheck.run.live.landmarks)."""
    out = []
    for i, p in enumerate(poses):
        lm = p.landmarks.astype(float)
        lm[:, 0] /= w
        lm[:, 1] /= h
        lm[:, 2] /= w
        out.append({"i": i, "t": i * 1000.0 / fps, "w": w, "h": h, "lm": lm.ravel().tolist(),
                    "wl": p.world_m.astype(float).ravel().tolist()})
    return out


def top_rep(frames: list[tuple[float, str]]) -> Rep:
    """One rep whose settled top has these (t_ms, hips_too_low status) frames, peak 170 deg."""
    rep = Rep(1, None, 0.0, 0.0, 0.0, peak=170.0)
    rep.top_frames = [(t, 170.0, {"hips_too_low": st_}, {}) for t, st_ in frames]
    rep.settle(5.0)
    return rep
