"""The desk monitor's front-view, upper-body mode (a laptop webcam in front of the person):
synthetic front-view slouches against a calibrated baseline (table-driven), and the upright
real front-view clip through ``formcheck monitor``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from formcheck.core.landmarks import Landmark
from formcheck.core.pose import FramePose
from formcheck.engine.monitor_events import MonitorSettings
from formcheck.monitor.engine import Monitor
from formcheck.monitor.front import front_fault, front_measures
from formcheck.rules.definition import get_definition

FPS = 2.0
FRAME = (1280, 720)
L = Landmark


def front_pose(drop_px: float = 0.0, face: float = 1.0, width: float = 1.0, lean_deg: float = 0.0,
               scale: float = 1.0, rng: np.random.Generator | None = None) -> FramePose:
    """A person facing the camera, head and shoulders in a 1280x720 frame (y down).

    drop_px: the head lowered; face: eye/ear spacing x this (the face nearer the camera);
    width: shoulder span x this; lean_deg: the upper body turned about the hip midpoint (to the
    image right); scale: the whole figure x this about the hips (sitting back: < 1). ``rng``
    adds the sway of good posture: +-3 px on the head, +-1% shoulder span, +-1.5 deg lean.
    """
    if rng is not None:
        drop_px += rng.uniform(-3, 3)
        width *= 1 + rng.uniform(-0.01, 0.01)
        lean_deg += rng.uniform(-1.5, 1.5)
    hips = np.array([640.0, 800.0])
    pts: dict[int, np.ndarray] = {}
    nose = np.array([640.0, 400.0 + drop_px])
    pts[L.NOSE] = nose
    for side, sign in (("LEFT", 1.0), ("RIGHT", -1.0)):
        pts[L[f"{side}_SHOULDER"]] = np.array([640.0 + sign * 100.0 * width, 500.0])
        pts[L[f"{side}_EYE"]] = nose + np.array([sign * 18.0 * face, -15.0])
        pts[L[f"{side}_EAR"]] = nose + np.array([sign * 35.0 * face, -5.0])
        pts[L[f"{side}_HIP"]] = np.array([640.0 + sign * 70.0, 800.0])
    a = math.radians(lean_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    lm = np.zeros((33, 5), np.float32)
    lm[:, :2] = hips
    lm[:, 3:] = 0.99
    for i, xy in pts.items():
        moved = xy if "HIP" in L(i).name else hips + rot @ (xy - hips)
        lm[i, :2] = hips + scale * (moved - hips)
    world = np.zeros((33, 3), np.float32)
    world[:, :2] = (lm[:, :2] - hips) / 400.0     # z = 0: shoulder and hip lines face the camera
    return FramePose(lm, world)


def _run(mon: Monitor, plan: list[tuple[dict, float]], t0: float = 0.0, seed: int = 1) -> tuple[list, float]:
    """Feed (front_pose kwargs, seconds) segments at 2 samples/s with the sway of good posture."""
    rng, events, t = np.random.default_rng(seed), [], t0
    for kw, seconds in plan:
        for _ in range(int(seconds * FPS)):
            events += mon.sample(t, front_pose(rng=rng, **kw), FRAME)
            t += 1 / FPS
    return events, t


CASES = [  # (posture, pose kwargs, the fault that must be named or None)
    ("good, small sway", {}, None),
    ("sitting back from the laptop", {"scale": 0.85}, None),
    ("mild head drop (under the limit)", {"drop_px": 15.0}, None),
    ("head dropped", {"drop_px": 45.0}, "head_dropped"),
    ("head forward", {"face": 1.35}, "head_forward"),
    ("shoulders rounded", {"width": 0.82}, "shoulders_rounded"),
    ("leaning to one side", {"lean_deg": 14.0}, "leaning_sideways"),
]


@pytest.mark.parametrize("posture,kw,fault", CASES, ids=[c[0] for c in CASES])
def test_front_faults_against_the_baseline(posture, kw, fault):
    mon = Monitor(get_definition("sitting"), MonitorSettings(alert_after_s=10.0, calibrate_s=5.0))
    events, _ = _run(mon, [({}, 8), (kw, 30)])
    assert mon.mode == "front"
    calibrated = [e for e in events if e.kind == "calibrated"]
    assert calibrated and "front camera" in calibrated[0].message
    bad = [e for e in events if e.kind == "posture_bad"]
    if fault is None:
        assert bad == [], f"{posture}: {bad}"
    else:
        assert [e.check for e in bad] == [fault], posture
        name, cue = mon.fault_text(fault)    # the plain-words name the live page shows too
        assert bad[0].message.startswith(f"{name} for ") and bad[0].message.endswith(f": {cue}")
        assert name in ("Head dropped", "Head forward", "Shoulders rounded", "Leaning to one side")


def test_front_baseline_is_the_persons_own():
    """A person who calibrates with the head already 15 px low is not told off for it; the same
    pose is under the limit for anyone calibrated upright too, so only a further drop fires."""
    mon = Monitor(get_definition("sitting"), MonitorSettings(alert_after_s=10.0))
    events, t = _run(mon, [({"drop_px": 15.0}, 8), ({"drop_px": 15.0}, 30)])
    assert "posture_bad" not in [e.kind for e in events]
    events, _ = _run(mon, [({"drop_px": 60.0}, 30)], t)
    assert [e.check for e in events if e.kind == "posture_bad"] == ["head_dropped"]


def test_front_calibration_waits_until_settled():
    """Walking up to the laptop (the figure growing 8% a second) does not calibrate."""
    mon = Monitor(get_definition("sitting"), MonitorSettings(calibrate_s=5.0))
    events = []
    for i in range(16):
        events += mon.sample(i / FPS, front_pose(scale=0.6 * 1.04 ** i), FRAME)
    assert "calibrated" not in [e.kind for e in events]
    assert mon.state == "calibrating"


def test_front_measures_need_the_head_and_shoulders():
    pose = front_pose()
    seen = np.ones(33, bool)
    assert front_measures(pose.xy_px.astype(np.float64), seen, FRAME)["front_head_height_sw"] == pytest.approx(0.5)
    seen[L.LEFT_SHOULDER] = False
    assert front_measures(pose.xy_px.astype(np.float64), seen, FRAME) == {}
    assert front_fault({}, {"front_head_height_sw": 0.5}) is None


@pytest.mark.media
def test_upright_front_view_clip_calibrates_front_and_never_alerts(media, capsys):
    """sitting/ipd_sitting_front.mp4: a man sitting upright facing the camera (SOURCES.md; the
    labels give it no fault). Looped to 90 s with alerts after 3 s: calibrated in the front mode,
    no posture alert, all of it good posture."""
    from formcheck.cli.main import main

    clip = media / "sitting" / "ipd_sitting_front.mp4"
    assert main(["monitor", str(clip), "--loop", "12", "--alert-after", "3s", "--calibrate", "3s", "--jsonl"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    kinds = [x["event"] for x in lines]
    assert "calibrated" in kinds and "front camera" in lines[kinds.index("calibrated")]["message"]
    assert "posture_bad" not in kinds
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["seated_s"] > 60 and summary["good_posture_share"] == 1.0
