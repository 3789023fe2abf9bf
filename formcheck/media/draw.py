"""Overlay drawing: skeleton coloured by check status, key angles, phase, reps, hold, cue.

Contract (as supervision's annotators): ``annotate(rgb, features, result, definition) -> rgb``
draws on a copy. Uses OpenCV only for drawing primitives.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np
import numpy.typing as npt

from formcheck.core.landmarks import SKELETON_EDGES, resolve
from formcheck.engine.features import Features
from formcheck.engine.scorer import FrameResult
from formcheck.media.video_reader import RGBFrame
from formcheck.rules.definition import Definition

GREEN = (40, 200, 90)
RED = (230, 60, 50)
GREY = (170, 170, 170)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
AMBER = (245, 170, 30)


def _landmark_status(result: FrameResult, d: Definition) -> dict[int, tuple[int, int, int]]:
    """Colour per landmark index: red if a failing check uses it, grey if skipped, green ok."""
    colour: dict[int, tuple[int, int, int]] = {}
    side = result.side or "left"
    rank = {GREEN: 0, GREY: 1, RED: 2}
    by_id = {c.id: c for c in d.checks}
    for c in result.checks:
        m = d.measures[by_id[c.id].measure]
        col = RED if c.status == "fail" else GREY if c.status == "skipped" else GREEN
        for p in m.points:
            i = resolve(p, side).value
            if rank[col] >= rank.get(colour.get(i, GREEN), 0):
                colour[i] = col
    return colour


def landmark_colours(result: FrameResult, d: Definition) -> dict[int, str]:
    """:func:`_landmark_status` as words ("fail", "skipped", "ok") for a browser to draw."""
    names = {RED: "fail", GREY: "skipped", GREEN: "ok"}
    return {i: names[c] for i, c in _landmark_status(result, d).items()}


INFO_HEIGHT = 0.036          # status lines: letter height as a share of the frame's height
CUE_HEIGHT = 0.055           # the cue: ~26 px on a 480 px webcam frame, ~1.6 cm on a laptop
TEXT_PX_AT_SCALE_1 = 22.0    # Hershey simplex letter height at scale 1


def _text(img: RGBFrame, text: str, org: tuple[int, int], scale: float,
          colour: tuple[int, int, int] = WHITE, thick: int = 2) -> None:
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, BLACK, thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def annotate(rgb: RGBFrame, f: Features, r: FrameResult, d: Definition, details: bool = True,
             inplace: bool = False) -> RGBFrame:
    """Return a copy of the (H, W, 3) RGB frame with the feedback drawn on it; without
    ``details`` (a patient's live view) no phase names or angles, only reps, hold and cue.
    ``inplace``: draw on ``rgb`` itself when it is writeable (a frame nothing else reads any
    more, e.g. one on its way to the encoder: a 720p copy cost 1.7 ms per frame here)."""
    img = rgb if inplace and rgb.flags.writeable else rgb.copy()
    h, w = img.shape[:2]
    unit = max(min(w, h) / 720.0, 0.4)
    if f.pose and f.xy_px is not None:
        colour = _landmark_status(r, d)
        vis = f.visible if f.visible is not None else np.ones(len(f.xy_px), bool)
        for a, b in SKELETON_EDGES:
            if not (vis[a] and vis[b]):
                continue
            col = RED if RED in (colour.get(a), colour.get(b)) else colour.get(a, colour.get(b, WHITE))
            pa = tuple(int(v) for v in f.xy_px[a])
            pb = tuple(int(v) for v in f.xy_px[b])
            cv2.line(img, pa, pb, col, max(2, int(4 * unit)), cv2.LINE_AA)
        for i, (x, y) in enumerate(f.xy_px):
            if vis[i] and i >= 11:
                cv2.circle(img, (int(x), int(y)), max(3, int(5 * unit)), colour.get(i, WHITE), -1,
                           cv2.LINE_AA)
    # Text sized to the frame's height, not its pixels: the cue must read from a mat ~2 m from
    # the screen (about 1/18 of the picture's height), the status lines about 1/28.
    # A portrait frame is sized as if it were landscape (its width x 3/4), or the text would
    # not fit across it.
    base = min(h, w * 0.75)
    scale = base * INFO_HEIGHT / TEXT_PX_AT_SCALE_1
    cue_scale = base * CUE_HEIGHT / TEXT_PX_AT_SCALE_1
    thick = max(1, round(scale * 2))
    line = int(base * INFO_HEIGHT * 1.6)
    head = f"{d.name} | phase: {r.phase or '-'} | reps: {r.rep_count}" if details else \
        f"{d.name} | {r.rep_count} {'rep' if r.rep_count == 1 else 'reps'}"
    if r.reps_by_side:
        head += " (" + ", ".join(f"{k[0].upper()} {v}" for k, v in sorted(r.reps_by_side.items())) + ")"
    lines: list[tuple[str, float, tuple[int, int, int]]] = [(head, scale, WHITE)]
    if r.phase and r.side and (r.hold_ms or d.hold.target_s):
        target = f" / {d.hold.target_s:.0f} s" if d.hold.target_s else ""
        lines.append((f"hold: {r.hold_ms / 1000:.1f} s{target}", scale, AMBER))
    for name, val in (r.angles.items() if details else []):
        label = d.measures[name].label or name
        lines.append((f"{label}: {'not seen' if val is None else f'{val:.0f} deg'}", scale * 0.9, WHITE))
    _panel(img, 0, 0, 20 + max(_width(t, sc, thick) for t, sc, _ in lines), line * len(lines) + line // 2)
    for k, (t, sc, col) in enumerate(lines):
        _text(img, t, (10, line * (k + 1)), sc, col, thick)
    if r.cue:
        _cue(img, r.cue, cue_scale, AMBER if r.pose else WHITE)
    return img


def _cue(img: RGBFrame, cue: str, scale: float, colour: tuple[int, int, int]) -> None:
    """The cue in large text at the bottom, wrapped to the frame's width."""
    h, w = img.shape[:2]
    thick = max(2, round(scale * 2))
    wrapped = wrap(cue, scale, thick, w - 20)
    step = int(scale * TEXT_PX_AT_SCALE_1 * 1.5)
    top = h - step * len(wrapped) - step // 3
    _panel(img, 0, top, w, h - top)
    for k, text in enumerate(wrapped):
        _text(img, text, (10, top + step * (k + 1) - step // 4), scale, colour, thick)


def wrap(text: str, scale: float, thick: int, max_w: int) -> list[str]:
    """Words of ``text`` in lines no wider than ``max_w`` pixels (a long word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(lines[-1] + " " + word, scale, thick) <= max_w:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _width(text: str, scale: float, thick: int = 2) -> int:
    (w, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
    return int(w)


PANEL_ALPHA = 0.55   # how much of the picture a text panel takes away


@functools.cache
def _darker(alpha: float) -> npt.NDArray[np.uint8]:
    """Each level 0..255 darkened: the (256,) table of ``(v * (1 - alpha)).astype(uint8)``."""
    return (np.arange(256) * (1.0 - alpha)).astype(np.uint8)


def _panel(img: RGBFrame, x: int, y: int, w: int, h: int, alpha: float = PANEL_ALPHA) -> None:
    """Darken a rectangle in place so white text reads on any background (e.g. a white wall).

    By a table lookup on the rectangle itself (cv2.LUT): the same pixels as multiplying in
    floats and truncating, without a float copy of the panel (a 700 x 300 panel: 0.3 against
    1.0 ms; annotating a 720p frame on a copy: 3.3 against 4.8 ms)."""
    roi = img[max(y, 0): max(y + h, 0), max(x, 0): max(x + w, 0)]
    if roi.size:
        cv2.LUT(roi, _darker(alpha), dst=roi)


def skeleton(rgb: RGBFrame, xy_px: np.ndarray, visible: np.ndarray, colour: tuple[int, int, int] = GREEN) -> RGBFrame:
    """A copy of the frame with the body's skeleton (``xy_px``: (33, 2) pixels, ``visible``:
    (33,) bool) drawn in one colour: the desk monitor shows the person what it sees."""
    img = rgb.copy()
    unit = max(min(img.shape[:2]) / 720.0, 0.4)
    for a, b in SKELETON_EDGES:
        if visible[a] and visible[b]:
            cv2.line(img, (int(xy_px[a][0]), int(xy_px[a][1])), (int(xy_px[b][0]), int(xy_px[b][1])), colour,
                     max(2, int(3 * unit)), cv2.LINE_AA)
    return img
