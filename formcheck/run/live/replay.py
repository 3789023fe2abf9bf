"""Replay a real clip as the browser component would send it: the pose model run at a given
frame rate (VIDEO mode, as in the patient's browser), frames in the component's protocol
(:mod:`formcheck.run.live.landmarks`), grouped in batches. For tests and the load benchmark: no
browser is needed to drive the live path with real landmark sequences."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from formcheck.media.bundles import resolve_model
from formcheck.media.estimator import PoseEstimator
from formcheck.media.video_reader import MediaReader

BATCH_MS = 100.0   # the component's send interval (formcheck/ui/pose_component/frontend/transport.js SEND_MS)


def browser_frames(clip: str | os.PathLike[str], fps: float,
                   model: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The clip's frames the browser would judge at ``fps`` (the newest camera frame each time
    the model is free), as protocol frames: normalised landmarks, like MediaPipe for Web."""
    out: list[dict[str, Any]] = []
    with MediaReader(Path(clip), every_ms=1000.0 / fps) as reader, \
            PoseEstimator(resolve_model(model), mode="video") as est:
        for frame in reader:
            h, w = frame.rgb.shape[:2]
            pose = est.detect(frame.rgb, frame.t_ms)
            f: dict[str, Any] = {"i": len(out), "t": float(frame.t_ms), "w": w, "h": h, "lm": None, "wl": None}
            if pose is not None:
                lm = pose.landmarks.astype(float)
                lm[:, 0] /= w
                lm[:, 1] /= h
                lm[:, 2] /= w
                f["lm"] = [round(v, 6) for v in lm.ravel().tolist()]
                f["wl"] = [round(v, 6) for v in pose.world_m.astype(float).ravel().tolist()]
            out.append(f)
    return out


def messages(frames: list[dict[str, Any]], batch_ms: float = BATCH_MS, camera_fps: float | None = None,
             t_offset_ms: float = 0.0) -> Iterator[dict[str, Any]]:
    """Component messages for ``frames``: one batch per ``batch_ms`` of frame time, then the
    STOP message (``running`` false). ``t_offset_ms`` shifts every frame's time (a loop)."""
    status: dict[str, Any] = {"delegate": "CPU"} if camera_fps is None else {"camera_fps": camera_fps}
    batch: list[dict[str, Any]] = []
    n = 0
    due = None
    for f in frames:
        g = {**f, "t": f["t"] + t_offset_ms}
        due = g["t"] + batch_ms if due is None else due
        if g["t"] >= due and batch:
            n += 1
            yield {"batch": n, "running": True, "frames": batch, "status": status}
            batch, due = [], g["t"] + batch_ms
        batch.append(g)
    n += 1
    yield {"batch": n, "running": True, "frames": batch, "status": status}
    yield {"batch": n + 1, "running": False, "frames": [], "status": status}
