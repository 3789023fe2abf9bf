"""Still images (jpg, png, webp, bmp): which files are read as one frame judged without time,
how one is read (OpenCV, scaled to the analysis size, RGB), and the size frames are scaled to.
Animated images are animated.py; clips are video_reader.py."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from formcheck.core.config import IMAGE_SUFFIXES
from formcheck.core.errors import MediaError
from formcheck.media.animated import is_animated


def read_still(path: Path, max_side: int) -> npt.NDArray[np.uint8]:
    """The image as upright RGB (H, W, 3), its longer side at most ``max_side``."""
    import cv2  # here, not at import: a clip or a GIF's command need not load OpenCV (~40 ms)

    data = np.fromfile(path, dtype=np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if img is None:
        raise MediaError(f"{path}: not a readable image (corrupt or not an image)")
    fit = fit_size(img.shape[1], img.shape[0], max_side)
    if fit is not None:
        img = cv2.resize(img, fit, interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def is_still(path: str | os.PathLike[str]) -> bool:
    """Is this path a still image (read as one frame, judged without time)?"""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES and not is_animated(path)


def fit_size(w: int, h: int, max_side: int) -> tuple[int, int] | None:
    """(w, h) scaled so the longer side is ``max_side`` (even sizes), or None if it fits."""
    if max(w, h) <= max_side:
        return None
    k = max_side / max(w, h)
    return max(2, int(round(w * k / 2)) * 2), max(2, int(round(h * k / 2)) * 2)
