"""One benchmark command: ``.venv/bin/python -m benchmarks [--media DIR] [--quick]``.

Everything is measured in this run on this machine and printed as tables:
1. (``bench_landmarks.py``) per labelled clip of ../shared/media: bare full-rate loop fps
   (OpenCV decode + detect_for_video on every frame, nothing else), ``formcheck analyze``
   report-only fps by default (adaptive sampling; every clip >= 1.5x the bare loop, the median
   >= 2.5x) and with ``--full-rate`` (median >= 1.0), and with an annotated video (>= 0.85),
   each ratio by wall clock and by CPU time;
2. engine cost per frame (target <= 0.2 ms) and re-scoring 60 s of poses (<= 100 ms);
1c/3b. (``bench_memory.py``) fixed costs of a command (interpreter, imports, landmarker
   creation) and peak memory of 5 identical whole-process ``analyze`` runs of a 1080p clip,
   each vs a bare loop (target: every run <= 1.2x);
3. peak memory (RSS) of analysing a long clip vs a short one, each in a fresh process
   (target: flat, within 50 MB);
4. batch throughput with 1 and 2 workers (clips per minute) and its scaling;
5. the live page in headless Chromium with a fake webcam (``bench_live.py``; skipped without
   Chromium): processed fps, latency, START to first frame, CPU per process; 5b.
   (``bench_live_start.py``) START to first verdict with the pose model in the browser, cold
   and cached (targets 3 s and 1 s);
6. the patient database (``bench_storage.py``): one rep written, a year of sets on the
   Progress page and in ``formcheck history``;
7. the desk monitor (``bench_monitor.py``): CPU at 2 samples/s at real time next to the 30 fps
   live path, and memory over a simulated hour.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from targets import MISSED, target  # noqa: E402  (after the path above)


def labelled_clips(media: Path) -> list[tuple[Path, str]]:
    from formcheck.rules.definition import load_toml

    labels = load_toml(media / "LABELS.toml")
    out = [(media / e["path"], e["exercise"]) for e in labels.get("clip", [])]
    return [(p, ex) for p, ex in out if p.suffix.lower() in (".mp4", ".mov", ".webm", ".avi")]


def short_inputs_table(media: Path) -> None:
    """Whole ``formcheck analyze`` processes on a still and a 4-frame GIF: interpreter, imports,
    model start-up, the people check and the report are all there is to them."""
    import resource

    print("\n## 1b. Whole process on a still and a 4-frame GIF (best of 3)\n")
    # PYTHONDONTWRITEBYTECODE (set in some shells) leaves formcheck without .pyc files: then
    # every process compiles its modules (~0.1 s more than an installed package)
    print(f"formcheck bytecode (.pyc) present: {_has_bytecode()}\n")
    print("| input | CPU s | wall s |")
    print("|---|---|---|")
    cases = [("still", media / "sitting" / "bozliu_hunchback.jpg", "sitting"),
             ("4-frame GIF", media / "bridge" / "calipwa_glute_bridges_oblique.gif", "bridge")]
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, ex in cases:
            if not path.is_file():
                continue
            best = (float("inf"), float("inf"))
            for _ in range(3):
                r0, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
                subprocess.run([sys.executable, "-m", "formcheck", "analyze", str(path), "-e", ex, "-q",
                                "--report", str(Path(tmp) / "r.json")], cwd=ROOT, check=True, capture_output=True)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
                best = min(best, (cpu, time.perf_counter() - w0))
            print(f"| {name} | {best[0]:.2f} | {best[1]:.2f} |", flush=True)
            target(f"whole process on a {name} (CPU)", best[0], 1.0, " s")


def _has_bytecode() -> bool:
    import importlib.util

    src = ROOT / "formcheck" / "engine" / "session.py"
    return Path(importlib.util.cache_from_source(str(src))).is_file()


def engine_table() -> None:
    from bench_engine import engine_ms_per_frame, model_ms_per_frame, rescore_ms

    model_ms, what = model_ms_per_frame()
    print(f"\n## 2. Engine (pose model per frame on {what}: {model_ms:.1f} ms)\n")
    print("| exercise | engine ms/frame (<= 0.2) | re-score 60 s, ms (<= 100) |")
    print("|---|---|---|")
    for ex in ("bridge", "bird_dog", "sitting"):
        per_frame, result = engine_ms_per_frame(ex)
        rescore = rescore_ms(result)
        print(f"| {ex} | {per_frame:.3f} | {rescore:.1f} |", flush=True)
        target(f"engine {ex}", per_frame, 0.2, " ms/frame")
        target(f"re-score 60 s of {ex}", rescore, 100, " ms")


# VmHWM, not ru_maxrss: Linux carries ru_maxrss of the forking parent across exec.
PEAK_RSS = """
import sys
from formcheck.rules.definition import get_definition
from formcheck.run.pipeline import analyze_clip
video = sys.argv[3] if len(sys.argv) > 3 else None
r = analyze_clip(sys.argv[1], get_definition(sys.argv[2]), video_out=video)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(r.info.frames, int(hwm) // 1024)
"""


BARE_RSS = """
import sys
from formcheck.media.estimator import PoseEstimator
from formcheck.media.bundles import default_model_path
from formcheck.media.video_reader import MediaReader
n = 0
with MediaReader(sys.argv[1]) as rd, PoseEstimator(default_model_path(), mode="video") as est:
    for f in rd:
        est.detect(f.rgb, f.t_ms)
        n += 1
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(n, int(hwm) // 1024)
"""


def make_long_clip(src: Path, out: Path, repeats: int) -> None:
    """``src`` played ``repeats`` times back to back (real frames, H.264) via PyAV."""
    from formcheck.media.video_reader import MediaReader
    from formcheck.media.video_writer import VideoWriter

    with MediaReader(src) as r:
        info = r.info
        frames = [(f.rgb, f.t_ms) for f in r]
    span = frames[-1][1] + 1000.0 / (info.fps or 30.0)
    w = VideoWriter(out, info.width, info.height, info.fps or 30.0)
    ok = False
    try:
        for k in range(repeats):
            for rgb, t in frames:
                w.write(rgb, k * span + t)
        ok = True
    finally:
        w.close(ok=ok)


def memory_table(short: Path, ex: str, repeats: int) -> None:
    print(f"\n## 3. Peak memory, fresh process per run ({short.name} vs it looped {repeats}x)\n")
    print("| clip | output | frames | peak RSS MB |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        long = Path(tmp) / "long.mp4"
        make_long_clip(short, long, repeats)
        peaks = {}
        for label, clip in (("short", short), ("long", long)):
            for out in ("report", "video"):
                args = [sys.executable, "-c", PEAK_RSS, str(clip), ex] + ([str(Path(tmp) / "o.mp4")]
                                                                         if out == "video" else [])
                res = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=True)
                frames, mb = (int(x) for x in res.stdout.split()[-2:])
                peaks[(label, out)] = mb
                print(f"| {label} | {out} | {frames} | {mb} |", flush=True)
        for label, clip in (("short", short), ("long", long)):
            res = subprocess.run([sys.executable, "-c", BARE_RSS, str(clip)], capture_output=True, text=True,
                                 cwd=ROOT, check=True)
            frames, mb = (int(x) for x in res.stdout.split()[-2:])
            peaks[(label, "bare")] = mb
            print(f"| {label} | bare decode + model loop | {frames} | {mb} |", flush=True)
        for out in ("report", "video"):
            growth = peaks[('long', out)] - peaks[('short', out)]
            print(f"\ngrowth long - short ({out}): {growth} MB {target(f'memory growth ({out})', growth, 50, ' MB')}")
        for label in ("short", "long"):
            ratio = peaks[(label, "report")] / peaks[(label, "bare")]
            print(f"peak {label} report-only / bare loop: {ratio:.2f}x "
                  f"{target(f'peak memory {label} / bare loop', ratio, 1.2, 'x')}")


def batch_table(clips: list[Path], ex: str) -> None:
    from formcheck.run.batch import BatchJob, run_batch

    print(f"\n## 4. Batch throughput ({len(clips)} clips)\n")
    print("| workers | seconds | clips/min |")
    print("|---|---|---|")
    rate = {}
    links = Path(tempfile.mkdtemp(prefix="formcheck-batch-"))
    named = []
    for i, c in enumerate(clips):   # distinct names: the same clip twice is two jobs
        named.append(links / f"{i}-{c.name}")
        named[-1].symlink_to(c.resolve())
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            out = run_batch(named, BatchJob(ex, Path(tmp)), workers=workers)
            dt = time.perf_counter() - t0
            assert all(o.status == "done" for o in out), [o.error for o in out]
            rate[workers] = len(clips) / dt * 60
            print(f"| {workers} | {dt:.1f} | {rate[workers]:.1f} |", flush=True)
    print(f"\nscaling 2 workers / 1 worker: {rate[2] / rate[1]:.2f}x on {os.cpu_count()} CPUs")


MISSED_LINES: list[str] = []


class _Tee:
    """stdout that also keeps every ``target missed`` line for the summary at the end."""

    def __init__(self, out) -> None:  # type: ignore[no-untyped-def]
        self.out = out

    def write(self, text: str) -> int:
        MISSED_LINES.extend(line[len(MISSED):].strip() for line in text.splitlines() if line.startswith(MISSED))
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def _section(script: str, *args: str, **kw) -> None:  # type: ignore[no-untyped-def]
    """One benchmark script in its own process; its output is shown as it comes."""
    with subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE, **kw) as p:
        assert p.stdout is not None
        for line in p.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--media", default=str(ROOT.parent / "shared" / "media"))
    ap.add_argument("--quick", action="store_true", help="three clips, a shorter long clip")
    a = ap.parse_args()
    media = Path(a.media)
    if not (media / "LABELS.toml").is_file():
        print(f"no LABELS.toml under {media}: pass --media DIR")
        return 1
    sys.stdout = _Tee(sys.stdout)   # type: ignore[assignment]
    clips = labelled_clips(media)
    if a.quick:
        clips = clips[:3]
    print(f"formcheck benchmarks on {os.cpu_count()} CPUs, media {media}")
    from bench_landmarks import clip_table

    clip_table(clips)
    short_inputs_table(media)
    _section("bench_memory.py", "--media", str(media), "--runs", "3" if a.quick else "5",
             stderr=subprocess.DEVNULL)
    engine_table()
    short = media / "bridge" / "physioplus_bridging.mp4"
    memory_table(short, "bridge", 8 if a.quick else 20)
    batch_table([p for p, ex in clips if ex == "bridge"] * 2, "bridge")
    print("\n## 5. Live page in a real browser\n", flush=True)
    _section("bench_live.py", env={**os.environ, "GLOG_minloglevel": "3"}, stderr=subprocess.DEVNULL)
    print("\n## 5b. START to first verdict, pose model in the browser\n", flush=True)
    _section("bench_live_start.py", "--rounds", "1" if a.quick else "3", stderr=subprocess.DEVNULL)
    print("\n## 6. Patient database\n", flush=True)
    _section("bench_storage.py", "--postgres")
    print("\n## 7. Desk monitor\n", flush=True)
    _section("bench_monitor.py", stderr=subprocess.DEVNULL)
    print("\n## Targets missed in this run\n")
    print("\n".join(f"- {m}" for m in MISSED_LINES) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
