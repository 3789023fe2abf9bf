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
import numpy.typing as npt

from formcheck.core.errors import ModelError
from formcheck.core.landmarks import NUM_LANDMARKS
from formcheck.core.pose import CHANNELS, VIS, FramePose
from formcheck.media.frame_memory import free_to_system
from formcheck.media.video_reader import RGBFrame

log = logging.getLogger(__name__)

Mode = Literal["image", "video"]
# MediaPipe's pose landmarker smooths each landmark's visibility in VIDEO mode with a
# low-pass filter of this alpha per call, whatever the time between calls
# (mediapipe/tasks/cc/vision/pose_landmarker/pose_landmarks_detector_graph.cc:
# SmoothLandmarksVisibility(..., low_pass_filter_alpha=0.1f)). Checked here: the raw values
# it implies stay within [0, 1] on every frame, and re-smoothing every 6th frame's with it
# gives the full-rate visibility to p95 0.02 (0.15 without; alphas 0.05 and 0.2: 0.11, 0.08).
MP_VISIBILITY_ALPHA = 0.1


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
    independent stills. :meth:`detect` returns None when no person is found. ``num_poses`` > 1:
    up to that many people are found (``people_last_frame``); the pose returned is the first.
    """

    def __init__(self, model_path: str | os.PathLike[str], mode: Mode = "video",
                 num_poses: int = 1, min_confidence: float = 0.5, frame_ms: float = 0.0) -> None:
        """``frame_ms`` > 0 (VIDEO mode, a clip sampled at some of its frames): the stream's
        frame interval, so that visibility is what MediaPipe would report had it seen every
        frame (see :class:`DenseVisibility`)."""
        path = Path(model_path)
        if not path.is_file():
            raise ModelError(f"{path}: pose model not found (see `formcheck models`)")
        # Imported here so that importing formcheck never loads MediaPipe's native code;
        # its C++ logging is quietened first (the ~38 "Sparsity" lines cannot be, per STACK).
        os.environ.setdefault("GLOG_minloglevel", "2")
        tasks = _import_vision()
        vision = tasks.vision

        self._vision = vision
        running = vision.RunningMode.VIDEO if mode == "video" else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=tasks.BaseOptions(model_asset_path=str(path)),
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
        self._dense = DenseVisibility(frame_ms) if frame_ms > 0 and mode == "video" else None
        self._rows: RGBFrame | None = None   # a padded frame's pixels, packed (see _packed)

    def detect(self, rgb: RGBFrame, t_ms: float = 0.0) -> FramePose | None:
        """Pose of the most prominent person in an (H, W, 3) uint8 RGB frame, or None."""
        import mediapipe as mp

        if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"expected (H, W, 3) uint8 RGB, got {rgb.shape} {rgb.dtype}")
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=self._packed(rgb))
        if self.mode == "video":
            ts = max(int(t_ms), self._last_ts + 1)
            self._last_ts = ts
            result = self._landmarker.detect_for_video(image, ts)
        else:
            result = self._landmarker.detect(image)
        self.people_last_frame = len(result.pose_landmarks)
        if not result.pose_landmarks:
            if self._dense is not None:
                self._dense.reset()
            return None
        h, w = rgb.shape[:2]
        # The first pose is the one a one-person landmarker finds (identical, to the last bit,
        # on every still of the shared set, alone and doubled side by side), so an IMAGE-mode
        # landmarker for two both judges the person and counts the people (crowd.py).
        pose = _to_pose(result.pose_landmarks[0], result.pose_world_landmarks[0], w, h)
        if self._dense is not None:
            pose.landmarks[:, VIS] = self._dense(pose.landmarks[:, VIS], t_ms)
        return pose

    def _packed(self, rgb: RGBFrame) -> RGBFrame:
        """The frame with its rows back to back, as mp.Image reads it. A decoder's rows can be
        padded (a 1080 px wide frame: 3264 bytes a row for 3240); MediaPipe copies the pixels
        into an image of its own anyway, so one buffer kept for the stream serves every frame:
        a fresh 6 MB copy per 1080 x 1920 frame was ~500 page faults, 0.6 ms of CPU, each."""
        if rgb.flags.c_contiguous:
            return rgb
        if self._rows is None or self._rows.shape != rgb.shape:
            self._rows = np.empty(rgb.shape, np.uint8)
        np.copyto(self._rows, rgb)
        return self._rows

    def close(self) -> None:
        self._rows = None
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None
            free_to_system()   # its threads' freed memory: see frame_memory.free_to_system

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class DenseVisibility:
    """Visibility as MediaPipe would smooth it had it seen every frame of the stream.

    Its low-pass filter works per call (MP_VISIBILITY_ALPHA), so a tracker fed every 6th
    frame lets a landmark's visibility climb 6 times slower in time: a far knee coming into
    view crosses the 0.5 floor about a second later than at full rate. The filter's raw
    input is recovered from two consecutive outputs (inverting the filter), taken to change
    linearly over the frames skipped, and filtered once per frame. Arrays are (33,) float32.
    """

    def __init__(self, frame_ms: float, alpha: float = MP_VISIBILITY_ALPHA) -> None:
        self.frame_ms = frame_ms
        self.alpha = alpha
        self.reset()

    def reset(self) -> None:
        """The tracker lost the person: MediaPipe's filter starts again on the next one."""
        self._seen: npt.NDArray[np.float64] | None = None   # MediaPipe's last output
        self._raw: npt.NDArray[np.float64] | None = None    # its last raw input
        self._out: npt.NDArray[np.float64] | None = None    # our last output
        self._t_ms = 0.0

    def __call__(self, vis: npt.NDArray[np.float32], t_ms: float) -> npt.NDArray[np.float32]:
        v = vis.astype(np.float64)
        if self._seen is None or self._out is None:
            self._seen, self._raw, self._out, self._t_ms = v, v, v, t_ms
            return vis
        a = self.alpha
        raw = np.clip((v - (1.0 - a) * self._seen) / a, 0.0, 1.0)
        prev_raw = self._raw if self._raw is not None else raw
        k = max(1, int(round((t_ms - self._t_ms) / self.frame_ms)))
        out = self._out
        for j in range(1, k + 1):
            out = a * (prev_raw + (raw - prev_raw) * (j / k)) + (1.0 - a) * out
        self._seen, self._raw, self._out, self._t_ms = v, raw, out, t_ms
        return out.astype(np.float32)


