"""Adaptive sampling without the pose model: the sampler's step, when it follows every frame,
the knife-edge check that sends a clip to full rate, and the visibility re-smoothing.

The end-to-end cases replay a synthetic clip twice through the engine: every frame, and only
the frames the sampler asks for (as the clip pipeline does), and compare the verdicts."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import bridge_pose, sitting_pose, top_rep

from formcheck.core.pose import ClipInfo
from formcheck.engine.sampling import AdaptiveSampler, coarse_step_ms, longest_fail_runs, marginal
from formcheck.engine.scorer import MAX_DT_MS
from formcheck.engine.session import Session
from formcheck.media.estimator import MP_VISIBILITY_ALPHA, DenseVisibility
from formcheck.rules.definition import get_definition

FPS = 30.0
FRAME_MS = 1000.0 / FPS


@pytest.mark.parametrize("fps,frames_per_step", [(30, 7), (24, 6), (25, 6), (60, 15), (15, 3), (10, 2), (4, 1), (2, 1)])
def test_the_coarse_step_is_the_most_whole_frames_within_the_scorers_longest_step(fps, frames_per_step):
    frame_ms = 1000.0 / fps
    due = coarse_step_ms(frame_ms)
    # the reader yields the first frame at or after the due time
    taken = math.ceil(due / frame_ms - 1e-9)
    assert taken == frames_per_step
    assert taken * frame_ms <= max(MAX_DT_MS, frame_ms) + 1e-6


def _run(poses, d, adaptive: bool):
    """Replay a synthetic clip (one pose per 30 fps frame) through a session, every frame or
    only those the sampler asks for. Returns (result, frames the model 'ran' on)."""
    s = Session(d, None, ClipInfo(fps=FPS, width=1000, height=1000))
    sampler = AdaptiveSampler(d, FRAME_MS)
    due, used = -math.inf, 0
    for i, pose in enumerate(poses):
        t = i * FRAME_MS
        if adaptive and t + 1e-6 < due:
            continue
        f, r = s.update(t, pose)
        used += 1
        due = t + sampler.gap_ms(f, r, s.scorer.phase_room_deg(f))
    return s.finish(), used


def _bridge_clip(reps: int, top_hip_deg: float = 178.0, hold_s: float = 2.0) -> list:
    """Slow bridges: 2 s rest, 1 s up, ``hold_s`` at the top, 1 s down."""
    hips: list[float] = []
    for _ in range(reps):
        hips += [120.0] * 60
        hips += list(np.linspace(120.0, top_hip_deg, 30))
        hips += [top_hip_deg] * int(hold_s * FPS)
        hips += list(np.linspace(top_hip_deg, 120.0, 30))
    hips += [120.0] * 60
    return [bridge_pose(h, hip_above=False) for h in hips]


@pytest.mark.parametrize("top_hip_deg,fault", [(178.0, False), (160.0, True)])
def test_slow_bridges_give_the_same_verdicts_from_fewer_frames(top_hip_deg, fault):
    d = get_definition("bridge")
    poses = _bridge_clip(3, top_hip_deg)
    full, n_full = _run(poses, d, adaptive=False)
    adapt, n_adapt = _run(poses, d, adaptive=True)
    assert len(full.reps) == len(adapt.reps) == 3
    assert [r.faults for r in full.reps] == [r.faults for r in adapt.reps]
    assert any(r.faults for r in full.reps) == fault
    step = coarse_step_ms(FRAME_MS) + FRAME_MS / 2
    for a, b in zip(full.reps, adapt.reps, strict=True):
        assert abs(a.start_ms - b.start_ms) <= step and abs(a.top_ms - b.top_ms) <= step
        assert abs(a.end_ms - b.end_ms) <= step
    assert n_adapt < 0.5 * n_full   # held positions and slow movement need few frames


def test_a_sampled_rep_ends_within_two_frames_of_the_full_rate_end():
    """Reaching rest on the way down from a top is followed every other frame, as entering
    and leaving the top are: where a rep ends does not wait for the next step."""
    d = get_definition("bridge")
    poses = _bridge_clip(3)
    full, _ = _run(poses, d, adaptive=False)
    adapt, _ = _run(poses, d, adaptive=True)
    for a, b in zip(full.reps, adapt.reps, strict=True):
        assert abs(a.end_ms - b.end_ms) <= 2 * FRAME_MS + 1e-6, (a.index, a.end_ms, b.end_ms)


def test_a_sitter_near_a_limit_is_followed_frame_by_frame():
    d = get_definition("sitting")
    limit = next(c.max for c in d.checks if c.id == "forward_head")
    far = [sitting_pose(neck_lean_deg=limit - 20.0)] * 90
    near = [sitting_pose(neck_lean_deg=limit - 1.0)] * 90
    _, n_far = _run(far, d, adaptive=True)
    _, n_near = _run(near, d, adaptive=True)
    assert n_far <= 90 / 6
    assert n_near >= 85   # every frame, bar the filter settling


def _gaps(leans: list[float], limit: float) -> list[float]:
    """The sampler's gap after each of these neck leans (deg below the limit), 200 ms apart."""
    d = get_definition("sitting")
    sampler = AdaptiveSampler(d, FRAME_MS)
    s = Session(d, None, ClipInfo(fps=FPS, width=1000, height=1000))
    gaps = []
    for i, below in enumerate(leans):
        for k in range(20):   # let the smoothing filter settle on each value
            f, r = s.update(i * 200.0 + k, sitting_pose(neck_lean_deg=limit - below))
        gaps.append(sampler.gap_ms(f, r, s.scorer.phase_room_deg(f)))
    return gaps


