"""Frames per second of `formcheck landmarks` vs a bare loop, per clip in ../shared/media.

Bare loop: OpenCV decode + BGR->RGB + detect_for_video, nothing else. Both measured in this
run on this machine; ratio = formcheck / bare (target >= 1.0). Usage:

    .venv/bin/python benchmarks/bench_landmarks.py [MEDIA_DIR]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")


def bare_loop(path: Path, model: Path) -> tuple[int, float]:
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                        running_mode=vision.RunningMode.VIDEO, num_poses=1)
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    n = 0
    t0 = time.perf_counter()
    with vision.PoseLandmarker.create_from_options(opts) as lm:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), int(n * 1000 / fps))
            n += 1
    return n, time.perf_counter() - t0


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
        nb, tb = bare_loop(clip, model)
        nf, tf = formcheck_loop(clip, model)
        bare, ours = nb / tb, nf / tf
        ratios.append(ours / bare)
        print(f"{clip.relative_to(media)!s:45s} {nf:6d} {bare:9.1f} {ours:14.1f} {ours / bare:6.2f}",
              flush=True)
    print(f"median ratio {sorted(ratios)[len(ratios) // 2]:.2f} (target >= 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
