"""Animated WebP images (exercise libraries ship their demonstrations as WebP animations),
decoded frame by frame with Pillow: FFmpeg's WebP decoder reads only still WebP, so OpenCV
and PyAV see one frame of an animation at most.

Frames are RGB uint8 arrays (H, W, 3) with their start time in ms (Pillow's frame timestamps,
from the durations in the file).
"""

from __future__ import annotations

import functools
import logging
import os
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from formcheck.core.errors import MediaError

if TYPE_CHECKING:
    from PIL import Image as _PILImage

log = logging.getLogger(__name__)

ANIMATED_SUFFIXES = frozenset({".webp"})
DEFAULT_FRAME_MS = 100.0   # a frame that states no duration (Pillow's default for WebP)
KEY_POSE_SUFFIXES = frozenset({".gif", ".webp"})
# An animation of a few key poses (an exercise library's "bottom, then top") is detected frame
# by frame as stills are (the pose model's IMAGE mode), not tracked. Measured (full model): a
# bridge of two photos 800 ms apart, bottom then top, reads the top's hip at 161 deg tracked
# (VIDEO mode, from the bottom pose) and 177-178 deg detected alone, as the photo alone reads;
# on the labelled GIFs of 2-6 frames 300-1000 ms apart the two modes differ by at most 6 deg at
# the hip. Tracking is kept for longer animations: on a 30-frame GIF 300 ms apart, frames
# detected alone changed which side looked nearer (by visibility) on 8 of them (the hip read
# 35-52 deg tracked, 77-104 alone).
KEY_POSE_MAX_FRAMES = 7
KEY_POSE_MIN_GAP_MS = 300.0   # median time between frames (the labelled key-pose GIFs: 300-1000)


def is_animated(path: str | os.PathLike[str]) -> bool:
    """Is this an animation that Pillow decodes (AnimatedImage): an animated WebP (more than one
    frame; reads the header), or a GIF of a few key poses (:func:`is_key_poses`)?

    A key-pose GIF is read with Pillow, which has already read it to tell that it is one, not
    PyAV (whose import is ~50 ms of such a GIF's whole process): on the 21 labelled GIFs the two
    give the same frames, pixel for pixel, at the same times. A longer GIF stays with PyAV."""
    p = Path(path)
    if p.suffix.lower() == ".gif":
        return is_key_poses(p)
    if p.suffix.lower() not in ANIMATED_SUFFIXES or not p.is_file():
        return False
    # Pillow is imported only for the files it reads (~50 ms of a still's or a clip's command)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(p) as im:
            return int(getattr(im, "n_frames", 1)) > 1
    except (OSError, UnidentifiedImageError, ValueError):
        return False   # not readable: the still reader gives the clear message


def is_key_poses(path: str | os.PathLike[str]) -> bool:
    """Is this a GIF or WebP animation of a few key poses (at most KEY_POSE_MAX_FRAMES frames,
    their median duration at least KEY_POSE_MIN_GAP_MS)? Reads the file with Pillow, once per
    version of the file (the plan and the pipeline both ask: a GIF's command decoded it twice)."""
    p = Path(path)
    if p.suffix.lower() not in KEY_POSE_SUFFIXES or not p.is_file():
        return False
    st = p.stat()
    return _key_poses(p.resolve(), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _key_poses(p: Path, _size: int, _mtime_ns: int) -> bool:
    """is_key_poses of a file as it is now (its size and modification time are in the key)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(p) as im:
            n = int(getattr(im, "n_frames", 1))
            if not 1 < n <= KEY_POSE_MAX_FRAMES:
                return False
            durations = []
            for i in range(n):
                im.seek(i)
                im.load()   # (a WebP frame's duration is set once it is decoded)
                d = im.info.get("duration")
                durations.append(float(d) if isinstance(d, (int, float)) and d > 0 else DEFAULT_FRAME_MS)
    except (OSError, UnidentifiedImageError, ValueError, EOFError):
        return False   # not readable: the reader gives the clear message
    # statistics, not numpy: np.median imports numpy.ma (~10-20 ms of a GIF's whole process)
    return float(statistics.median(durations)) >= KEY_POSE_MIN_GAP_MS


class AnimatedImage:
    """An animated image's frames, decoded one at a time. ``max_side`` scales large frames
    down (longer side) while decoding."""

    def __init__(self, path: str | os.PathLike[str], max_side: int) -> None:
        from PIL import Image, UnidentifiedImageError

        self.path = Path(path)
        try:
            self._im: _PILImage.Image = Image.open(self.path)
            self.frames = int(getattr(self._im, "n_frames", 1))
        except (OSError, UnidentifiedImageError, ValueError) as e:
            raise MediaError(f"{self.path}: not a readable animated image ({e})") from None
        w, h = self._im.size
        k = min(1.0, max_side / max(w, h)) if max(w, h) > 0 else 1.0
        self.size = (max(2, int(round(w * k / 2)) * 2), max(2, int(round(h * k / 2)) * 2)) if k < 1 else (w, h)
        self.times_ms = self._times()
        self.duration_s = self._end_ms / 1000.0
        self.fps = self.frames / self.duration_s if self.duration_s > 0 else 0.0

    def _duration(self, i: int) -> float:
        self._im.seek(i)
        self._im.load()   # Pillow sets a WebP frame's duration once it is decoded
        d = self._im.info.get("duration")
        return float(d) if isinstance(d, (int, float)) and d > 0 else DEFAULT_FRAME_MS

    def _times(self) -> list[float]:
        """Each frame's start (ms), strictly increasing (1 ms apart at least)."""
        times: list[float] = []
        t = 0.0
        for i in range(self.frames):   # (decodes each frame once: animations are short)
            times.append(t if not times or t > times[-1] else times[-1] + 1.0)
            t += self._duration(i)
        self._end_ms = t
        return times

    def __iter__(self) -> Iterator[tuple[int, float, npt.NDArray[np.uint8]]]:
        """(index, t_ms, rgb (H, W, 3)) for every frame."""
        from PIL import Image

        for i, t in enumerate(self.times_ms):
            try:
                self._im.seek(i)
                frame = self._im.convert("RGB")
            except (OSError, EOFError, ValueError) as e:
                raise MediaError(f"{self.path}: cannot decode frame {i} ({e})") from None
            if frame.size != self.size:
                frame = frame.resize(self.size, Image.Resampling.LANCZOS)
            yield i, t, np.asarray(frame, dtype=np.uint8)

    def close(self) -> None:
        self._im.close()