def test_a_measure_closing_in_on_a_limit_is_followed_before_it_gets_there():
    limit = next(c.max for c in get_definition("sitting").checks if c.id == "forward_head")
    # 10 deg below the limit and still: one frame per step
    assert _gaps([10.0, 10.0], limit)[1] > 0
    # 10 deg below but coming at 50 deg/s: one step on it would be there; every frame now
    assert _gaps([20.0, 10.0], limit)[1] == 0.0


def test_no_whole_person_is_followed_frame_by_frame():
    d = get_definition("bridge")
    _, used = _run([None] * 60, d, adaptive=True)
    assert used == 60


def test_longest_fail_run_is_measured_on_the_settled_top():
    frames = [(0.0, "ok"), (100.0, "fail"), (200.0, "fail"), (300.0, "ok"), (400.0, "fail"),
              (500.0, "skipped"), (600.0, "fail"), (700.0, "fail")]
    assert longest_fail_runs(top_rep(frames)) == {"hips_too_low": 300.0}   # 400..700: skipped does not break it


def _result(reps=(), missing=(), position=False, views_ms=None, out_of_position_ms=0.0):
    """A result whose summary the engine's summarize made of these view and position times."""
    from formcheck.engine.summary import summarize

    d = SimpleNamespace(min_fault_ms=250.0, position=[SimpleNamespace(cue="Lie down")] if position else [],
                        phases=SimpleNamespace(kind="cycle"), view="side", view_cue="Film from the side")
    summary = summarize(d, list(reps), {}, views_ms or {"side": 1000.0}, 1.0, out_of_position_ms, None,
                        list(missing))
    return SimpleNamespace(definition=d, reps=list(reps), features=[], summary=summary)


@pytest.mark.parametrize("run_ms,knife_edge", [(0.0, False), (100.0, False), (125.0, True), (367.0, True),
                                               (499.0, True), (500.0, False), (2000.0, False)])
def test_a_fault_decided_by_a_frame_or_two_is_a_knife_edge(run_ms, knife_edge):
    frames = [(0.0, "fail"), (run_ms, "fail"), (run_ms + 100.0, "ok")] if run_ms else [(0.0, "ok")]
    why = marginal(_result([top_rep(frames)]))
    assert bool(why) == knife_edge, why


