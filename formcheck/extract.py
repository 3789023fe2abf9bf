"""Clip or still -> PoseSequence: decode (on its own thread) overlapped with pose inference."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from .estimator import PoseEstimator
from .models import resolve_model
from .pose import FramePose, PoseSequence
from .video import MediaReader

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (frames done, frames expected; 0 if unknown)


def extract_poses(
    path: str | os.PathLike[str],
    model: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> PoseSequence:
    """Run the pose model over every frame of a clip (or a still) and return the sequence.

    Raises MediaError / ModelError with one-line messages for bad input.
    """
    model_path = resolve_model(model)
    with MediaReader(path) as reader:
        info = reader.info
        info.model = model_path.name
        t_ms: list[float] = []
        poses: list[FramePose | None] = []
        with PoseEstimator(model_path, mode="image" if info.is_image else "video") as est:
            for frame in reader:
                poses.append(est.detect(frame.rgb, frame.t_ms))
                t_ms.append(frame.t_ms)
                if progress is not None:
                    progress(len(t_ms), info.frames)
    info.frames = len(t_ms)
    if len(t_ms) > 1:
        # Real duration from real timestamps: last frame time plus one typical frame interval.
        step = (t_ms[-1] - t_ms[0]) / (len(t_ms) - 1)
        info.duration_s = (t_ms[-1] - t_ms[0] + step) / 1000.0
        info.fps = (len(t_ms) - 1) * 1000.0 / (t_ms[-1] - t_ms[0]) if t_ms[-1] > t_ms[0] else info.fps
    seq = PoseSequence.from_frames(t_ms, poses, info)
    log.info("%s: %d frames, person in %d", path, len(seq), int(seq.detected.sum()))
    return seq
