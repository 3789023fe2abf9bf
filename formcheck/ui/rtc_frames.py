"""Frames in and out of the WebRTC video path (streamlit-webrtc / aiortc), each converted by one
libswscale converter kept per callback thread.

aiortc hands the callback decoded YUV 4:2:0 frames and its VP8 encoder wants YUV 4:2:0 back.
``frame.to_ndarray(format="rgb24")`` and the encoder's own ``frame.reformat("yuv420p")`` of an
RGB frame each set up a new converter for every frame: 640x480 in, 0.50-0.66 ms against
0.25-0.27 with a kept one; out, 1.42-1.68 ms against 0.91-0.95 (same run, load 3-4). The
pixels are the same either way (the pose model and the browser see what they saw before);
OpenCV's I420 conversion would be 0.37 ms out, but its chroma filter differs from libswscale's
by up to 54 levels along coloured edges (the overlay's lines), so it is not used.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from formcheck.media.video_reader import RGBFrame

_local = threading.local()   # each callback thread's converters


def _converter(name: str) -> Any:
    conv = getattr(_local, name, None)
    if conv is None:
        from av.video.reformatter import VideoReformatter

        conv = VideoReformatter()
        setattr(_local, name, conv)
    return conv


def rgb_of(frame: Any) -> RGBFrame:
    """The (H, W, 3) uint8 RGB pixels of an ``av.VideoFrame``: a new array, the caller's own
    (it may draw on it)."""
    return np.asarray(_converter("to_rgb").reformat(frame, format="rgb24").to_ndarray(), np.uint8)


def video_frame(rgb: RGBFrame, like: Any) -> Any:
    """``rgb`` (H, W, 3) uint8 as an ``av.VideoFrame`` in the encoder's YUV 4:2:0, with the
    timing (pts, time base) of the frame ``like`` it replaces."""
    import av

    vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    out = _converter("to_yuv").reformat(vf, format="yuv420p")
    out.pts, out.time_base = like.pts, like.time_base
    return out
