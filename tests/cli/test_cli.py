"""CLI: one-line errors with non-zero exits; analyze writes the schema-1 report, CSV, video."""

from __future__ import annotations

import json

import av
import numpy as np
import pytest
from synth import sitting_pose

from formcheck.cli.main import main
from formcheck.core.pose import ClipInfo, PoseSequence


@pytest.mark.parametrize("args,msg", [
    (["analyze", "{tmp}/missing.mp4", "-e", "sitting", "-q"], "no such file"),
    (["analyze", "{tmp}/text.mp4", "-e", "sitting", "-q"], "not a video or image"),
    (["analyze", "{tmp}/empty.mp4", "-e", "sitting", "-q"], "the file is empty"),
    (["analyze", "{tmp}/text.mp4", "-e", "squats", "-q"], "unknown exercise 'squats'"),
    (["analyze", "{tmp}/text.mp4", "-e", "sitting", "--profile", "{tmp}/none.toml"], "no such file"),
    (["landmarks", "{tmp}/text.mp4", "-o", "{tmp}/o.npz", "-q"], "not a video or image"),
    (["landmarks", "--info", "{tmp}/text.mp4"], "not a readable formcheck pose file"),
    (["analyze", "{tmp}/text.mp4", "-e", "sitting", "--model", "{tmp}/text.mp4", "-q"],
     "not a MediaPipe .task bundle"),
])
def test_bad_input_is_one_line_and_nonzero(tmp_path, capsys, args, msg):
    (tmp_path / "text.mp4").write_text("this is text, not video\n" * 10)
    (tmp_path / "empty.mp4").write_bytes(b"")
    code = main([a.format(tmp=tmp_path) for a in args])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert msg in err and len(err.splitlines()) == 1 and "Traceback" not in err


def _clip_and_poses(tmp_path, n=45):
    clip = tmp_path / "c.mp4"
    with av.open(str(clip), "w") as out:
        s = out.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 640, 720, "yuv420p"
        for i in range(n):
            f = av.VideoFrame.from_ndarray(np.full((720, 640, 3), 90, np.uint8), format="rgb24")
            f.pts = i
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    poses = [sitting_pose(trunk_lean_deg=35.0 if i > 20 else 0.0) for i in range(n)]
    seq = PoseSequence.from_frames([i * 1000 / 30 for i in range(n)], poses,
                                   ClipInfo(path=str(clip), fps=30, width=640, height=720, frames=n))
    seq.save(tmp_path / "p.npz")
    return clip, tmp_path / "p.npz"


def test_analyze_from_cached_landmarks_writes_report_csv_and_video(tmp_path, capsys):
    clip, poses = _clip_and_poses(tmp_path)
    rep, csv, vid = tmp_path / "r.json", tmp_path / "f.csv", tmp_path / "v.mp4"
    code = main(["analyze", str(clip), "-e", "sitting", "--landmarks", str(poses), "--report",
                 str(rep), "--csv", str(csv), "--video", str(vid), "-q"])
    assert code == 0, capsys.readouterr().err
    r = json.loads(rep.read_text())
    assert r["schema"] == 1 and r["exercise"] == "sitting" and r["profile"] is None and r["profile_version"] is None
    assert set(r["clip"]) == {"path", "fps", "frames", "model_frames", "width", "height", "duration_s"}
    assert r["rep_count"] == 0 and len(r["frames"]) == 45
    f = r["frames"][-1]
    assert set(f) == {"t_ms", "pose", "view", "phase", "angles", "checks"}
    assert {c["id"]: c["status"] for c in f["checks"]}["trunk_slouched"] == "fail"
    assert set(r["summary"]) >= {"view", "faults", "good_form_fraction"}
    assert csv.read_text().count("\n") == 46
    with av.open(str(vid)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in c.decode(video=0)) == 45


def test_analyze_with_profile_records_it(tmp_path):
    clip, poses = _clip_and_poses(tmp_path)
    prof = tmp_path / "jd.toml"
    prof.write_text('exercise = "sitting"\ndefinition_version = "1.0"\npatient = "jd"\n'
                    '[thresholds.trunk_slouched]\nmax = 40\n')
    rep = tmp_path / "r.json"
    assert main(["analyze", str(clip), "-e", "sitting", "--landmarks", str(poses),
                 "--profile", str(prof), "--report", str(rep), "-q"]) == 0
    r = json.loads(rep.read_text())
    assert r["profile"] == "jd v1" and r["profile_version"] == 1
    assert all(c["status"] != "fail" for fr in r["frames"] for c in fr["checks"] if c["id"] == "trunk_slouched")


