"""Per-frame features: smoothed landmarks -> camera view, near side, facing, measures.

Everything here depends on the exercise's geometry (which landmarks, which angles) but not on
its thresholds, so a clip's features are computed once and re-scored instantly when a
therapist changes a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .. import geometry as g
from ..definition import Definition, Measure
from ..landmarks import SIDES, Landmark, Side, resolve
from ..measure_kinds import KINDS
from ..pose import VIS, FramePose, X, Y, Z
from .smoothing import OneEuroFilter, is_swapped, swap_sides
from .view import EMA_TAU_MS, Ema, JumpDetector, View, ViewTracker

SIDE_SWITCH_MARGIN = 0.3   # near-side score needed to switch sides (hysteresis)
EDGE_MARGIN = 0.02         # a landmark this far (fraction of the frame) outside is "out of view"
# Measure kinds with a world-landmark (3D) twin used in an oblique view. On the true side-view
# clips here, 3D minus 2D over every frame: elevations and leans agree (bias -2..+4 deg, 95%
# limits of agreement within about +-12), interior angles do not (elbow LoA -33..+7, knee
# -28..+18, hip extension bias -8.5): so only these kinds, and only for counting reps.
WORLD_KINDS = frozenset(k.name for k in KINDS.values() if k.in_3d is not None)


@dataclass(slots=True)
class Features:
    """What the scorer needs of one frame.

    values[side][measure] in degrees (NaN when not measurable); hidden[side][measure] lists
    the landmarks that were not visible for it.
    """

    t_ms: float
    pose: bool
    view: View = "unknown"
    yaw_deg: float = math.nan
    near_side: Side = "left"
    facing: float = 1.0
    swapped: bool = False
    jump: bool = False          # the body jumped (see MAX_TRUNK_SPEED_PER_S): not judged
    values: dict[Side, dict[str, float]] = field(default_factory=dict)
    hidden: dict[Side, dict[str, list[str]]] = field(default_factory=dict)
    xy_px: npt.NDArray[np.float64] | None = None   # (33, 2) smoothed, for drawing
    visible: npt.NDArray[np.bool_] | None = None   # (33,)
    # shape-gate measures from MediaPipe's estimate of covered landmarks too (see _tracked)
    gate_values: dict[Side, dict[str, float]] = field(default_factory=dict)
    # sides whose phase measure was not seen in the picture and comes from MediaPipe's 3D
    # estimate of the covered limb (see FeatureExtractor._estimated_phase): counts a rep only
    # where every shape requirement is seen
    phase_estimated: set[Side] = field(default_factory=set)


@dataclass(frozen=True)
class _CompiledMeasure:
    name: str
    kind: str
    idx: dict[Side, tuple[int, ...]]
    names: dict[Side, tuple[str, ...]]
    # the kind's value on plain (x_px, y_px) tuples (the scalar fast path of :mod:`geometry`),
    # looked up in the registry once, not per frame
    in_2d: Callable[[Sequence[g.Pt], float], float]


def _compile(name: str, m: Measure) -> _CompiledMeasure:
    idx = {s: tuple(resolve(p, s).value for p in m.points) for s in SIDES}
    names = {s: tuple(Landmark(i).name.lower().replace("_", " ") for i in idx[s]) for s in SIDES}
    return _CompiledMeasure(name, m.kind, idx, names, KINDS[m.kind].in_2d)


class FeatureExtractor:
    """Turn (t_ms, FramePose | None) into :class:`Features`, one frame at a time.

    ``frame_size`` (width, height) in pixels lets landmarks outside the frame count as not
    visible. Keeps the small state live use needs (filter, sticky view/side/facing).
    """

    def __init__(self, definition: Definition, frame_size: tuple[int, int] | None = None) -> None:
        self.d = definition
        self.frame_size = frame_size
        self.sided = definition.phases.kind == "sided"
        self.measures = [_compile(n, m) for n, m in definition.measures.items()]
        self.forward = {s: tuple(resolve(p, s).value for p in definition.forward) for s in SIDES}
        self._inferred = [resolve(n, s).value for n in definition.inferred_landmarks for s in SIDES]
        gates = {q.measure for q in definition.shape}
        self._gate_measures = [m for m in self.measures if m.name in gates]
        # Off a side view, the measures that decide whether a rep happens (phase, shape) are
        # taken from the world landmarks where their kind allows (see WORLD_KINDS).
        counting = gates | {definition.phases.measure}
        self._world_measures = [m for m in self.measures if m.name in counting and m.kind in WORLD_KINDS]
        # A sided phase measure of a world kind (bird-dog's thigh) whose far end is not seen: a
        # close camera loses the reaching knee out of the frame or behind the body while the
        # hip and the reaching arm are plain to see. MediaPipe's 3D pose still places that knee
        # from the whole body (on the close rear-oblique clip here the 3D thigh rises from -60
        # to -16..-30 at each labelled extension while the 2D knee is drawn hanging).
        phase = definition.phases.measure
        self._phase_world = next((m for m in self.measures if m.name == phase
                                  and m.kind in ("elevation", "inclination") and self.sided), None)
        self._required = {s: [resolve(n, s).value for n in definition.required_landmarks
                              if n not in definition.inferred_landmarks] for s in SIDES}
        self._filter: OneEuroFilter | None = None
        self._prev_xy: npt.NDArray[np.float64] | None = None
        self._views = ViewTracker()
        self._jumps = JumpDetector()
        self._side_score = Ema(EMA_TAU_MS)
        self._near: Side | None = None
        self._facing = Ema(EMA_TAU_MS)
        self.last: Features | None = None
        self._pts: list[g.Pt] | None = None   # this frame's xy as lists (fast path)
        self._vis: list[bool] | None = None

    def __call__(self, t_ms: float, pose: FramePose | None) -> Features:
        self.last = self._features(t_ms, pose)
        return self.last

    def _features(self, t_ms: float, pose: FramePose | None) -> Features:
        if pose is None or not np.isfinite(pose.landmarks[:, :2]).any():
            self._prev_xy = None
            self._jumps.forget()
            return Features(t_ms=t_ms, pose=False, view=self._views.view)
        lm: npt.NDArray[np.float64] = pose.landmarks.astype(np.float64)
        world = pose.world_m.astype(np.float64)
        if not np.all(np.isfinite(lm[:, :3])):
            lm = np.where(np.isfinite(lm), lm, np.nan).astype(np.float64)
        swapped = is_swapped(lm[:, :2], self._prev_xy)
        if swapped:
            lm, world = swap_sides(lm).astype(np.float64), swap_sides(world).astype(np.float64)
        jump = self._jumps(lm[:, :2], t_ms, self.frame_size)
        if jump:
            self._filter = None   # do not blend across a cut
        xy = self._smooth(lm[:, :2], t_ms)
        self._prev_xy = xy
        visible = self._visible(lm, xy)
        f = Features(t_ms=t_ms, pose=True, swapped=swapped, jump=jump, xy_px=xy, visible=visible)
        tracked = self._tracked(lm, xy, visible) if self._gate_measures else visible
        f.view, f.yaw_deg = self._views(world, t_ms)
        f.near_side = self._near_side(lm, xy, t_ms)
        f.facing = self._facing_of(xy, f.near_side, t_ms)
        self._pts = self._vis = None
        tracked_list = tracked.tolist() if self._gate_measures else []
        for side in (SIDES if self.sided else (f.near_side,)):
            f.values[side], f.hidden[side] = self._measures(xy, visible, side, f.facing)
            if f.view == "oblique" and self._world_measures:
                self._world_values(f.values[side], world, visible, side)
            if self._phase_world is not None and self._estimated_phase(f.values[side], world, lm, visible, side):
                f.phase_estimated.add(side)
            if self._gate_measures:
                f.gate_values[side] = {
                    m.name: m.in_2d([self._pts[i] for i in m.idx[side]], f.facing)  # type: ignore[index]
                    if all(tracked_list[i] for i in m.idx[side]) else math.nan for m in self._gate_measures}
                if f.view == "oblique" and self._world_measures:
                    self._world_values(f.gate_values[side], world, tracked, side)
        return f

    # -- stages ----------------------------------------------------------------------
    def _smooth(self, xy: npt.NDArray[np.float64], t_ms: float) -> npt.NDArray[np.float64]:
        if self._filter is None:
            body = np.nanmax(xy[:, 1]) - np.nanmin(xy[:, 1]) if np.isfinite(xy[:, 1]).any() else 1
            s = self.d.smoothing
            self._filter = OneEuroFilter(s.min_cutoff_hz, s.beta, s.d_cutoff_hz,
                                         scale=max(float(body), 1.0) / 1000.0)
        return self._filter(xy, t_ms)

    def _visible(self, lm: npt.NDArray[np.float64], xy: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        with np.errstate(invalid="ignore"):   # NaN visibility or position: not visible
            vis = (lm[:, VIS] >= self.d.min_visibility) & np.isfinite(xy).all(axis=1)
            if self._inferred:
                # A covered landmark (low visibility, still inferred) counts while the rest of
                # the body that the exercise needs is clearly seen on either side.
                seen = any(all(vis[i] for i in self._required[s]) for s in SIDES)
                if seen:
                    idx = self._inferred
                    vis[idx] |= (lm[idx, VIS] >= self.d.inferred_min_visibility) \
                        & np.isfinite(xy[idx]).all(axis=1)
        if self.frame_size is not None:
            w, h = self.frame_size
            mx, my = EDGE_MARGIN * w, EDGE_MARGIN * h
            with np.errstate(invalid="ignore"):
                inside = ((xy[:, X] >= -mx) & (xy[:, X] <= w + mx)
                          & (xy[:, Y] >= -my) & (xy[:, Y] <= h + my))
            vis &= inside
        return vis

    def _world_values(self, values: dict[str, float], world: npt.NDArray[np.float64],
                      seen: npt.NDArray[np.bool_], side: Side) -> None:
        """Replace the counting measures in ``values`` by their world-landmark twins."""
        a, b = self.forward[side]
        # Python floats: a non-finite world landmark gives NaN quietly (checked below)
        fwd = (float(world[b, 0]) - float(world[a, 0]), float(world[b, 2]) - float(world[a, 2]))
        for m in self._world_measures:
            if m.name not in values:
                continue
            idx = m.idx[side]
            p = [world[i].tolist() for i in idx]
            if not all(seen[i] for i in idx) or not all(math.isfinite(c) for q in p for c in q):
                continue   # keep the 2D value (or NaN)
            in_3d = KINDS[m.kind].in_3d
            if in_3d is not None:   # always: only WORLD_KINDS are world measures
                values[m.name] = in_3d(p, fwd)

    def _estimated_phase(self, values: dict[str, float], world: npt.NDArray[np.float64],
                         lm: npt.NDArray[np.float64], visible: npt.NDArray[np.bool_], side: Side) -> bool:
        """Fill a phase measure not seen in the picture from the world landmarks, when each of
        its landmarks is still tracked (visibility >= ``inferred_min_visibility``, in or out of
        the frame) and one of them is seen. Returns whether it did."""
        m = self._phase_world
        if m is None or not math.isnan(values.get(m.name, math.nan)):
            return False
        idx = m.idx[side]
        floor = self.d.inferred_min_visibility
        if not any(visible[i] for i in idx) or not all(float(lm[i, VIS]) >= floor for i in idx):
            return False
        p = [world[i].tolist() for i in idx]
        if not all(math.isfinite(c) for q in p for c in q):
            return False
        values[m.name] = g.elevation_3d(p[0], p[1]) if m.kind == "elevation" else g.inclination_3d(p[0], p[1])
        return not math.isnan(values[m.name])

    def _tracked(self, lm: npt.NDArray[np.float64], xy: npt.NDArray[np.float64],
                 visible: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Landmarks MediaPipe still tracks: visible, or covered (e.g. a far arm behind the
        body) with visibility >= ``inferred_min_visibility`` and inside the frame. Used only to
        refuse a look-alike rep (a hanging far arm), never to accuse form."""
        with np.errstate(invalid="ignore"):
            covered = (lm[:, VIS] >= self.d.inferred_min_visibility) & np.isfinite(xy).all(axis=1)
            if self.frame_size is not None:
                w, h = self.frame_size
                covered &= (xy[:, X] >= 0) & (xy[:, X] <= w) & (xy[:, Y] >= 0) & (xy[:, Y] <= h)
        return visible | covered

    def _near_side(self, lm: npt.NDArray[np.float64], xy: npt.NDArray[np.float64],
                   t_ms: float) -> Side:
        ls, lh, rs, rh = Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP
        torso = math.hypot(*(xy[ls] - xy[lh]).tolist())
        torso = torso if torso > 0 else 1.0
        z, v = lm[:, Z].tolist(), lm[:, VIS].tolist()
        score = g.near_side_score_2(((z[ls], z[rs], v[ls], v[rs]), (z[lh], z[rh], v[lh], v[rh])), torso)
        s = self._side_score(score, t_ms)
        if self._near is None or math.isnan(s):
            self._near = "left" if not (s < 0) else "right"
        elif self._near == "left" and s < -SIDE_SWITCH_MARGIN:
            self._near = "right"
        elif self._near == "right" and s > SIDE_SWITCH_MARGIN:
            self._near = "left"
        return self._near

    def _facing_of(self, xy: npt.NDArray[np.float64], side: Side, t_ms: float) -> float:
        a, b = self.forward[side]
        dx = float(xy[b, X] - xy[a, X])
        v = self._facing(math.copysign(1.0, dx) if math.isfinite(dx) and dx else math.nan, t_ms)
        return 1.0 if math.isnan(v) or v >= 0 else -1.0

    def _measures(self, xy: npt.NDArray[np.float64], visible: npt.NDArray[np.bool_], side: Side,
                  facing: float) -> tuple[dict[str, float], dict[str, list[str]]]:
        values: dict[str, float] = {}
        hidden: dict[str, list[str]] = {}
        pts = self._pts if self._pts is not None else xy.tolist()
        self._pts = pts   # one list conversion per frame, shared by both sides
        vis = self._vis if self._vis is not None else visible.tolist()
        self._vis = vis
        for m in self.measures:
            idx = m.idx[side]
            if all(vis[i] for i in idx):
                values[m.name] = m.in_2d([pts[i] for i in idx], facing)
            else:
                values[m.name] = math.nan
                hidden[m.name] = [m.names[side][k] for k, i in enumerate(idx) if not vis[i]]
        return values, hidden
