"""Where the monitor's samples come from: a camera sampled at a low rate, or a clip (played at
real time, or as fast as it decodes; looped to simulate hours). Yields (t_s, pose, (w, h))."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from formcheck.core.errors import FormcheckError, MediaError
from formcheck.core.pose import FramePose
from formcheck.media.bundles import resolve_model
from formcheck.media.estimator import PoseEstimator
from formcheck.media.video_reader import MediaReader

Sample = tuple[float, FramePose | None, tuple[int, int]]


def clip_samples(path: str | os.PathLike[str], sample_fps: float = 2.0, loops: int = 1,
                 model: str | None = None, realtime: bool = False) -> Iterator[Sample]:
    """One sample every 1/``sample_fps`` s of the clip, played ``loops`` times in a row (the
    pose model runs on the first pass only; later passes replay its poses)."""
    if sample_fps <= 0:
        raise FormcheckError("--sample-fps must be above 0")
    step_s = 1.0 / sample_fps
    cached: list[tuple[float, FramePose | None, tuple[int, int]]] = []
    model_path = resolve_model(model)
    start = time.monotonic()
    with MediaReader(path, prefetch=0, every_ms=step_s * 1000.0) as reader, \
            PoseEstimator(model_path, mode="video") as est:
        duration = 0.0
        for frame in reader:   # one frame per sample; the ones between are only decoded
            t = frame.t_ms / 1000.0
            duration = max(duration, t + step_s)
            pose = est.detect(frame.rgb, frame.t_ms)
            size = (frame.rgb.shape[1], frame.rgb.shape[0])
            cached.append((t, pose, size))
            _wait(start, t, realtime)
            yield t, pose, size
    if not cached:
        raise MediaError(f"{path}: no frames")
    for loop in range(1, loops):
        for t, pose, size in cached:
            t_loop = loop * duration + t
            _wait(start, t_loop, realtime)
            yield t_loop, pose, size


def camera_samples(index: int = 0, sample_fps: float = 2.0, model: str | None = None) -> Iterator[Sample]:
    """Samples from camera ``index`` (OpenCV) until interrupted."""
    import cv2
    import numpy as np

    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        raise MediaError(f"camera {index}: cannot be opened (no camera, or another program uses it)")
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)   # the newest frame, not a queue of old ones
    start = time.monotonic()
    try:
        with PoseEstimator(resolve_model(model), mode="video") as est:
            n = 0
            while True:
                ok, bgr = cap.read()
                if not ok:
                    raise MediaError(f"camera {index}: stopped delivering frames")
                t = time.monotonic() - start
                rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                yield t, est.detect(rgb, t * 1000.0), (rgb.shape[1], rgb.shape[0])
                n += 1
                _wait(start, n / sample_fps, True)
    finally:
        cap.release()


def _wait(start: float, t_s: float, realtime: bool) -> None:
    if realtime:
        delay = start + t_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def notify(title: str, message: str) -> None:
    """A desktop notification where the machine has one (notify-send); silently nothing else."""
    import shutil
    import subprocess

    if shutil.which("notify-send") and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        subprocess.run(["notify-send", title, message], check=False, capture_output=True, timeout=5)

