"""Batches on a real local Ray cluster (``formcheck batch --ray``): started here on loopback
with 2 CPUs (``ray start --head``) and stopped after; the same reports as the local pool, a
failing clip listed while the others finish, resume."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from formcheck.core.errors import FormcheckError  # noqa: E402
from formcheck.run.batch import BatchJob, run_batch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_videos"
RAY = Path(sys.executable).parent / "ray"
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    start = [str(RAY), "start", "--head", "--num-cpus", "2", "--node-ip-address", "127.0.0.1",
             "--port", str(port), "--include-dashboard=false", "--disable-usage-stats"]
    res = subprocess.run(start, capture_output=True, text=True, env=env, timeout=180)
    if res.returncode != 0:
        pytest.fail(f"ray start failed: {res.stderr[-2000:]}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([str(RAY), "stop", "--force"], capture_output=True, env=env, timeout=120)


def _clips(tmp: Path) -> list[Path]:
    """Four real clips (the three samples and one of them under another name) and a broken one."""
    clips = [SAMPLES / n for n in ("physioplus_bridging.mp4", "polybag_bird_dog.mp4",
                                   "polybag_seated_cat_cow_side.mp4")]
    copy = tmp / "again" / clips[0].name
    copy.parent.mkdir()
    shutil.copy(clips[0], copy)
    broken = tmp / "broken.mp4"
    broken.write_text("not a video")
    return [*clips, copy, broken]


def _reports(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}


def test_a_batch_on_ray_gives_the_local_pools_reports(cluster, tmp_path):
    clips = _clips(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "ray"
    want = run_batch(clips, BatchJob("bridge", local), workers=2)
    seen: list[str] = []
    got = run_batch(clips, BatchJob("bridge", remote), on_result=lambda o: seen.append(o.clip),
                    ray_address=cluster)
    assert [o.status for o in got] == [o.status for o in want] == ["done"] * 4 + ["failed"]
    assert "broken.mp4" in got[-1].clip and got[-1].error
    assert sorted(seen) == sorted(str(c) for c in clips)
    assert _reports(remote) == _reports(local)          # the same clip path, reps, faults, frames
    assert len(_reports(remote)) == 4
    assert (remote / "summary.csv").is_file()
    # resume: a second run finds every report and analyses nothing
    again = run_batch(clips, BatchJob("bridge", remote), ray_address=cluster)
    assert [o.status for o in again] == ["skipped"] * 4 + ["failed"]


def test_cli_batch_on_ray_and_a_clear_message_without_a_cluster(cluster, tmp_path, capsys):
    from formcheck.cli.main import main

    clip = SAMPLES / "physioplus_bridging.mp4"
    assert main(["batch", str(clip), "-e", "bridge", "-o", str(tmp_path / "o"), "--ray", cluster]) == 0
    assert "1 done" in capsys.readouterr().out
    with pytest.raises(FormcheckError, match="cannot connect to the Ray cluster"):
        run_batch([clip], BatchJob("bridge", tmp_path / "x"), ray_address=f"127.0.0.1:{_free_port()}")
