"""The analysis plan: decided once from what is asked (what to produce, which frames the model
sees) and carried out by one loop; the public analyze_clip call keeps its meaning."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from synth import bridge_pose, bridge_reps

from formcheck.core.pose import ClipInfo, PoseSequence
from formcheck.engine.report import build_report
from formcheck.engine.session import analyze_sequence
from formcheck.media.bundles import resolve_model
from formcheck.rules.definition import get_definition
from formcheck.run.pipeline import analyze_clip
from formcheck.run.plan import Plan, plan_clip


def _poses(n_reps: int = 2) -> PoseSequence:
    poses = bridge_reps(n_reps)
    info = ClipInfo(path="bridge.mp4", fps=30.0, frames=len(poses), width=1000, height=800)
    return PoseSequence.from_frames([i * 1000.0 / 30 for i in range(len(poses))], poses, info)


def test_a_clips_report_alone_is_sampled_and_every_output_needing_each_frame_is_not(tmp_path):
    clip = tmp_path / "clip.mp4"   # never opened: the plan reads only its name
    assert plan_clip(clip).frames == "sampled"
    assert plan_clip(clip).model == resolve_model(None)
    assert plan_clip(clip, full_rate=True).frames == "every"
    video = plan_clip(clip, video_out=tmp_path / "v.mp4", video_details=False)
    assert (video.frames, video.video_out, video.video_details) == ("every", tmp_path / "v.mp4", False)
    assert plan_clip(clip, poses_out=tmp_path / "p.npz").frames == "every"
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), np.zeros((8, 8, 3), np.uint8))
    assert plan_clip(still).frames == "every"   # one frame: nothing to sample


def test_cached_poses_need_no_model_and_decode_the_clip_only_to_draw(tmp_path):
    seq = _poses()
    cached = plan_clip(tmp_path / "clip.mp4", model="no-such-model.task", landmarks=seq,
                       poses_out=tmp_path / "p.npz")
    assert (cached.frames, cached.model, cached.poses_out, cached.decodes) == ("cached", None, None, False)
    assert plan_clip(tmp_path / "clip.mp4", landmarks=seq, video_out=tmp_path / "v.mp4").decodes


def test_a_sampled_plan_falls_back_to_the_same_plan_at_full_rate(tmp_path):
    p = plan_clip(tmp_path / "clip.mp4", pipelined=False)
    full = p.at_full_rate()
    assert full.frames == "every" and (full.model, full.pipelined, full.video_out) == (p.model, False, None)
    assert full.at_full_rate() is full


@pytest.mark.parametrize("kw, why", [({"frames": "cached"}, "landmarks"), ({"frames": "every"}, "model"),
                                     ({"frames": "sampled", "model": "m", "poses_out": "p"}, "pose file"),
                                     ({"frames": "sampled", "model": "m", "video_out": "v"}, "video")])
def test_a_plan_that_cannot_be_carried_out_is_refused(kw, why):
    with pytest.raises(ValueError, match=why):
        Plan(**kw)


def test_cached_poses_run_through_the_one_loop_give_the_sequences_verdict(tmp_path):
    """No clip on disk: the cached plan never decodes. The result is the one a fresh session
    gives the same poses (the path analyze_clip took for them before the plan)."""
    d = get_definition("bridge")
    seq = _poses(3)
    done: list[int] = []
    r = analyze_clip(tmp_path / "gone.mp4", d, landmarks=seq, progress=lambda i, n: done.append(i))
    assert len(r.reps) == 3 and done == list(range(1, len(seq) + 1))
    assert json.dumps(build_report(r)) == json.dumps(build_report(analyze_sequence(seq, d)))
    assert r.info is seq.info


def test_the_cached_loop_judges_a_person_leaving_as_the_session_does(tmp_path):
    d = get_definition("bridge")
    poses = [bridge_pose(125.0)] * 30 + [None] * 30 + [bridge_pose(125.0)] * 30
    seq = PoseSequence.from_frames([i * 1000.0 / 30 for i in range(90)], poses, ClipInfo(fps=30.0))
    r = analyze_clip(tmp_path / "gone.mp4", d, landmarks=seq)
    assert r.summary.person_missing == analyze_sequence(seq, d).summary.person_missing != []
