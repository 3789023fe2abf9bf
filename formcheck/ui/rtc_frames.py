"""Frames in and out of the WebRTC video path (streamlit-webrtc / aiortc), converted once each way.

aiortc hands the callback decoded YUV 4:2:0 frames and its VP8 encoder wants YUV 4:2:0 back:
a frame returned as RGB is converted by libswscale inside the encoder, which cost 2.25 ms CPU
per 640x480 frame here against 0.55 ms for OpenCV's conversion to I420 (BT.601 limited range,
as libswscale's default: see video_writer.py, which does the same for the clips it writes).
An incoming frame is converted to RGB by libswscale as before (the pose model sees the same
pixels), through one converter kept per thread: ``frame.to_ndarray(format="rgb24")`` sets up
a new one for every frame, 0.50-0.66 ms a 640x480 frame against 0.25-0.27 (same pixels).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from formcheck.media.video_reader import RGBFrame

_local = threading.local()   # each callback thread's libswscale converter


def rgb_of(frame: Any) -> RGBFrame:
    """The (H, W, 3) uint8 RGB pixels of an ``av.VideoFrame``: a new array, the caller's own
    (it may draw on it)."""
    if not hasattr(_local, "to_rgb"):
        from av.video.reformatter import VideoReformatter

        _local.to_rgb = VideoReformatter()
    return np.asarray(_local.to_rgb.reformat(frame, format="rgb24").to_ndarray(), np.uint8)


def video_frame(rgb: RGBFrame, like: Any) -> Any:
    """``rgb`` (H, W, 3) uint8 as an ``av.VideoFrame`` in the encoder's YUV 4:2:0, with the
    timing (pts, time base) of the frame ``like`` it replaces. A frame of odd width or height
    (4:2:0 cannot hold it) goes back as RGB for the encoder to convert."""
    import av
    import cv2

    h, w = rgb.shape[:2]
    if w % 2 or h % 2:
        vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    else:
        yuv = np.asarray(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420), np.uint8)
        vf = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
    vf.pts, vf.time_base = like.pts, like.time_base
    return vf
