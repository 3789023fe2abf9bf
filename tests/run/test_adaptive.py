"""Refining a sampled clip around its knife-edge reps (formcheck.run.adaptive), without the pose
model: which stretches get every frame, and when the next model frame is due; and on a real
clip, a pass that stops as soon as the clip must go to full rate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from synth import top_rep

from formcheck.media.estimator import MP_VISIBILITY_ALPHA
from formcheck.run.adaptive import REFINE_PAD_MS, SEED_FRAMES, _next_due, _uncovered, refine_windows

FRAME_MS = 1000.0 / 30.0
WINDOWS = [(1000.0, 2000.0), (5000.0, 6000.0)]


@pytest.mark.parametrize("t_ms,gap_ms,due", [
    (0.0, 233.0, 233.0),         # sampled: the sampler's gap
    (900.0, 233.0, 1000.0),      # never past a window's start
    (980.0, 233.0, 980.0),       # the next frame is in the window: every frame
    (1500.0, 233.0, 1500.0),     # inside: every frame
    (2000.0, 233.0, 2233.0),     # after it: sampled again
    (4900.0, 0.0, 4900.0),       # the sampler's own every-frame stays
])
def test_the_model_sees_every_frame_inside_a_refined_stretch_and_samples_outside(t_ms, gap_ms, due):
    assert _next_due(t_ms, gap_ms, WINDOWS, FRAME_MS) == pytest.approx(due)


def _knife_edge_rep(start_ms: float, end_ms: float):
    # a run of fails of 300 ms at the settled top: within 0.5..2x min_fault_ms (250)
    rep = top_rep([(start_ms + 100.0, "fail"), (start_ms + 400.0, "fail"), (start_ms + 500.0, "ok")])
    rep.start_ms, rep.end_ms = start_ms, end_ms
    return rep


def _result(reps):
    return SimpleNamespace(definition=SimpleNamespace(min_fault_ms=250.0), reps=reps)


def test_refined_stretches_cover_each_knife_edge_rep_with_a_seed_before_it_and_merge():
    seed_ms = SEED_FRAMES * FRAME_MS
    clear = top_rep([(0.0, "ok"), (100.0, "ok")])
    reps = [_knife_edge_rep(10000.0, 12000.0), clear, _knife_edge_rep(13000.0, 14000.0),
            _knife_edge_rep(40000.0, 41000.0)]
    windows = refine_windows(_result(reps), FRAME_MS)
    assert windows == [pytest.approx((10000.0 - REFINE_PAD_MS - seed_ms, 14000.0 + REFINE_PAD_MS)),
                       pytest.approx((40000.0 - REFINE_PAD_MS - seed_ms, 41000.0 + REFINE_PAD_MS))]
    assert refine_windows(_result([clear]), FRAME_MS) == []
    # a knife edge the refined pass finds outside them still needs the full-rate pass
    assert _uncovered(_result(reps[:1]), windows, seed_ms) == ""
    assert "outside" in _uncovered(_result([_knife_edge_rep(20000.0, 21000.0)]), windows, seed_ms)


def test_the_seed_lets_mediapipes_visibility_filter_forget_where_it_started():
    assert (1.0 - MP_VISIBILITY_ALPHA) ** SEED_FRAMES < 0.005 <= (1.0 - MP_VISIBILITY_ALPHA) ** (SEED_FRAMES - 1)


def test_a_sampled_pass_stops_at_the_first_frame_a_covered_limbs_phase_is_estimated(media):
    """Such a clip goes to full rate whatever the rest of the pass would see (marginal()):
    the pass stops there, and the clip's result is the full-rate one."""
    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.adaptive import PHASE_ESTIMATED, _sampled_pass
    from formcheck.run.pipeline import analyze_clip

    clip, d = media / "birddog/lena_bird_dog_rear_oblique_close.mp4", get_definition("bird_dog")
    first = _sampled_pass(clip, d, None, default_model_path(), None)
    assert first.stopped == PHASE_ESTIMATED
    assert first.session.features[-1].phase_estimated
    assert not any(f.phase_estimated for f in first.session.features[:-1])
    r = analyze_clip(clip, d)
    assert r.info.model_frames == r.info.frames == 287


@pytest.mark.parametrize("clip,exercise,stands", [
    ("polybag_bird_dog.mp4", "bird_dog", False),   # a limb the reps are counted on goes out of view
    ("physioplus_bridging.mp4", "bridge", True),
])
def test_the_people_check_looks_at_the_sampled_frames_only_when_their_verdict_stands(monkeypatch, clip, exercise,
                                                                                   stands):
    """A clip sent to full rate is checked for people there: the first pass's kept frames are
    dropped unchecked (each check costs a model run), and a verdict that stands gets its count."""
    from pathlib import Path

    from formcheck.media import crowd
    from formcheck.rules.definition import get_definition
    from formcheck.run import pipeline
    from formcheck.run.adaptive import analyze_adaptive
    from formcheck.run.plan import plan_clip

    checked: list[tuple[int, ...]] = []
    monkeypatch.setattr(crowd.CrowdCheck, "_check", lambda self, rgb: (checked.append(rgb.shape), self._count(1)))
    full_rate: list[object] = []
    monkeypatch.setattr(pipeline, "run", lambda path, d, profile, plan, progress=None: full_rate.append(plan))
    path = Path(__file__).resolve().parents[2] / "sample_videos" / clip
    plan = plan_clip(path, None, None, None, None)
    assert plan.frames == "sampled"
    result = analyze_adaptive(path, get_definition(exercise), None, plan)
    if stands:
        assert not full_rate and len(checked) == 2   # at 0 and 2 s of a 3 s clip
        assert result.summary.people_message is None
    else:
        assert len(full_rate) == 1 and result is None and checked == []
