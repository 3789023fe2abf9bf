"""Animated WebP: read frame by frame (Pillow), timed by the file's durations, and analysed
like a GIF (a two-frame bridge, bottom then top, is one rep)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from formcheck.media.animated import is_animated
from formcheck.media.stills import is_still
from formcheck.media.video_reader import MediaReader


def _webp(path, frames: list[np.ndarray], durations_ms: list[int]) -> None:
    ims = [Image.fromarray(f) for f in frames]
    ims[0].save(path, save_all=True, append_images=ims[1:], duration=durations_ms, loop=0, lossless=True)


def test_animated_webp_gives_every_frame_with_its_time(tmp_path):
    p = tmp_path / "anim.webp"
    frames = [np.full((40, 60, 3), v, np.uint8) for v in (0, 100, 200)]
    _webp(p, frames, [100, 200, 300])
    assert is_animated(p) and not is_still(p)
    with MediaReader(p) as r:
        assert r.info.frames == 3 and not r.info.is_image
        assert r.info.duration_s == pytest.approx(0.6)
        got = list(r)
    assert [f.t_ms for f in got] == [0.0, 100.0, 300.0]
    assert [int(f.rgb[0, 0, 0]) for f in got] == [0, 100, 200]
    assert got[0].rgb.shape == (40, 60, 3)


def test_a_still_webp_is_still_a_still(tmp_path):
    p = tmp_path / "still.webp"
    Image.fromarray(np.full((40, 60, 3), 50, np.uint8)).save(p)
    assert not is_animated(p) and is_still(p)
    with MediaReader(p) as r:
        assert r.info.is_image and len(list(r)) == 1


def test_a_sampling_reader_keeps_the_due_frames(tmp_path):
    p = tmp_path / "anim.webp"
    _webp(p, [np.full((20, 20, 3), 10 * i, np.uint8) for i in range(6)], [100] * 6)
    with MediaReader(p, every_ms=250.0) as r:
        assert [f.t_ms for f in r] == [0.0, 300.0]
        assert r.frames_seen == 6


def test_a_broken_webp_gets_a_clear_message(tmp_path):
    from formcheck.core.errors import MediaError

    p = tmp_path / "bad.webp"
    p.write_bytes(b"RIFF\x10\x00\x00\x00WEBPVP8 garbage")
    with pytest.raises(MediaError):
        MediaReader(p)


def test_a_few_far_apart_key_poses_are_told_from_an_animation(tmp_path):
    from formcheck.media.animated import is_key_poses

    f = [np.full((20, 20, 3), 10 * i, np.uint8) for i in range(9)]
    cases = [("two.webp", 2, 800, True), ("two.gif", 2, 800, True), ("seven.gif", 7, 300, True),
             ("eight.gif", 8, 800, False), ("fast.gif", 2, 100, False), ("one.gif", 1, 800, False)]
    for name, n, ms, want in cases:
        p = tmp_path / name
        ims = [Image.fromarray(x) for x in f[:n]]
        ims[0].save(p, save_all=True, append_images=ims[1:], duration=[ms] * n, loop=0)
        assert is_key_poses(p) is want, name
    assert not is_key_poses(tmp_path / "missing.gif")
    # read once per version of a file: one replaced by another animation is read again
    p = tmp_path / "two.gif"
    ims = [Image.fromarray(x) for x in f[:8]]
    ims[0].save(p, save_all=True, append_images=ims[1:], duration=[800] * 8, loop=0)
    assert is_key_poses(p) is False, "the replaced file (8 frames) was not read again"


def _bridge_animation(media, path) -> None:
    """The bridge's bottom, then top (two photos of one person), 800 ms each."""
    ims = [Image.open(media / "bridge" / f"fedb_pelvic_tilt_into_bridge_{i}.jpg").convert("RGB") for i in (0, 1)]
    kw = {"lossless": True} if path.suffix == ".webp" else {}
    ims[0].save(path, save_all=True, append_images=ims[1:], duration=[800, 800], loop=0, **kw)


@pytest.mark.media
@pytest.mark.parametrize("suffix", [".webp", ".gif"])
def test_two_frame_bridge_bottom_then_top_is_one_good_rep(media, tmp_path, suffix):
    """Each key pose is detected alone (IMAGE mode), as the photo alone is: tracked from the
    bottom, the top's hip read 161 deg (a false hips_too_low); alone it reads 177."""
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip

    p = tmp_path / f"bridge{suffix}"
    _bridge_animation(media, p)
    for full_rate in (False, True):
        r = analyze_clip(p, get_definition("bridge"), full_rate=full_rate)
        assert r.info.frames == 2 and len(r.frames) == 2
        assert len(r.reps) == 1
        assert not r.reps[0].faults, r.reps[0].faults


@pytest.mark.media
def test_two_frame_bird_dog_still_counts(media):
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip

    r = analyze_clip(media / "birddog" / "gq_knee_birddog_2frame.gif", get_definition("bird_dog"))
    assert len(r.reps) == 1


def test_key_pose_gifs_read_with_pillow_give_the_frames_ffmpeg_gave(media):
    """A GIF of a few key poses is read with Pillow (not PyAV, ~50 ms of its whole process):
    on every labelled GIF the frames and times are those of FFmpeg's GIF decoder, so no
    verdict can change; a longer GIF stays with PyAV."""
    import av

    from formcheck.media.animated import is_key_poses

    gifs = sorted(media.glob("*/*.gif"))
    assert len([g for g in gifs if is_key_poses(g)]) >= 4
    for g in gifs:
        assert is_animated(g) == is_key_poses(g)
        if not is_key_poses(g):
            continue
        with av.open(str(g)) as c:
            want = [(float(f.time) * 1000.0, f.to_ndarray(format="rgb24")) for f in c.decode(video=0)]
        with MediaReader(g) as r:
            got = [(f.t_ms, f.rgb) for f in r]
        assert len(got) == len(want), g.name
        for (t, rgb), (wt, wrgb) in zip(got, want, strict=True):
            assert t == pytest.approx(wt) and np.array_equal(rgb, wrgb), g.name
