"""Measure kinds as a registry: the one place a kind of measure declares its points, its
convention, how it is computed (on image pixels, and on world landmarks where it has a
twin), its unit and how pages name it. Definitions (formcheck.rules.parts), the feature extractor,
the scorer and the tuning page read it here; a kind not listed is a definition error.

The computations themselves are the scalar functions of :mod:`formcheck.core.geometry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from formcheck.core import geometry as g

Pts = Sequence[g.Pt]      # the measure's points, (x_px, y_px) each
Pts3 = Sequence[g.Pt3]    # the same in world metres (x, y down, z away from the camera)


@dataclass(frozen=True)
class Kind:
    """One kind of measure.

    ``in_2d(points_px, facing)``: the value on image pixels (``facing`` +1 when the person
    faces image-right, -1 left). ``in_3d(points_m, forward_xz)``: its world-landmark twin, used
    off a side view to count reps, or None where the 3D value is not trusted (interior angles:
    see formcheck/engine/features.py WORLD_KINDS). ``foreshortened``: the 2D value is beyond
    use in a front view of a side-view exercise (a shape gate then counts as not seen).
    ``covers_hidden``: the world twin may stand in for a sided phase measure whose far end is
    not seen in the picture (see FeatureExtractor._estimated_phase); a kind that reads the
    facing direction does not, as a covered limb may not give it.
    """

    name: str
    points: int
    convention: str
    unit: Literal["deg", "%"]
    in_2d: Callable[[Pts, float], float]
    in_3d: Callable[[Pts3, tuple[float, float]], float] | None = None
    foreshortened: bool = True
    covers_hidden: bool = False


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("angle", 3, "interior angle at the middle point, 0..180 (180 = straight)", "deg",
         lambda p, _f: g.joint_angle_2d(p[0], p[1], p[2])),
    Kind("bend", 3, "180 - interior angle, + when the middle point is above the line of the others",
         "deg", lambda p, _f: g.bend_2d(p[0], p[1], p[2])),
    Kind("elevation", 2, "first->second above the horizontal, -90..90 (+ = second higher)", "deg",
         lambda p, _f: g.elevation_2d(p[0], p[1]), lambda p, _fw: g.elevation_3d(p[0], p[1]),
         covers_hidden=True),
    Kind("forward_lean", 2, "first->second from vertical, -180..180, + = toward the facing direction",
         "deg", lambda p, f: g.forward_lean_2d(p[0], p[1], f),
         lambda p, fw: g.forward_lean_3d(p[0], p[1], fw)),
    Kind("inclination", 2, "first->second from vertical, 0..180", "deg",
         lambda p, _f: g.inclination_2d(p[0], p[1]), lambda p, _fw: g.inclination_3d(p[0], p[1]),
         covers_hidden=True),
    Kind("gap", 4, "distance first->second in percent of third->fourth (a body segment), 0..", "%",
         lambda p, _f: g.gap_pct_2d(p[0], p[1], p[2], p[3]), foreshortened=False),
    Kind("limb_gap", 4, "distance from the first point to the limb from the middle of second->third, "
         "through third, to fourth (a wrist on the far half of the thigh, the knee or the shin of "
         "hip-knee-ankle), in percent of second->third, 0..", "%",
         lambda p, _f: g.limb_gap_pct_2d(p[0], p[1], p[2], p[3])),
    Kind("rise", 4, "how far the second point is above the first (image vertical), in percent of "
         "third->fourth; + = second higher (a heel up on a step, in shank lengths)", "%",
         lambda p, _f: g.rise_pct_2d(p[0], p[1], p[2], p[3]), foreshortened=False),
)}


def kind_of(name: str) -> Kind:
    """The registered kind; ValueError naming the kinds there are (a definition error)."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown measure kind {name!r}; kinds: {', '.join(KINDS)}") from None