def test_models_lists_the_bundled_models(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "pose_landmarker_full" in out and "pose_landmarker_lite" in out and "bundled" in out


def test_the_lite_model_works_offline_and_is_the_monitors_default(monkeypatch):
    from formcheck.core import config
    from formcheck.media.bundles import monitor_model, resolve_model

    lite = resolve_model("lite")
    assert lite == config.BUNDLED_MODELS_DIR / "pose_landmarker_lite.task"
    monkeypatch.delenv("FORMCHECK_MODEL", raising=False)
    assert resolve_model(monitor_model()) == lite
    monkeypatch.setenv("FORMCHECK_MODEL", "/my/model.task")   # the user's choice wins
    assert monitor_model() == "/my/model.task"


def test_models_download_offline_is_a_clear_error(monkeypatch, capsys):
    import urllib.request

    def offline(*a, **k):
        raise urllib.error.URLError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert main(["models", "--download", "lite"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot download the lite model" in err and len(err.splitlines()) == 1


def test_analyze_with_a_saved_patient_profile(tmp_path, capsys):
    from formcheck.rules.profile import Bounds, Profile
    from formcheck.storage.store import Store

    clip, poses = _clip_and_poses(tmp_path)
    Store(tmp_path / "data").save(Profile(exercise="sitting", definition_version="1.0", patient="Jane Doe",
                                          thresholds={"trunk_slouched": Bounds(max=40)}))
    rep = tmp_path / "r.json"
    args = ["analyze", str(clip), "-e", "sitting", "--landmarks", str(poses), "--report", str(rep), "-q",
            "--data-dir", str(tmp_path / "data")]
    assert main([*args, "--patient", "jane doe"]) == 0
    assert json.loads(rep.read_text())["profile"] == "Jane Doe v1"
    assert main([*args, "--patient", "John Roe"]) == 2
    assert "has no saved sitting profile" in capsys.readouterr().err


@pytest.mark.media
def test_analyze_a_still_is_quiet_on_stderr_unless_verbose():
    """MediaPipe's ~100 native log lines stay off the terminal; -v shows them; errors still
    reach stderr as one line."""
    import subprocess
    import sys

    from conftest import media_or_skip

    still = media_or_skip() / "sitting" / "nvinay_straight.jpg"
    cmd = [sys.executable, "-m", "formcheck"]
    quiet = subprocess.run([*cmd, "analyze", str(still), "-e", "sitting"], capture_output=True, text=True,
                           timeout=120)
    assert quiet.returncode == 0 and "Sitting posture" in quiet.stdout
    assert quiet.stderr == ""
    loud = subprocess.run([*cmd, "analyze", str(still), "-e", "sitting", "-v"], capture_output=True,
                          text=True, timeout=120)
    assert loud.returncode == 0 and loud.stderr.count("\n") > 10
    bad = subprocess.run([*cmd, "analyze", str(still) + ".missing", "-e", "sitting"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "no such file" in bad.stderr


def test_analyze_samples_adaptively_unless_asked_for_every_frame(media, tmp_path):
    """The default report runs the pose model on fewer frames; --full-rate on every frame; the
    verdict is the same."""
    from formcheck.cli.main import main

    clip = media / "sitting" / "ipd_sitting_front.mp4"
    reports = {}
    for flags in ([], ["--full-rate"]):
        out = tmp_path / f"r{len(flags)}.json"
        assert main(["analyze", str(clip), "-e", "sitting", "--report", str(out), "-q", *flags]) == 0
        reports[bool(flags)] = json.loads(out.read_text())
    adaptive, full = reports[False], reports[True]
    assert full["clip"]["model_frames"] == full["clip"]["frames"] == len(full["frames"])
    assert adaptive["clip"]["frames"] == full["clip"]["frames"]
    assert 0 < adaptive["clip"]["model_frames"] == len(adaptive["frames"]) < full["clip"]["frames"] / 2
    for key in ("view", "faults", "camera_message", "position_message", "people_message"):
        assert adaptive["summary"][key] == full["summary"][key]
    assert adaptive["rep_count"] == full["rep_count"]
