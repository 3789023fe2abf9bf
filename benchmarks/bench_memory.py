"""Peak memory of repeated identical runs (issue 27): ``formcheck analyze`` as a whole process,
5 times on the same 1080p clip, each next to a bare decode + detect loop run just before it;
every run must stay within 1.2x the bare loop (not just the lucky ones). And the fixed costs
of a command: interpreter + imports, landmarker creation.

Run alone: ``python benchmarks/bench_memory.py [--media DIR] [--runs N]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from targets import target  # noqa: E402  (after the path above)

CLIP_1080P = ("other/wanshape_superman_alternating.mp4", "bird_dog")   # 1920x1080, 231 frames

# VmHWM, not ru_maxrss: Linux carries ru_maxrss of the forking parent across exec.
_HWM = 'int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]) // 1024'
ANALYZE = f"""
import os, sys
from formcheck.cli.main import main
rc = main(sys.argv[1:])
print("PEAK", {_HWM}, flush=True)
os._exit(rc)
"""
BARE = f"""
import sys
from formcheck.media.estimator import PoseEstimator
from formcheck.media.bundles import default_model_path
from formcheck.media.video_reader import MediaReader
with MediaReader(sys.argv[1]) as rd, PoseEstimator(default_model_path(), mode="video") as est:
    for f in rd:
        est.detect(f.rgb, f.t_ms)
print("PEAK", {_HWM}, flush=True)
"""
# as ``formcheck analyze`` does: its process settings (one BLAS thread) before numpy loads
IMPORTS = ("import formcheck.cli.main as m; m.process_settings(); "
           "import formcheck.run.pipeline, formcheck.rules.definition, formcheck.engine.report")
LANDMARKER = """
import resource
from formcheck.media.estimator import PoseEstimator
from formcheck.media.bundles import default_model_path
import mediapipe.tasks.python.vision  # imports are not the landmarker's cost
r0 = resource.getrusage(resource.RUSAGE_SELF)
PoseEstimator(default_model_path(), mode="image", num_poses=2).close()
r1 = resource.getrusage(resource.RUSAGE_SELF)
print("CPU", r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
"""


def _child(args: list[str]) -> tuple[str, float]:
    """A fresh process's stdout and its CPU seconds (user + system)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return res.stdout, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime


def _peak(out: str) -> int:
    return int([ln for ln in out.splitlines() if ln.startswith("PEAK")][-1].split()[1])


def repeated_peaks(media: Path, runs: int = 5) -> None:
    rel, ex = CLIP_1080P
    clip = media / rel
    if not clip.is_file():
        print(f"(no {rel}: repeated-run memory skipped)")
        return
    print(f"\n## 3b. Peak memory, {runs} identical runs of `formcheck analyze` on {clip.name} (VmHWM MB)\n")
    print("| run | bare loop MB | analyze MB | ratio (<= 1.2) | analyze CPU s |")
    print("|---|---|---|---|---|")
    worst = 0.0
    # a real file: the report is written atomically (a rename), which must never meet /dev/null
    report = Path(tempfile.mkdtemp(prefix="formcheck-mem-")) / "r.json"
    for i in range(runs):
        bare = _peak(_child(["-c", BARE, str(clip)])[0])
        out, cpu = _child(["-c", ANALYZE, "analyze", str(clip), "-e", ex, "-q", "--report", str(report)])
        mb = _peak(out)
        worst = max(worst, mb / bare)
        print(f"| {i + 1} | {bare} | {mb} | {mb / bare:.2f} | {cpu:.2f} |", flush=True)
    verdict = target("peak memory, worst of repeated runs / bare loop", worst, 1.2, "x")
    print(f"\nworst run / bare loop: {worst:.2f}x {verdict}")


def fixed_costs(runs: int = 3) -> None:
    print(f"\n## 1c. Fixed costs of a command (CPU s, best of {runs})\n")
    print("| part | CPU s |")
    print("|---|---|")
    bare = min(_child(["-c", "pass"])[1] for _ in range(runs))
    imports = min(_child(["-c", IMPORTS])[1] for _ in range(runs))
    lm = min(float(_child(["-c", LANDMARKER])[0].split()[-1]) for _ in range(runs))
    print(f"| interpreter | {bare:.2f} |")
    print(f"| + imports of `analyze` (cli, pipeline, definition, report) | {imports:.2f} |")
    print(f"| landmarker creation (the people check's, 2 poses) | {lm:.2f} |", flush=True)
    target("interpreter + imports of analyze (CPU)", imports, 0.5, " s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--media", default=str(ROOT.parent / "shared" / "media"))
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    fixed_costs()
    repeated_peaks(Path(a.media), a.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
