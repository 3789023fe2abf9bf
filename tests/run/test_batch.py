"""Batch runs: input expansion, stable output names, parallel workers, a failing clip that
does not stop the others, resumability; and pipelined vs sequential analysis agreeing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from formcheck.core.errors import FormcheckError
from formcheck.run.batch import BatchJob, find_clips, output_stem, run_batch

CLIP = "bridge/physioplus_bridging.mp4"


def test_find_clips_expands_folders_and_globs(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/x.mp4", "a/y.MOV", "a/notes.txt", "z.jpg"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in find_clips([str(tmp_path / "a")])] == ["x.mp4", "y.MOV"]
    assert [p.name for p in find_clips([str(tmp_path / "**" / "*.mp4"), str(tmp_path / "z.jpg")])] == ["x.mp4", "z.jpg"]
    with pytest.raises(FormcheckError, match="no file matches"):
        find_clips([str(tmp_path / "*.webm")])
    with pytest.raises(FormcheckError, match="no such file"):
        find_clips([str(tmp_path / "missing.mp4")])


def test_output_names_are_stable_and_distinct(tmp_path):
    a, b = tmp_path / "p1" / "clip.mp4", tmp_path / "p2" / "clip.mp4"
    assert output_stem(a) == output_stem(a) != output_stem(b)
    assert output_stem(a).startswith("clip_mp4-")


@pytest.mark.slow
def test_batch_two_workers_failure_isolated_and_resumable(media, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(media / CLIP, src / "good.mp4")
    (src / "broken.mp4").write_text("not a video")
    job = BatchJob("bridge", tmp_path / "out")
    first = {Path(o.clip).name: o for o in run_batch(find_clips([str(src)]), job, workers=2)}
    assert first["good.mp4"].status == "done" and first["good.mp4"].reps == 1
    assert first["broken.mp4"].status == "failed" and "not a video" in first["broken.mp4"].error
    report = json.loads(Path(first["good.mp4"].report).read_text())
    assert report["rep_count"] == 1 and report["schema"] == 1
    assert "broken.mp4" in (tmp_path / "out" / "summary.csv").read_text()
    again = {Path(o.clip).name: o.status for o in run_batch(find_clips([str(src)]), job, workers=2)}
    assert again == {"good.mp4": "skipped", "broken.mp4": "failed"}
    forced = run_batch(find_clips([str(src / "good.mp4")]), BatchJob("bridge", tmp_path / "out", force=True))
    assert forced[0].status == "done"


@pytest.mark.slow
def test_pipelined_and_sequential_analysis_give_the_same_report(media, tmp_path):
    from formcheck.engine.report import build_report
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip

    d = get_definition("bridge")
    a = analyze_clip(media / CLIP, d, video_out=tmp_path / "a.mp4", pipelined=True)
    b = analyze_clip(media / CLIP, d, video_out=tmp_path / "b.mp4", pipelined=False)
    assert build_report(a) == build_report(b)
    assert (tmp_path / "a.mp4").stat().st_size > 0 and (tmp_path / "b.mp4").stat().st_size > 0


def test_annotated_video_of_a_phone_clip_is_capped_at_1280(tmp_path):
    import av
    import numpy as np

    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip

    clip = tmp_path / "phone.mp4"
    with av.open(str(clip), "w") as out:
        s = out.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 1080, 1920, "yuv420p"
        for i in range(5):
            f = av.VideoFrame.from_ndarray(np.full((1920, 1080, 3), 60, np.uint8), format="rgb24")
            f.pts = i
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    r = analyze_clip(clip, get_definition("sitting"), video_out=tmp_path / "a.mp4")
    assert (r.info.width, r.info.height) == (1080, 1920)           # analysed at full size
    with av.open(str(tmp_path / "a.mp4")) as c:
        v = c.streams.video[0]
        assert (v.width, v.height) == (720, 1280) and sum(1 for _ in c.decode(video=0)) == 5


def test_a_drawn_phone_frame_is_brought_down_to_1280_looking_as_area_averaged(tmp_path, monkeypatch):
    """The annotated video's 1080p frames are scaled bilinearly (a third of area averaging's CPU):
    on a real phone frame with the text drawn, within 40 dB PSNR of the area-averaged frame."""
    import cv2
    import numpy as np

    from formcheck.engine.session import Session
    from formcheck.media.draw import annotate
    from formcheck.media.video_reader import MediaReader
    from formcheck.media.video_writer import VideoWriter
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import _EncoderThread

    clip = Path(__file__).resolve().parents[2] / "sample_videos" / "polybag_pelvic_tilt_supine.mp4"
    with MediaReader(clip) as r:
        rgb = next(iter(r)).rgb
    d = get_definition("bridge")
    feats, res = Session(d).update(0.0, None)
    written = []
    monkeypatch.setattr(VideoWriter, "write", lambda self, img, t: written.append(img))
    enc = _EncoderThread(tmp_path / "a.mp4", rgb.shape[1], rgb.shape[0], 30.0, d, threaded=False)
    enc.put(rgb.copy(), feats, res, 0.0)
    enc.close(ok=False)
    want = cv2.resize(annotate(rgb, feats, res, d), (720, 1280), interpolation=cv2.INTER_AREA)
    assert len(written) == 1 and written[0].shape == want.shape == (1280, 720, 3)
    mse = np.mean((written[0].astype(float) - want) ** 2)
    assert 10 * np.log10(255 ** 2 / mse) >= 40.0
