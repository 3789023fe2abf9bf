"""Pose data types: one frame's landmarks and a clip's pose sequence, with validation and a
single-file (.npz) cache format.

Coordinates: ``x_px``/``y_px`` are image pixels (origin top-left, y down) of the upright
(rotation-corrected) frame; ``z_rel`` is MediaPipe's relative depth (same scale as x, smaller =
nearer the camera, origin at the hips); ``visibility``/``presence`` are in [0, 1]. World
landmarks are metres, origin between the hips, MediaPipe's camera-aligned axes.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from formcheck.core.atomic import atomic_path
from formcheck.core.errors import FormcheckError
from formcheck.core.landmarks import NUM_LANDMARKS

CHANNELS = ("x_px", "y_px", "z_rel", "visibility", "presence")
X, Y, Z, VIS, PRES = range(len(CHANNELS))
FILE_FORMAT = "formcheck-poses"
FILE_VERSION = 1

FloatArray = npt.NDArray[np.float32]


def _check_array(name: str, arr: np.ndarray, shape: tuple[int | None, ...]) -> None:
    ok = arr.ndim == len(shape) and all(s is None or s == a for s, a in zip(shape, arr.shape, strict=True))
    if not ok:
        want = "(" + ", ".join("T" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")


@dataclass(frozen=True)
class FramePose:
    """One person's pose in one frame.

    landmarks: (33, 5) float32, channels ``CHANNELS``.
    world_m:   (33, 3) float32, metres.
    """

    landmarks: FloatArray
    world_m: FloatArray

    def __post_init__(self) -> None:
        _check_array("landmarks", self.landmarks, (NUM_LANDMARKS, len(CHANNELS)))
        _check_array("world_m", self.world_m, (NUM_LANDMARKS, 3))
        if self.landmarks.dtype != np.float32 or self.world_m.dtype != np.float32:
            raise ValueError(
                f"pose arrays must be float32, got {self.landmarks.dtype}/{self.world_m.dtype}"
            )

    @property
    def xy_px(self) -> FloatArray:
        """(33, 2) pixel coordinates."""
        return self.landmarks[:, :2]

    @property
    def visibility(self) -> FloatArray:
        """(33,) visibility in [0, 1]."""
        return self.landmarks[:, VIS]


# The frame interval assumed where a clip's rate is not known (a still, a header without it).
UNKNOWN_FRAME_MS = 1000.0 / 30.0


@dataclass
class ClipInfo:
    """What is known about the source of a pose sequence."""

    path: str = ""
    fps: float = 0.0
    width: int = 0
    height: int = 0
    frames: int = 0
    duration_s: float = 0.0
    rotation_deg: int = 0
    is_image: bool = False
    model: str = ""
    model_frames: int = 0   # frames the pose model ran on (fewer than ``frames`` when sampled)

    @property
    def frame_ms(self) -> float:
        """One frame's duration (ms); UNKNOWN_FRAME_MS when the rate is not known."""
        return 1000.0 / self.fps if self.fps > 0 else UNKNOWN_FRAME_MS


def empty_frame_arrays() -> tuple[FloatArray, FloatArray]:
    """NaN-filled (33, 5) and (33, 3) arrays: the stored value of a frame with no person."""
    return (
        np.full((NUM_LANDMARKS, len(CHANNELS)), np.nan, np.float32),
        np.full((NUM_LANDMARKS, 3), np.nan, np.float32),
    )


@dataclass
class PoseSequence:
    """A clip's poses.

    t_ms:      (T,) float64, frame presentation times in ms, strictly increasing.
    landmarks: (T, 33, 5) float32, NaN rows where no person was found.
    world_m:   (T, 33, 3) float32, NaN rows where no person was found.
    """

    t_ms: npt.NDArray[np.float64]
    landmarks: FloatArray
    world_m: FloatArray
    info: ClipInfo = field(default_factory=ClipInfo)

    def __post_init__(self) -> None:
        self.t_ms = np.asarray(self.t_ms, dtype=np.float64)
        self.landmarks = np.asarray(self.landmarks, dtype=np.float32)
        self.world_m = np.asarray(self.world_m, dtype=np.float32)
        _check_array("t_ms", self.t_ms, (None,))
        n = len(self.t_ms)
        _check_array("landmarks", self.landmarks, (n, NUM_LANDMARKS, len(CHANNELS)))
        _check_array("world_m", self.world_m, (n, NUM_LANDMARKS, 3))
        if n > 1 and not np.all(np.diff(self.t_ms) > 0):
            raise ValueError("t_ms must be strictly increasing")

    def __len__(self) -> int:
        return len(self.t_ms)

    @property
    def detected(self) -> npt.NDArray[np.bool_]:
        """(T,) True where a person was found."""
        return ~np.isnan(self.landmarks[:, 0, X])

    def frame(self, i: int) -> FramePose | None:
        """The pose of frame ``i``, or None when no person was found there."""
        if not self.detected[i]:
            return None
        return FramePose(self.landmarks[i], self.world_m[i])

    @classmethod
    def from_frames(
        cls, t_ms: list[float], poses: list[FramePose | None], info: ClipInfo
    ) -> PoseSequence:
        lm = np.empty((len(poses), NUM_LANDMARKS, len(CHANNELS)), np.float32)
        wm = np.empty((len(poses), NUM_LANDMARKS, 3), np.float32)
        for i, p in enumerate(poses):
            if p is None:
                lm[i], wm[i] = empty_frame_arrays()
            else:
                lm[i], wm[i] = p.landmarks, p.world_m
        return cls(np.asarray(t_ms, np.float64), lm, wm, info)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write one compressed .npz (atomically) holding arrays and metadata."""
        meta = {"format": FILE_FORMAT, "version": FILE_VERSION, "channels": CHANNELS,
                "info": asdict(self.info)}
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez_compressed(
                tmp, t_ms=self.t_ms, landmarks=self.landmarks, world_m=self.world_m,
                meta=np.array(json.dumps(meta)),
            )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PoseSequence:
        """Read a file written by :meth:`save`; raises FormcheckError with a clear message."""
        p = Path(path)
        if not p.is_file():
            raise FormcheckError(f"{p}: no such pose file")
        try:
            with np.load(p, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.get("format") != FILE_FORMAT:
                    raise FormcheckError(f"{p}: not a formcheck pose file")
                if meta.get("version") != FILE_VERSION:
                    raise FormcheckError(
                        f"{p}: pose file version {meta.get('version')} is not supported "
                        f"(this formcheck reads version {FILE_VERSION}); re-run formcheck landmarks"
                    )
                known = ClipInfo.__dataclass_fields__
                info = ClipInfo(**{k: v for k, v in meta["info"].items() if k in known})
                return cls(z["t_ms"], z["landmarks"], z["world_m"], info)
        except FormcheckError:
            raise
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile,
                json.JSONDecodeError) as e:
            raise FormcheckError(f"{p}: not a readable formcheck pose file ({e})") from None
