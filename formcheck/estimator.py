"""MediaPipe adapter: the only module that imports mediapipe.

One :class:`PoseEstimator` per stream (clip or live session), never shared: MediaPipe's VIDEO
and LIVE modes track across frames and require strictly increasing timestamps per instance.
MediaPipe's per-point objects are converted to numpy here, once.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np

from .errors import ModelError
from .landmarks import NUM_LANDMARKS
from .pose import CHANNELS, FramePose
from .video_reader import RGBFrame

log = logging.getLogger(__name__)

Mode = Literal["image", "video"]


def _to_pose(norm: Any, world: Any, width: int, height: int) -> FramePose:
    lm = np.empty((NUM_LANDMARKS, len(CHANNELS)), np.float32)
    wm = np.empty((NUM_LANDMARKS, 3), np.float32)
    for i, p in enumerate(norm):
        # Pixels, not normalised units: x and y then share a unit and angles are not skewed
        # on non-square frames. z is scaled like x (MediaPipe's convention).
        lm[i] = (p.x * width, p.y * height, p.z * width, p.visibility or 0.0, p.presence or 0.0)
    for i, p in enumerate(world):
        wm[i] = (p.x, p.y, p.z)
    return FramePose(lm, wm)


class PoseEstimator:
    """Detect one person's pose per frame.

    ``mode="video"``: frames of one stream in time order (tracking; faster). ``"image"``:
    independent stills. :meth:`detect` returns None when no person is found.
    """

    def __init__(self, model_path: str | os.PathLike[str], mode: Mode = "video",
                 num_poses: int = 1, min_confidence: float = 0.5) -> None:
        path = Path(model_path)
        if not path.is_file():
            raise ModelError(f"{path}: pose model not found (see `formcheck models`)")
        # Imported here so that importing formcheck never loads MediaPipe's native code;
        # its C++ logging is quietened first (the ~38 "Sparsity" lines cannot be, per STACK).
        os.environ.setdefault("GLOG_minloglevel", "2")
        from mediapipe.tasks.python import BaseOptions, vision

        self._vision = vision
        running = vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=running,
            num_poses=num_poses,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as e:
            raise ModelError(f"{path}: not a usable pose landmarker bundle ({e})") from None
        self.mode = mode
        self.model_path = path
        self._last_ts = -1
        self.people_last_frame = 0

    def detect(self, rgb: RGBFrame, t_ms: float = 0.0) -> FramePose | None:
        """Pose of the most prominent person in an (H, W, 3) uint8 RGB frame, or None."""
        import mediapipe as mp

        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self.mode == "video":
            ts = max(int(t_ms), self._last_ts + 1)
            self._last_ts = ts
            result = self._landmarker.detect_for_video(image, ts)
        else:
            result = self._landmarker.detect(image)
        self.people_last_frame = len(result.pose_landmarks)
        if not result.pose_landmarks:
            return None
        h, w = rgb.shape[:2]
        best = _most_prominent(result.pose_landmarks)
        return _to_pose(result.pose_landmarks[best], result.pose_world_landmarks[best], w, h)

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _most_prominent(poses: list[Any]) -> int:
    """Index of the pose with the largest bounding box (the person nearest the camera)."""
    if len(poses) == 1:
        return 0
    areas = []
    for pose in poses:
        xs = [p.x for p in pose]
        ys = [p.y for p in pose]
        areas.append((max(xs) - min(xs)) * (max(ys) - min(ys)))
    return int(np.argmax(areas))