# MediaPipe's package imports its drawing helpers, and with them matplotlib.pyplot: about 0.5 s
# of CPU (of 0.8 for the whole import) in every process that runs the model, for drawing that
# formcheck does itself (formcheck.media.draw). And ``mediapipe.tasks.python`` imports every task
# family: audio (with the sounddevice/PortAudio binding), text, retrieval and decision, none of
# which a pose landmarker uses (~0.1 s of CPU per process). They are made lazy: loaded if
# anything uses them.
_LAZY_MODULES = ("vision.drawing_utils", "vision.drawing_styles", "audio", "text", "retrieval", "decision")


class _LazyDrawing:
    """A meta-path finder that hands out those modules (and packages) with a LazyLoader: the
    import binds them as usual, and they run when first used (never, by formcheck)."""

    names = frozenset(f"mediapipe.tasks.python.{m}" for m in _LAZY_MODULES)

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        import importlib.machinery
        import importlib.util

        if name not in self.names:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def _import_vision() -> Any:
    """``mediapipe.tasks.python`` (BaseOptions, vision) without running the modules above."""
    import sys

    finder = _LazyDrawing()
    sys.meta_path.insert(0, finder)   # type: ignore[arg-type]
    try:
        from mediapipe.tasks import python as tasks
    finally:
        sys.meta_path.remove(finder)   # type: ignore[arg-type]
    return tasks
