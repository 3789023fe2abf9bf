"""A command loads what it needs, not what other commands or outputs need: the fixed cost of a
short command is mostly imports (issue 27: a still or a 4-frame GIF's whole process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
LOADED = """
import json, sys
from formcheck.cli.main import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "modules": sorted(sys.modules)}))
"""


def _analyze(*args: str) -> set[str]:
    """The modules loaded by a whole ``formcheck analyze`` process (it must succeed)."""
    out = subprocess.run([sys.executable, "-c", LOADED, "analyze", *args, "-q"], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["rc"] == 0, out.stderr
    return set(got["modules"])


def test_a_key_pose_gif_is_analysed_without_opencv_or_the_drawing(tmp_path):
    """A GIF of a few key poses is decoded by Pillow (which told it is one) and judged (and its
    people counted) by one landmarker: OpenCV (~40 ms), PyAV (~50 ms) and the drawing of
    annotated videos are never loaded."""
    gif = tmp_path / "two.gif"
    ims = [Image.fromarray(np.full((64, 48, 3), v, np.uint8)) for v in (40, 200)]
    ims[0].save(gif, save_all=True, append_images=ims[1:], duration=[800, 800], loop=0)
    mods = _analyze(str(gif), "-e", "bridge", "--report", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["exercise"] == "bridge"
    assert "cv2" not in mods and "formcheck.media.draw" not in mods
    assert "sqlalchemy" not in mods
    assert "numpy.ma" not in mods   # (np.median of the frame durations loaded it: 10-20 ms)
    assert "av" not in mods


def test_a_clips_report_alone_never_loads_the_drawing_or_the_database(tmp_path):
    mods = _analyze(str(ROOT / "sample_videos" / "physioplus_bridging.mp4"), "-e", "bridge",
                    "--report", str(tmp_path / "r.json"))
    assert (tmp_path / "r.json").is_file()
    assert "formcheck.media.draw" not in mods and "sqlalchemy" not in mods and "alembic" not in mods
    assert "cv2" not in mods   # the people check keeps its frames with Pillow (OpenCV: ~30 MB of the peak)


BLAS = """
import json, os, sys
import formcheck.cli.main as m
before = "numpy" in sys.modules
m.process_settings()
import numpy
print(json.dumps({"numpy_before": before, "blas": os.environ.get("OPENBLAS_NUM_THREADS"),
                  "threads": len(os.listdir("/proc/self/task"))}))
"""


def _blas(env: dict[str, str]) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                                                            "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", BLAS], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**clean, **env})
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc (Linux)")
def test_a_command_starts_numpy_with_one_blas_thread_unless_the_user_set_a_count():
    """OpenBLAS starts a thread per core at numpy's import (0.2-0.3 s of CPU per command on 2
    cores); a command's process has one, set before numpy loads. The user's own count wins."""
    got = _blas({})
    assert got["numpy_before"] is False   # the CLI's own imports leave numpy to the command
    assert got["blas"] == "1" and got["threads"] == 1
    assert _blas({"OMP_NUM_THREADS": "2"})["blas"] is None   # OpenBLAS reads this one too
