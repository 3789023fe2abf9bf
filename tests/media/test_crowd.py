"""The people check of clip analysis: deferred until the tracking landmarker is closed (the two
models never in memory together), with the same counts as checking inline."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formcheck.media.bundles import default_model_path
from formcheck.media.crowd import CrowdCheck
from formcheck.media.video_reader import MediaReader

CLIP = Path(__file__).resolve().parents[2] / "sample_videos" / "physioplus_bridging.mp4"


def _frames() -> list[tuple[np.ndarray, float]]:
    with MediaReader(CLIP) as r:
        return [(f.rgb, f.t_ms) for f in r]


def test_deferred_people_check_loads_its_model_only_at_close_and_counts_like_inline():
    frames = _frames()
    doubled = [(np.concatenate([rgb, rgb], axis=1), t) for rgb, t in frames]   # two people side by side
    for seq, want in ((frames, 0), (doubled, None)):
        inline, deferred = CrowdCheck(default_model_path()), CrowdCheck(default_model_path(), deferred=True)
        for rgb, t in seq:
            inline.offer(rgb, t)
            deferred.offer(rgb, t)
        assert deferred._est is None, "no second model while the clip is being tracked"
        inline.close()
        deferred.close()
        assert deferred.checks == inline.checks >= 2   # one check every 2 s of a 3 s clip
        assert deferred.crowded == inline.crowded
        if want == 0:
            assert deferred.crowded == 0 and deferred.message() is None
        else:
            assert deferred.crowded >= 1 and "More than one person" in (deferred.message() or "")


def test_a_still_is_judged_and_its_people_counted_by_one_landmarker(tmp_path, monkeypatch):
    """A photo's pose is the one a one-person landmarker finds, and someone else in the
    photo is still reported, with no second landmarker started for the count."""
    import cv2

    from formcheck.media import crowd
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip, extract_poses

    rgb = _frames()[45][0]   # the bridge at its top
    alone, doubled = tmp_path / "alone.png", tmp_path / "doubled.png"
    cv2.imwrite(str(alone), rgb[:, :, ::-1])
    cv2.imwrite(str(doubled), np.concatenate([rgb, rgb], axis=1)[:, :, ::-1])
    d = get_definition("bridge")
    one = extract_poses(alone)   # a one-person landmarker
    assert one.detected.all()
    want = analyze_clip(alone, d, landmarks=one)
    started = []
    monkeypatch.setattr(crowd.CrowdCheck, "_check", lambda self, rgb: started.append(rgb))
    got = analyze_clip(alone, d)
    assert started == [], "the people were counted by the landmarker that judged the photo"
    assert got.summary.people_message is None
    assert [f.values for f in got.features] == [f.values for f in want.features]
    assert [(r.index, r.faults) for r in got.reps] == [(r.index, r.faults) for r in want.reps]
    two = analyze_clip(doubled, d)
    assert "More than one person" in (two.summary.people_message or "")


def test_kept_frames_are_the_jpeg_opencv_made_without_loading_opencv():
    """The deferred check keeps its frames with Pillow (OpenCV's libraries were ~30 MB of a
    1080p clip's peak): the same libjpeg-turbo at the same settings, so the same bytes and, back,
    the same pixels the people check saw before (its counts cannot change)."""
    import cv2

    from formcheck.media.crowd import JPEG_QUALITY, _jpeg, _unjpeg

    for rgb, _ in _frames()[::30]:
        ok, want = cv2.imencode(".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        assert ok and _jpeg(rgb) == want.tobytes()
        back = _unjpeg(_jpeg(rgb))
        assert back is not None and np.array_equal(back, cv2.imdecode(want, cv2.IMREAD_COLOR)[:, :, ::-1])
    assert _unjpeg(b"not a jpeg") is None


def test_checks_look_at_a_reduced_frame_and_still_find_two_people():
    """A 1080p frame is checked at a fifth of its size per side (kept as a JPEG of that), and two
    people side by side are still both found on every check, one person alone never twice."""
    from formcheck.media.crowd import PEOPLE_CHECK_SHORT_SIDE_PX, _smaller, _unjpeg

    clip = CLIP.parent / "polybag_bird_dog.mp4"   # 1080 x 1920, one person on all fours
    with MediaReader(clip) as r:
        frames = [(f.rgb, f.t_ms) for f in r if f.t_ms < 4500.0]
    doubled = [(np.concatenate([rgb, rgb], axis=1), t) for rgb, t in frames]
    small = _smaller(doubled[0][0])
    assert small.shape == (384, 432, 3) and min(small.shape[:2]) >= PEOPLE_CHECK_SHORT_SIDE_PX
    assert _smaller(frames[0][0]).shape == (640, 360, 3)
    lowres = np.zeros((PEOPLE_CHECK_SHORT_SIDE_PX * 2 - 1, 800, 3), np.uint8)
    assert _smaller(lowres) is lowres, "a frame under twice the size is checked as it is"
    for seq, crowded in ((frames, False), (doubled, True)):
        check = CrowdCheck(default_model_path(), deferred=True)
        for rgb, t in seq:
            check.offer(rgb, t)
        assert check._kept is not None
        kept = _unjpeg(check._kept[0])
        assert kept is not None and kept.shape == _smaller(seq[0][0]).shape
        check.close()
        assert check.checks == 3   # at 0, 2 and 4 s
        assert check.crowded == (check.checks if crowded else 0)
