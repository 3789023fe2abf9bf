"""Engine cost per frame (smoothing, measures, scoring) and re-scoring time for 60 s of poses,
next to the pose model's per-frame time, all measured in this run.

    .venv/bin/python benchmarks/bench_engine.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> int:
    from synth import bridge_pose

    from formcheck.definition import get_definition
    from formcheck.engine.session import Session, rescore
    from formcheck.estimator import PoseEstimator
    from formcheck.models import default_model_path
    from formcheck.pose import ClipInfo
    from formcheck.profile import Bounds, Profile, apply_profile

    d = get_definition("bridge")
    fps = 30
    n = 60 * fps   # 60 s of poses
    rng = np.random.default_rng(0)
    angles = 150 + 28 * np.sin(np.linspace(0, 20 * np.pi, n))
    poses = [bridge_pose(float(a)) for a in angles]
    for p in poses:
        p.landmarks[:, :2] += rng.normal(0, 1.5, (33, 2)).astype(np.float32)
    s = Session(d, info=ClipInfo(width=1280, height=720, fps=fps))
    t0 = time.perf_counter()
    for i, p in enumerate(poses):
        s.update(i * 1000 / fps, p)
    result = s.finish()
    per_frame_ms = (time.perf_counter() - t0) * 1000 / n
    prof = Profile(exercise="bridge", definition_version=d.version, thresholds={"hips_too_low": Bounds(min=170)})
    d2 = apply_profile(d, prof)
    t0 = time.perf_counter()
    rescore(result, d2, prof)
    rescore_ms = (time.perf_counter() - t0) * 1000
    img = np.zeros((720, 1280, 3), np.uint8)
    with PoseEstimator(default_model_path(), mode="video") as est:
        t0 = time.perf_counter()
        for i in range(30):
            est.detect(img, i * 33.3)
        model_ms = (time.perf_counter() - t0) * 1000 / 30
    print(f"engine per frame (smoothing + measures + scoring): {per_frame_ms:.3f} ms  (target <= 0.2)")
    print(f"re-score 60 s ({n} frames) with new thresholds:   {rescore_ms:.1f} ms  (target <= 100)")
    print(f"pose model per frame, 1280x720, no person:         {model_ms:.1f} ms")
    print(f"engine / model: {per_frame_ms / model_ms:.3f}; reps found {len(result.reps)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
