"""Section 1 of ``python -m benchmarks`` (:func:`clip_table`), and on its own the frames per
second of `formcheck landmarks` vs a bare loop, per clip in ../shared/media.

Bare loop: OpenCV decode + BGR->RGB + detect_for_video on every frame, nothing else. Both
measured in this run on this machine, wall clock and CPU time (all threads of this process:
the machine is shared, and a ratio of CPU times still reads when other work slows the wall
clock); ratio = formcheck / bare. Usage:

    .venv/bin/python benchmarks/bench_landmarks.py [MEDIA_DIR]
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("GLOG_minloglevel", "2")
R = TypeVar("R")


def measured(fn: Callable[..., R], *args: Any, **kw: Any) -> tuple[R, float, float]:
    """``fn(*args, **kw)``'s result, its wall-clock seconds and the CPU seconds of this process meanwhile
    (user + system, every thread: decoding, the model's and the encoder's threads too)."""
    r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    out = fn(*args, **kw)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return out, time.perf_counter() - w0, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime


def bare_loop(path: Path, model: Path) -> tuple[int, float, float]:
    """Frames, wall s and CPU s (after the imports; landmarker creation included, as in
    formcheck's own times) of the bare loop over ``path``."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=1)
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0

    def loop() -> int:
        n = 0
        with vision.PoseLandmarker.create_from_options(opts) as lm:
            while True:
                ok, bgr = cap.read()
                if not ok:
                    break
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / fps))
                n += 1
        return n

    return measured(loop)


def clip_table(clips: list[tuple[Path, str]]) -> None:
    """Per labelled clip: the bare loop, ``analyze_clip`` report-only (the default, adaptive
    sampling), ``--full-rate`` and with an annotated video, as fps (frames / wall s) and as
    ratios to the bare loop by wall clock and by CPU time (bare CPU s / formcheck CPU s)."""
    from targets import target

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip

    model = default_model_path()
    print("\n## 1. Clip analysis vs a bare full-rate loop\n")
    print("report-only: the default (adaptive sampling); --full-rate: the model on every frame. fps = frames "
          "/ wall s; x = ratio to the bare loop by wall clock; cpu x = bare CPU s / formcheck CPU s "
          f"(load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)\n")
    print("| clip | frames | model frames | bare fps | bare CPU s | report-only fps | x (>= 1.5) | cpu x "
          "| --full-rate fps | x (>= 1.0) | cpu x | + video fps | x (>= 0.85) | cpu x |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ratios: dict[str, list[float]] = {k: [] for k in ("ada", "rep", "vid", "ada_cpu", "rep_cpu", "vid_cpu")}
    with tempfile.TemporaryDirectory() as tmp:
        for clip, ex in clips:
            d = get_definition(ex)
            n, tb, cb = bare_loop(clip, model)
            res, ta, ca = measured(analyze_clip, clip, d)
            _, tr, cr = measured(analyze_clip, clip, d, full_rate=True)
            _, tv, cv = measured(analyze_clip, clip, d, video_out=Path(tmp) / "v.mp4")
            nf = res.info.frames
            cells = [f"| {clip.name} | {nf} | {res.info.model_frames} | {n / tb:.1f} | {cb:.2f}"]
            for key, t, c in (("ada", ta, ca), ("rep", tr, cr), ("vid", tv, cv)):
                ratios[key].append(tb / t * nf / n)
                ratios[key + "_cpu"].append(cb / c * nf / n)
                cells.append(f"{nf / t:.1f} | {ratios[key][-1]:.2f} | {ratios[key + '_cpu'][-1]:.2f}")
            print(" | ".join(cells) + " |", flush=True)
            target(f"{clip.name}: report-only / bare loop", ratios["ada"][-1], 1.5, "x", at_least=True)
    med = {k: statistics.median(v) for k, v in ratios.items()}
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}; median ratio by wall clock (by CPU time): "
          f"report-only {med['ada']:.2f} ({med['ada_cpu']:.2f}), --full-rate {med['rep']:.2f} "
          f"({med['rep_cpu']:.2f}), with video {med['vid']:.2f} ({med['vid_cpu']:.2f})")
    target("median ratio report-only / bare loop", med["ada"], 2.5, "x", at_least=True)
    target("median ratio --full-rate / bare loop", med["rep"], 1.0, "x", at_least=True)
    target("median ratio with video / bare loop", med["vid"], 0.85, "x", at_least=True)


def formcheck_loop(path: Path, model: Path) -> tuple[int, float]:
    from formcheck.run.pipeline import extract_poses

    t0 = time.perf_counter()
    seq = extract_poses(path, model)
    return len(seq), time.perf_counter() - t0


def main() -> int:
    from formcheck.media.bundles import default_model_path

    root = Path(__file__).resolve().parent.parent
    media = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "media"
    clips = sorted(p for p in media.rglob("*") if p.suffix.lower() in (".mp4", ".mov", ".webm", ".avi"))
    if not clips:
        print(f"no clips under {media}")
        return 1
    model = default_model_path()
    print(f"{'clip':45s} {'frames':>6s} {'bare fps':>9s} {'formcheck fps':>14s} {'ratio':>6s}")
    ratios = []
    for clip in clips:
        nb, tb, _ = bare_loop(clip, model)
        nf, tf = formcheck_loop(clip, model)
        bare, ours = nb / tb, nf / tf
        ratios.append(ours / bare)
        print(f"{clip.relative_to(media)!s:45s} {nf:6d} {bare:9.1f} {ours:14.1f} {ours / bare:6.2f}",
              flush=True)
    print(f"median ratio {sorted(ratios)[len(ratios) // 2]:.2f} (target >= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
