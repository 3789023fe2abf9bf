"""The desk monitor's front-view, upper-body mode: what a laptop webcam in front of the person
sees (head and shoulders), measured in the image and judged only against the person's own
calibrated baseline (there are no population limits for these image measures).

A front camera cannot see the trunk's lean or the neck's angle in the sagittal plane, so the
side view stays the precise option; the front mode sees the same faults by their image signs:

- the head dropping: the nose comes down towards the shoulder line;
- the head coming forward: the face grows in the picture while the shoulders do not;
- the shoulders rounding: the shoulders narrow in the picture while the face does not (a person
  leaning back narrows both, which is not rounding);
- leaning to one side: the shoulder line tilts, or the head leaves the shoulders' midline.

Lengths are in shoulder widths or ratios to the baseline, so the distance to the camera and the
picture size drop out. Tolerances: see FRONT_RULES (each with its reason).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from formcheck.core.landmarks import Landmark

_NEEDED = (Landmark.NOSE, Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER)


@dataclass(frozen=True)
class FrontRule:
    """A personal limit: ``measure`` failing when it moves past baseline + ``tolerance`` in
    ``direction`` (+1: the fault raises it, -1: lowers it). Ratio measures (``relative``) are
    compared as value / baseline - 1."""

    id: str
    measure: str
    direction: int
    tolerance: float
    relative: bool
    name: str
    cue: str
    reason: str


# Tolerances: a fault must be well past the sway of good posture. Measured on the upright
# front-view clip (sitting/ipd_sitting_front.mp4, 640x480, sampled at 2/s through the monitor's
# own smoothing, 15 samples): nose height 0.515-0.562 shoulder widths (median 0.544, so +-0.03),
# eye-to-eye / shoulder width 0.183-0.213 (median 0.195: -6% / +10%), shoulder width 93.5-95.7 px
# (+-1.2%), tilt 0.6-3.8 deg. One short clip gives the sway, not the limits: each limit is a
# change a person would see in a mirror, at least 2-3x that sway. CLINICAL.md "Sitting for long":
# small posture changes show only against the person's own baseline, so each limit is a change
# from it, not an absolute value (nothing here is a population limit).
FRONT_RULES: tuple[FrontRule, ...] = (
    FrontRule("head_dropped", "front_head_height_sw", -1, 0.15, False, "Head dropped",
              "Lift your head: eyes level with the top of the screen.",
              "nose height above the shoulder line falls by 0.15 shoulder widths (~6 cm on a 40 cm "
              "shoulder span; the ear-nose offset of a ~15 deg nod), over 3x the upright sway"),
    FrontRule("head_forward", "front_face_scale", +1, 0.20, True, "Head forward",
              "Bring your head back over your shoulders.",
              "the face (eye to eye) grows 20% relative to the shoulder width (the head ~8 cm "
              "nearer a camera 50 cm away); the eye distance is a small length (~18 px at 640x480) "
              "and swayed -6% to +10% of its median on the upright clip, so twice that"),
    FrontRule("shoulders_rounded", "front_shoulder_width", -1, 0.10, True, "Shoulders rounded",
              "Roll your shoulders back and down.",
              "the shoulders narrow 10% in the picture while the face keeps its size (leaning back "
              "narrows both); over 3x the upright sway"),
    FrontRule("leaning_sideways", "front_tilt_deg", +1, 8.0, False, "Leaning to one side",
              "Sit evenly on both hips, head over the middle of your shoulders.",
              "the shoulder line tilts or the head moves off the shoulders' midline by 8 deg more "
              "than at calibration (the larger of the two); over 3x the upright sway"),
)


def front_measures(xy_px: npt.NDArray[np.float64], visible: npt.NDArray[np.bool_] | None,
                   frame_size: tuple[int, int] | None = None) -> dict[str, float]:
    """Image measures of one frame: xy_px (33, 2) pixels (y down), visible (33,) bools,
    frame_size (width, height) px (None: lengths are divided by 1000 px instead).

    Returns {} when the nose, eyes or shoulders are not visible. ``front_head_height_sw``: nose
    above the shoulder midpoint in shoulder widths; ``front_face_scale``: eye-to-eye over shoulder
    width; ``front_shoulder_width`` / ``front_eye_width``: the shoulder width and eye distance as
    shares of the frame's longer side (compared with the baseline as ratios; kept in the profile
    beside the side angles, so within +-180); ``front_tilt_deg``: the larger of the shoulder
    line's tilt from horizontal and the shoulder-mid -> nose line's tilt from vertical (deg, >= 0).
    """
    if visible is not None and not all(bool(visible[i]) for i in _NEEDED):
        return {}
    p = np.asarray(xy_px, dtype=np.float64)
    ls, rs, nose = p[Landmark.LEFT_SHOULDER], p[Landmark.RIGHT_SHOULDER], p[Landmark.NOSE]
    width = float(np.hypot(*(ls - rs)))
    eyes = float(np.hypot(*(p[Landmark.LEFT_EYE] - p[Landmark.RIGHT_EYE])))
    if not (math.isfinite(width) and math.isfinite(eyes)) or width <= 1.0 or eyes <= 0.0:
        return {}
    mid = (ls + rs) / 2.0
    dx, dy = abs(float(ls[0] - rs[0])), abs(float(ls[1] - rs[1]))
    shoulder_tilt = math.degrees(math.atan2(dy, dx))
    hx, hy = float(nose[0] - mid[0]), float(mid[1] - nose[1])
    head_tilt = abs(math.degrees(math.atan2(hx, hy))) if hy > 0 else 90.0
    scale = float(max(frame_size)) if frame_size else 1000.0
    return {"front_head_height_sw": hy / width, "front_face_scale": eyes / width,
            "front_shoulder_width": width / scale, "front_eye_width": eyes / scale,
            "front_tilt_deg": max(shoulder_tilt, head_tilt)}


def front_fault(values: dict[str, float], baseline: dict[str, float]) -> tuple[str, float] | None:
    """The first front rule failing against ``baseline`` (the calibrated medians of the same
    measures): (rule id, value), or None. The face growing against the shoulders is the head
    coming forward only while the shoulders keep their width (narrower shoulders are rounding);
    shoulder rounding counts only while the face keeps its size (shrinks less than the rule's
    tolerance), so sitting back from the camera is not rounding."""
    for rule in FRONT_RULES:
        v, base = values.get(rule.measure, math.nan), baseline.get(rule.measure)
        if base is None or math.isnan(v) or (rule.relative and base <= 0):
            continue
        change = v / base - 1.0 if rule.relative else v - base
        if rule.direction * change <= rule.tolerance:
            continue
        if rule.id == "head_forward" and _ratio(values, baseline, "front_shoulder_width") < -_ROUNDING.tolerance:
            continue   # the face grew against narrower shoulders: that is the shoulders rounding
        if rule.id == "shoulders_rounded":
            eye, eye0 = values.get("front_eye_width", math.nan), baseline.get("front_eye_width")
            if eye0 is None or math.isnan(eye) or eye / eye0 - 1.0 < -rule.tolerance:
                continue
        return rule.id, v
    return None


def _ratio(values: dict[str, float], baseline: dict[str, float], measure: str) -> float:
    """value / baseline - 1 of a length measure (0 when either is unknown)."""
    v, base = values.get(measure, math.nan), baseline.get(measure)
    return 0.0 if base is None or base <= 0 or math.isnan(v) else v / base - 1.0


def front_text(rule_id: str) -> tuple[str, str]:
    """(name, cue) of a front rule, in plain words."""
    rule = next(r for r in FRONT_RULES if r.id == rule_id)
    return rule.name, rule.cue


FRONT_IDS = frozenset(r.id for r in FRONT_RULES)
_ROUNDING = next(r for r in FRONT_RULES if r.id == "shoulders_rounded")
# Calibration waits until the shoulder width stays within this share of its median (a person
# still settling or walking up to the laptop changes it fast: 0.29 -> 0.40 of the frame in 1 s
# on the close front part of sitting/jonz_office_chair_upright_slouch_recline.mp4; upright on
# sitting/ipd_sitting_front.mp4 it stays within 2%).
FRONT_SETTLED_SHARE = 0.10
# what calibration keeps: every rule's measure and the face size the rounding rule compares
FRONT_MEASURES = tuple(r.measure for r in FRONT_RULES) + ("front_eye_width",)
