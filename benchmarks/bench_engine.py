"""Engine cost per frame (smoothing, measures, scoring) per exercise and re-scoring time for
60 s of poses, next to the pose model's per-frame time, all measured in this run. The engine
times are CPU time of this process (one thread): on a shared machine wall time also counts
the other processes' turns.

    .venv/bin/python benchmarks/bench_engine.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
from targets import target

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
FPS = 30
N = 60 * FPS   # 60 s of poses


def synthetic_poses(exercise: str) -> list:
    """60 s of jittered synthetic poses doing 10 reps (sides alternating for bird-dog)."""
    from synth import bird_dog_pose, bridge_pose, sitting_pose

    rng = np.random.default_rng(0)
    wave = np.sin(np.linspace(0, 20 * np.pi, N))
    if exercise == "bridge":
        poses = [bridge_pose(float(150 + 28 * w)) for w in wave]
    elif exercise == "bird_dog":
        poses = [bird_dog_pose(float(-60 + 60 * abs(w)), float(-60 + 60 * abs(w)),
                               leg_side="left" if (i // (N // 20)) % 2 == 0 else "right")
                 for i, w in enumerate(wave)]
    else:
        poses = [sitting_pose(float(10 * w)) for w in wave]
    for p in poses:
        p.landmarks[:, :2] += rng.normal(0, 1.5, (33, 2)).astype(np.float32)
    return poses


def engine_ms_per_frame(exercise: str):
    from formcheck.core.pose import ClipInfo
    from formcheck.engine.session import Session
    from formcheck.rules.definition import get_definition

    poses = synthetic_poses(exercise)
    s = Session(get_definition(exercise), info=ClipInfo(width=1280, height=720, fps=FPS))
    t0 = time.process_time()
    for i, p in enumerate(poses):
        s.update(i * 1000 / FPS, p)
    result = s.finish()
    return (time.process_time() - t0) * 1000 / N, result


def rescore_ms(result) -> float:
    from formcheck.engine.session import rescore
    from formcheck.rules.profile import Bounds, Profile, apply_profile

    d = result.definition
    first = d.checks[0]
    bounds = Bounds(min=first.min + 5 if first.min is not None else None,
                    max=first.max - 5 if first.max is not None else None)
    prof = Profile(exercise=d.id, definition_version=d.version, thresholds={first.id: bounds})
    d2 = apply_profile(d, prof)
    t0 = time.process_time()
    rescore(result, d2, prof)
    return (time.process_time() - t0) * 1000


def model_ms_per_frame() -> tuple[float, str]:
    """Full model in VIDEO mode on a real frame with a person when ../shared/media is there."""
    from formcheck.media.bundles import default_model_path
    from formcheck.media.estimator import PoseEstimator
    from formcheck.media.video_reader import MediaReader

    clip = ROOT.parent / "shared" / "media" / "bridge" / "darebee_bridge.mp4"
    if clip.is_file():
        with MediaReader(clip) as r:
            img = next(iter(r)).rgb
        what = f"{clip.name} frame {img.shape[1]}x{img.shape[0]}"
    else:
        img, what = np.zeros((480, 640, 3), np.uint8), "blank 640x480 (no ../shared/media)"
    with PoseEstimator(default_model_path(), mode="video") as est:
        est.detect(img, 0.0)
        t0 = time.perf_counter()
        for i in range(1, 31):
            est.detect(img, i * 33.3)
        return (time.perf_counter() - t0) * 1000 / 30, what


def main() -> int:
    model_ms, what = model_ms_per_frame()
    print(f"pose model per frame ({what}): {model_ms:.1f} ms")
    print("| exercise | engine ms/frame (target <= 0.2) | engine/model | re-score 60 s ms (target <= 100) | reps |")
    print("|---|---|---|---|---|")
    for ex in ("bridge", "bird_dog", "sitting"):
        per_frame, result = engine_ms_per_frame(ex)
        rescore = rescore_ms(result)
        print(f"| {ex} | {per_frame:.3f} | {per_frame / model_ms:.4f} | {rescore:.1f} | {len(result.reps)} |")
        target(f"engine {ex}", per_frame, 0.2, " ms/frame")
        target(f"re-score 60 s of {ex}", rescore, 100, " ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
