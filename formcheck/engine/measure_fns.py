"""A definition's measures compiled for the per-frame loop: per side, one closure per measure
that reads its landmarks straight from the frame's lists of points and visibility.

The value is the kind's own scalar function of :mod:`formcheck.core.geometry` on the same
points (the same numbers as ``Kind.in_2d``); only the way to it is shorter: no tuple of
points, no getter, no wrapper call per measure per frame (the engine runs on every frame of
every live stream).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from formcheck.core import geometry as g
from formcheck.core.landmarks import SIDES, Landmark, Side, resolve
from formcheck.core.measure_kinds import KINDS
from formcheck.rules.definition import Measure

# (points (x_px, y_px) of the 33 landmarks, their visibility, facing) -> the value, or None
# when one of the measure's landmarks is not visible
MeasureFn = Callable[[Sequence[g.Pt], Sequence[bool], float], "float | None"]

# Kinds whose scalar function takes the points as arguments and no facing: called directly.
_DIRECT: dict[str, Callable[..., float]] = {
    "angle": g.joint_angle_2d,
    "bend": g.bend_2d,
    "elevation": g.elevation_2d,
    "inclination": g.inclination_2d,
    "gap": g.gap_pct_2d,
    "limb_gap": g.limb_gap_pct_2d,
    "rise": g.rise_pct_2d,
}


@dataclass(frozen=True)
class CompiledMeasure:
    name: str
    kind: str
    idx: dict[Side, tuple[int, ...]]
    names: dict[Side, tuple[str, ...]]
    # the kind's value on plain (x_px, y_px) tuples (the scalar fast path of :mod:`geometry`),
    # looked up in the registry once, not per frame
    in_2d: Callable[[Sequence[g.Pt], float], float]
    # its world-landmark twin (on (x, y, z) m and the forward (x, z) direction), or None
    in_3d: Callable[[Sequence[g.Pt3], tuple[float, float]], float] | None
    # per side: the value where every landmark is visible (else None), see :data:`MeasureFn`
    fn: dict[Side, MeasureFn]


def compile_measure(name: str, m: Measure) -> CompiledMeasure:
    idx = {s: tuple(resolve(p, s).value for p in m.points) for s in SIDES}
    names = {s: tuple(Landmark(i).name.lower().replace("_", " ") for i in idx[s]) for s in SIDES}
    k = KINDS[m.kind]
    fn = {s: _measure_fn(m.kind, k.in_2d, idx[s]) for s in SIDES}
    return CompiledMeasure(name, m.kind, idx, names, k.in_2d, k.in_3d, fn)


def _measure_fn(kind: str, in_2d: Callable[[Sequence[g.Pt], float], float], idx: tuple[int, ...]) -> MeasureFn:
    direct = _DIRECT.get(kind)
    if direct is not None and len(idx) == 2:
        a, b = idx
        return lambda pts, vis, _f: direct(pts[a], pts[b]) if vis[a] and vis[b] else None
    if direct is not None and len(idx) == 3:
        a, b, c = idx
        return lambda pts, vis, _f: direct(pts[a], pts[b], pts[c]) if vis[a] and vis[b] and vis[c] else None
    if direct is not None and len(idx) == 4:
        a, b, c, d = idx
        return lambda pts, vis, _f: (direct(pts[a], pts[b], pts[c], pts[d])
                                     if vis[a] and vis[b] and vis[c] and vis[d] else None)
    if kind == "forward_lean" and len(idx) == 2:   # the one kind that reads the facing
        a, b = idx
        lean = g.forward_lean_2d
        return lambda pts, vis, f: lean(pts[a], pts[b], f) if vis[a] and vis[b] else None

    # any other kind: through the registry's own function
    def generic(pts: Sequence[g.Pt], vis: Sequence[bool], facing: float) -> float | None:
        return in_2d([pts[i] for i in idx], facing) if all(vis[i] for i in idx) else None

    return generic
