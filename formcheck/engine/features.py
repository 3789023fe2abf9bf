"""Per-frame features: smoothed landmarks -> camera view, near side, facing, measures.

Everything here depends on the exercise's geometry (which landmarks, which angles) but not on
its thresholds, so a clip's features are computed once and re-scored instantly when a
therapist changes a threshold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from formcheck.core import geometry as g
from formcheck.core.landmarks import SIDES, Landmark, Side, resolve
from formcheck.core.measure_kinds import KINDS
from formcheck.core.pose import VIS, FramePose, X, Z
from formcheck.engine.measure_fns import compile_measure
from formcheck.engine.smoothing import OneEuroFilter, is_swapped, swap_sides
from formcheck.engine.view import EMA_TAU_MS, Ema, JumpDetector, View, ViewTracker
from formcheck.engine.visibility import Visibility
from formcheck.rules.definition import Definition

SIDE_SWITCH_MARGIN = 0.3   # near-side score needed to switch sides (hysteresis)
# the shoulders and hips as plain ints (an enum member's lookup, per frame, costs more)
_LS, _LH, _RS, _RH = (int(m) for m in (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP,
                                       Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP))
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
    # shape-gate measures from MediaPipe's estimate of covered landmarks too (see visibility.py)
    gate_values: dict[Side, dict[str, float]] = field(default_factory=dict)
    # sides whose phase measure was not seen in the picture and comes from MediaPipe's 3D
    # estimate of the covered limb (see FeatureExtractor._estimated_phase): counts a rep only
    # where every shape requirement is seen
    phase_estimated: set[Side] = field(default_factory=set)


class FeatureExtractor:
    """Turn (t_ms, FramePose | None) into :class:`Features`, one frame at a time.

    ``frame_size`` (width, height) in pixels lets landmarks outside the frame count as not
    visible. Keeps the small state live use needs (filter, sticky view/side/facing).
    """

    def __init__(self, definition: Definition, frame_size: tuple[int, int] | None = None) -> None:
        self.d = definition
        self.frame_size = frame_size
        self.sided = definition.phases.kind == "sided"
        self.measures = [compile_measure(n, m) for n, m in definition.measures.items()]
        self.forward = {s: tuple(resolve(p, s).value for p in definition.forward) for s in SIDES}
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
                                  and KINDS[m.kind].covers_hidden and self.sided), None)
        self._filter: OneEuroFilter | None = None
        self._prev_xy: npt.NDArray[np.float64] | None = None
        self._views = ViewTracker()
        self._jumps = JumpDetector()
        self._side_score = Ema(EMA_TAU_MS)
        self._near: Side | None = None
        self._facing = Ema(EMA_TAU_MS)
        self.last: Features | None = None
        self._prev_finite = False   # _prev_xy has no NaN
        # per side: (name, landmark indices, their names, the compiled function) of each measure
        self._side_measures = {s: [(m.name, m.idx[s], m.names[s], m.fn[s]) for m in self.measures]
                               for s in SIDES}
        # the landmarks whose "tracked" state the gate and world measures read
        self._visibility = Visibility(definition, sorted({i for m in self._gate_measures + self._world_measures
                                                          for s in SIDES for i in m.idx[s]}))

    def __call__(self, t_ms: float, pose: FramePose | None) -> Features:
        self.last = self._features(t_ms, pose)
        return self.last

    def _features(self, t_ms: float, pose: FramePose | None) -> Features:
        if pose is None:
            return self._no_person(t_ms)
        lm: npt.NDArray[np.float64] = pose.landmarks.astype(np.float64)
        # Every position finite (MediaPipe's usual output): the stages below skip their NaN
        # repairs, which would change nothing (the same numbers either way).
        # The sum of the (33, 3) positions is finite exactly when each is (float32 values: a
        # sum of 99 cannot overflow float64): one reduction instead of isfinite, then all().
        finite = math.isfinite(np.add.reduce(lm[:, :3], axis=None))
        if not finite and not np.isfinite(lm[:, :2]).any():
            return self._no_person(t_ms)
        # (33, 3) m as given: it is read only as Python floats, the same numbers as in float64
        world: npt.NDArray[np.floating] = pose.world_m
        if not finite:
            lm = np.where(np.isfinite(lm), lm, np.nan).astype(np.float64)
        # (33, 2) px, contiguous: the filter, swap and jump steps then run numpy's plain loops,
        # not its strided iterator (a copy costs less than the iterator does in those four)
        raw_xy = np.ascontiguousarray(lm[:, :2])
        swapped = is_swapped(raw_xy, self._prev_xy, finite and self._prev_finite)
        if swapped:
            lm, world = swap_sides(lm).astype(np.float64), swap_sides(world).astype(np.float64)
            raw_xy = np.ascontiguousarray(lm[:, :2])
        jump = self._jumps(raw_xy, t_ms, self.frame_size, finite)
        if jump:
            self._filter = None   # do not blend across a cut
        xy = self._smooth(raw_xy, t_ms, finite)
        assert self._filter is not None
        xy_finite = self._filter.finite
        self._prev_xy, self._prev_finite = xy, xy_finite
        # plain floats, once per frame: the scalar stages below read single landmarks
        pts: list[g.Pt] = xy.tolist()
        z_vis: list[list[float]] = lm[:, Z:VIS + 1].tolist()   # (33, 2): z, visibility
        visible, vis = self._visibility.visible(lm, xy, xy_finite, z_vis, self.frame_size)
        f = Features(t_ms=t_ms, pose=True, swapped=swapped, jump=jump, xy_px=xy, visible=visible)
        f.view, f.yaw_deg = self._views(world, t_ms)
        f.near_side = self._near_side(pts, z_vis, t_ms)
        f.facing = self._facing_of(pts, f.near_side, t_ms)
        oblique = f.view == "oblique" and bool(self._world_measures)
        tracked: list[bool] = []
        if self._gate_measures:
            v = self._visibility
            tracked = v.tracked_list(vis, pts, z_vis, self.frame_size) if xy_finite \
                else v.tracked(lm, xy, visible, self.frame_size).tolist()
        for side in (SIDES if self.sided else (f.near_side,)):
            values, f.hidden[side] = self._measures(pts, vis, side, f.facing)
            f.values[side] = values
            # the 2D values, for the gates below, before the world twins replace some
            plain = dict(values) if self._gate_measures and (oblique or self._phase_world is not None) else values
            if oblique:
                self._world_values(values, world, visible, side)
            if self._phase_world is not None and self._estimated_phase(values, world, z_vis, vis, side):
                f.phase_estimated.add(side)
            if self._gate_measures:
                f.gate_values[side] = self._gates(plain, pts, vis, tracked, side, f.facing)
                if oblique:
                    self._world_values(f.gate_values[side], world, tracked, side)
        return f

    def _no_person(self, t_ms: float) -> Features:
        self._prev_xy = None
        self._jumps.forget()
        return Features(t_ms=t_ms, pose=False, view=self._views.view)

    # -- stages ----------------------------------------------------------------------
    def _smooth(self, xy: npt.NDArray[np.float64], t_ms: float, finite: bool) -> npt.NDArray[np.float64]:
        if self._filter is None:
            body = np.nanmax(xy[:, 1]) - np.nanmin(xy[:, 1]) if np.isfinite(xy[:, 1]).any() else 1
            s = self.d.smoothing
            self._filter = OneEuroFilter(s.min_cutoff_hz, s.beta, s.d_cutoff_hz,
                                         scale=max(float(body), 1.0) / 1000.0)
        return self._filter(xy, t_ms, finite)

    def _world_values(self, values: dict[str, float], world: npt.NDArray[np.floating],
                      seen: Sequence[bool] | npt.NDArray[np.bool_], side: Side) -> None:
        """Replace the counting measures in ``values`` by their world-landmark twins."""
        fwd = self._forward_xz(world, side)
        for m in self._world_measures:
            if m.name not in values:
                continue
            idx = m.idx[side]
            p = [world[i].tolist() for i in idx]
            if not all(seen[i] for i in idx) or not all(math.isfinite(c) for q in p for c in q):
                continue   # keep the 2D value (or NaN)
            if m.in_3d is not None:   # always: only WORLD_KINDS are world measures
                values[m.name] = m.in_3d(p, fwd)

    def _forward_xz(self, world: npt.NDArray[np.floating], side: Side) -> tuple[float, float]:
        """The facing direction on the floor plane, (x, z) m, from the world landmarks."""
        a, b = self.forward[side]
        # Python floats: a non-finite world landmark gives NaN quietly, never an error
        return float(world[b, 0]) - float(world[a, 0]), float(world[b, 2]) - float(world[a, 2])

    def _estimated_phase(self, values: dict[str, float], world: npt.NDArray[np.floating],
                         z_vis: list[list[float]], visible: list[bool], side: Side) -> bool:
        """Fill a phase measure not seen in the picture from the world landmarks, when each of
        its landmarks is still tracked (visibility >= ``inferred_min_visibility``, in or out of
        the frame) and one of them is seen. Returns whether it did. ``z_vis``: (33, 2) z and
        visibility as floats; ``visible``: (33,) as a list."""
        m = self._phase_world
        if m is None or not math.isnan(values.get(m.name, math.nan)):
            return False
        idx = m.idx[side]
        floor = self.d.inferred_min_visibility
        if not any(visible[i] for i in idx) or not all(z_vis[i][1] >= floor for i in idx):
            return False
        p = [world[i].tolist() for i in idx]
        if not all(math.isfinite(c) for q in p for c in q):
            return False
        if m.in_3d is None:   # never: covers_hidden kinds have a world twin
            return False
        values[m.name] = m.in_3d(p, self._forward_xz(world, side))
        return not math.isnan(values[m.name])

    def _near_side(self, pts: list[g.Pt], z_vis: list[list[float]], t_ms: float) -> Side:
        ls, lh, rs, rh = _LS, _LH, _RS, _RH
        torso = math.hypot(pts[ls][0] - pts[lh][0], pts[ls][1] - pts[lh][1])
        torso = torso if torso > 0 else 1.0
        (z_ls, v_ls), (z_rs, v_rs), (z_lh, v_lh), (z_rh, v_rh) = z_vis[ls], z_vis[rs], z_vis[lh], z_vis[rh]
        score = g.near_side_score_2(((z_ls, z_rs, v_ls, v_rs), (z_lh, z_rh, v_lh, v_rh)), torso)
        s = self._side_score(score, t_ms)
        if self._near is None or math.isnan(s):
            self._near = "left" if not (s < 0) else "right"
        elif self._near == "left" and s < -SIDE_SWITCH_MARGIN:
            self._near = "right"
        elif self._near == "right" and s > SIDE_SWITCH_MARGIN:
            self._near = "left"
        return self._near

    def _facing_of(self, pts: list[g.Pt], side: Side, t_ms: float) -> float:
        a, b = self.forward[side]
        dx = pts[b][X] - pts[a][X]
        v = self._facing(math.copysign(1.0, dx) if math.isfinite(dx) and dx else math.nan, t_ms)
        return 1.0 if math.isnan(v) or v >= 0 else -1.0

    def _measures(self, pts: list[g.Pt], vis: list[bool], side: Side,
                  facing: float) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Each measure (deg, or %) on ``pts`` (33 (x_px, y_px)) where ``vis`` has all its
        landmarks, else NaN with the names of those not visible."""
        values: dict[str, float] = {}
        hidden: dict[str, list[str]] = {}
        for name, idx, names, fn in self._side_measures[side]:
            v = fn(pts, vis, facing)
            if v is None:
                values[name] = math.nan
                hidden[name] = [names[k] for k, i in enumerate(idx) if not vis[i]]
            else:
                values[name] = v
        return values, hidden

    def _gates(self, plain: dict[str, float], pts: list[g.Pt], vis: list[bool],
               tracked: list[bool], side: Side, facing: float) -> dict[str, float]:
        """The shape-gate measures from tracked landmarks (:meth:`Visibility.tracked`); where all
        are visible this is the 2D value in ``plain`` (the same function of the same points)."""
        out: dict[str, float] = {}
        for m in self._gate_measures:
            idx = m.idx[side]
            if not all(map(tracked.__getitem__, idx)):
                out[m.name] = math.nan
            elif all(map(vis.__getitem__, idx)):
                out[m.name] = plain[m.name]
            else:
                out[m.name] = m.in_2d(list(map(pts.__getitem__, idx)), facing)
        return out