def test_missing_person_and_split_views_are_knife_edges():
    assert "no whole person" in marginal(_result(missing=[(0.0, 900.0)], views_ms={"side": 1.0}))
    assert "camera views" in marginal(_result(views_ms={"side": 520.0, "front": 480.0}))
    assert marginal(_result(views_ms={"side": 700.0, "front": 300.0})) == ""
    split = _result(position=True, out_of_position_ms=510.0)
    assert "position" in marginal(split) and split.summary.position_message == "Lie down"
    assert marginal(_result(position=True, out_of_position_ms=490.0)).startswith("out of position")
    kept = _result(position=True, out_of_position_ms=100.0)
    assert marginal(kept) == "" and kept.summary.position_message is None


def test_the_summary_says_how_close_its_view_and_position_decisions_came():
    s = _result(position=True, views_ms={"side": 600.0, "front": 300.0, "oblique": 100.0},
                out_of_position_ms=250.0).summary
    assert s.view == "side" and s.view_lead == pytest.approx(0.3) and s.out_of_position_share == 0.25
    nothing = _result(views_ms={"side": 0.0}).summary   # never in view: no decision to be close to
    assert (nothing.view_lead, nothing.out_of_position_share) == (1.0, 0.0) and marginal(_result()) == ""
    from formcheck.engine.report import summary_from_json, summary_json

    back = summary_from_json(summary_json(s))   # not in the report: unknown once read back
    assert (back.view_lead, back.out_of_position_share) == (None, None)


def _mediapipe_filter(raw: np.ndarray, every: int) -> np.ndarray:
    """MediaPipe's visibility low-pass run on every ``every``-th frame of a raw series."""
    out, v = [], None
    for x in raw[::every]:
        v = x if v is None else MP_VISIBILITY_ALPHA * x + (1 - MP_VISIBILITY_ALPHA) * v
        out.append(v)
    return np.array(out)


@settings(max_examples=400, deadline=None)
@given(st.integers(2, 8), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.integers(20, 120))
def test_visibility_of_a_sampled_tracker_is_what_it_would_be_at_full_rate(every, v0, v1, ramp):
    """A landmark coming into view (raw visibility ramping from v0 to v1): re-smoothing the
    sampled tracker's output gives the full-rate tracker's value, where the sampled one lags."""
    n = 240
    raw = np.concatenate([np.full(40, v0), np.linspace(v0, v1, ramp), np.full(n, v1)])[:n].astype(np.float64)
    dense = _mediapipe_filter(raw, 1)[::every]
    sampled = _mediapipe_filter(raw, every)
    fix = DenseVisibility(FRAME_MS)
    got = np.array([fix(np.full(33, v, np.float32), i * every * FRAME_MS)[0] for i, v in enumerate(sampled)])
    # within 0.03: the raw value is taken to change linearly between samples, which is off
    # for a step or two where a ramp starts or ends between them (real clips: p95 0.023)
    assert np.max(np.abs(got - dense)) <= 0.03
    # the plain sampled series lags visibly where it matters (the fix does not): with a ramp
    # of slope k per frame, by about k * 10 * (every - 1) frames, over 0.1 from every 4th frame
    if abs(v1 - v0) > 0.5 and every >= 4:
        assert np.max(np.abs(sampled - dense)) > 0.05


def test_visibility_of_a_tracker_fed_every_frame_is_left_as_it_is():
    fix = DenseVisibility(FRAME_MS)
    rng = np.random.default_rng(1)
    v = np.float32(0.3)
    for i in range(100):
        v = np.float32(0.1 * rng.random() + 0.9 * v)
        out = fix(np.full(33, v, np.float32), i * FRAME_MS)
        np.testing.assert_allclose(out, v, atol=1e-5)
