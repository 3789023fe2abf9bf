"""Which landmarks of a frame count as seen (visible: measures use them) and which MediaPipe
still tracks though covered (used only to refuse a look-alike rep, never to accuse form).

Inputs are per frame: ``lm`` (33, 5) landmarks (x_px, y_px, z, visibility, presence), ``xy``
(33, 2) smoothed pixels, and the frame size (width, height) in px when known.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from formcheck.core import geometry as g
from formcheck.core.landmarks import NUM_LANDMARKS, SIDES, Side, resolve
from formcheck.core.pose import VIS, X, Y
from formcheck.rules.definition import Definition

EDGE_MARGIN = 0.02         # a landmark this far (fraction of the frame) outside is "out of view"
Size = tuple[int, int] | None


class Visibility:
    """The definition's visibility rules, compiled once. ``tracked_idx``: the landmarks whose
    tracked state is read (those of the gate and world measures)."""

    def __init__(self, definition: Definition, tracked_idx: list[int]) -> None:
        self.min_visibility = definition.min_visibility
        self.inferred_min_visibility = definition.inferred_min_visibility
        self._inferred = [resolve(n, s).value for n in definition.inferred_landmarks for s in SIDES]
        self._required: dict[Side, list[int]] = {
            s: [resolve(n, s).value for n in definition.required_landmarks
                if n not in definition.inferred_landmarks] for s in SIDES}
        self._tracked_idx = tracked_idx
        self._edges: tuple[tuple[int, int], npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None

    def visible(self, lm: npt.NDArray[np.float64], xy: npt.NDArray[np.float64], finite: bool,
                z_vis: list[list[float]], size: Size) -> tuple[npt.NDArray[np.bool_], list[bool]]:
        """(33,) visible landmarks, as an array and as a list. ``z_vis``: (33, 2) z and
        visibility of ``lm`` as floats. ``finite``: ``xy`` has no NaN (then only visibility and
        the frame's edges decide, in fewer array operations)."""
        if not finite:
            vis = self._visible_any(lm, xy, size)
            return vis, vis.tolist()
        vis = lm[:, VIS] >= self.min_visibility   # (NaN visibility compares False)
        if self._inferred:
            seen_l: list[bool] = vis.tolist()
            # A covered landmark (low visibility, still inferred) counts while the rest of the
            # body that the exercise needs is clearly seen on either side.
            if any(all(seen_l[i] for i in self._required[s]) for s in SIDES):
                floor = self.inferred_min_visibility
                for i in self._inferred:
                    if not seen_l[i] and z_vis[i][1] >= floor:
                        vis[i] = True
        if size is not None:
            lo, hi = self._edge_bounds(size)
            inside = np.greater_equal(xy, lo)
            inside &= np.less_equal(xy, hi)
            vis &= np.logical_and.reduce(inside, axis=1)   # x and y in view
        return vis, vis.tolist()

    def _edge_bounds(self, size: tuple[int, int]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(33, 2) lowest and highest (x, y) px still in view, for this frame size (cached):
        one row per landmark, so the comparisons need no broadcasting (numpy's plain loops)."""
        if self._edges is None or self._edges[0] != size:
            w, h = size
            mx, my = EDGE_MARGIN * w, EDGE_MARGIN * h
            self._edges = (size, np.tile([-mx, -my], (NUM_LANDMARKS, 1)),
                           np.tile([w + mx, h + my], (NUM_LANDMARKS, 1)))
        return self._edges[1], self._edges[2]

    def _visible_any(self, lm: npt.NDArray[np.float64], xy: npt.NDArray[np.float64],
                     size: Size) -> npt.NDArray[np.bool_]:
        """:meth:`visible` for positions with NaN."""
        with np.errstate(invalid="ignore"):   # NaN visibility or position: not visible
            vis = (lm[:, VIS] >= self.min_visibility) & np.isfinite(xy).all(axis=1)
            if self._inferred:
                seen = any(all(vis[i] for i in self._required[s]) for s in SIDES)
                if seen:
                    idx = self._inferred
                    vis[idx] |= (lm[idx, VIS] >= self.inferred_min_visibility) \
                        & np.isfinite(xy[idx]).all(axis=1)
        if size is not None:
            w, h = size
            mx, my = EDGE_MARGIN * w, EDGE_MARGIN * h
            with np.errstate(invalid="ignore"):
                inside = ((xy[:, X] >= -mx) & (xy[:, X] <= w + mx)
                          & (xy[:, Y] >= -my) & (xy[:, Y] <= h + my))
            vis &= inside
        return vis

    def tracked(self, lm: npt.NDArray[np.float64], xy: npt.NDArray[np.float64],
                visible: npt.NDArray[np.bool_], size: Size) -> npt.NDArray[np.bool_]:
        """(33,) landmarks MediaPipe still tracks: visible, or covered (e.g. a far arm behind
        the body) with visibility >= ``inferred_min_visibility`` and inside the frame."""
        with np.errstate(invalid="ignore"):
            covered = (lm[:, VIS] >= self.inferred_min_visibility) & np.isfinite(xy).all(axis=1)
            if size is not None:
                w, h = size
                covered &= (xy[:, X] >= 0) & (xy[:, X] <= w) & (xy[:, Y] >= 0) & (xy[:, Y] <= h)
        return visible | covered

    def tracked_list(self, vis: list[bool], pts: list[g.Pt], z_vis: list[list[float]],
                     size: Size) -> list[bool]:
        """:meth:`tracked` for NaN-free positions, as a list, worked out only for the landmarks
        in ``tracked_idx`` (the others keep their visibility: nothing reads them)."""
        tracked = list(vis)
        floor = self.inferred_min_visibility
        for i in self._tracked_idx:
            if tracked[i] or not z_vis[i][1] >= floor:
                continue
            if size is None:
                tracked[i] = True
            else:
                x, y = pts[i]
                tracked[i] = 0 <= x <= size[0] and 0 <= y <= size[1]
        return tracked
