"""What one clip analysis produces and which frames the pose model sees, decided once before
any frame is read (:func:`plan_clip`); :func:`formcheck.run.pipeline.run` carries the plan out.
The CLI, batch, evaluate and Clip review all come through here (via ``analyze_clip``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from formcheck.core.pose import PoseSequence
from formcheck.media.animated import is_key_poses
from formcheck.media.bundles import resolve_model
from formcheck.media.stills import is_still

# where each frame's pose comes from: a pose file of the clip (no model), the model on the
# frames that can change a verdict (formcheck.engine.sampling), the model on every frame
Frames = Literal["cached", "sampled", "every"]


@dataclass(frozen=True)
class Plan:
    """One analysis, decided. ``model``: the pose model file (``cached``: None);
    ``landmarks``: the cached pose sequence (``cached`` only); ``video_out``: the annotated
    video to write, drawn with phase names and angles when ``video_details``; ``poses_out``: the
    pose file to write (every frame's pose: ``every`` only); ``pipelined``: decoding and
    encoding on their own threads (False: one after another, the reference they must match)."""

    frames: Frames
    model: Path | None = None
    landmarks: PoseSequence | None = None
    video_out: Path | None = None
    video_details: bool = True
    poses_out: Path | None = None
    pipelined: bool = True

    def __post_init__(self) -> None:
        if (self.frames == "cached") != (self.landmarks is not None) or \
                (self.frames == "cached") != (self.model is None):
            raise ValueError(f"a {self.frames!r} plan needs {'landmarks' if self.frames == 'cached' else 'a model'}"
                             " and not the other")
        if self.frames != "every" and self.poses_out is not None:
            raise ValueError("a pose file is written from every frame: plan 'every'")
        if self.frames == "sampled" and self.video_out is not None:
            raise ValueError("an annotated video draws every frame: plan 'every'")

    @property
    def decodes(self) -> bool:
        """Whether the clip itself is read: not for cached poses with no video to draw."""
        return self.frames != "cached" or self.video_out is not None

    def at_full_rate(self) -> Plan:
        """This plan with the model on every frame (where sampling cannot give the full-rate
        verdict)."""
        return replace(self, frames="every") if self.frames == "sampled" else self


def plan_clip(path: str | os.PathLike[str], model: str | os.PathLike[str] | None = None,
              landmarks: PoseSequence | None = None, video_out: str | os.PathLike[str] | None = None,
              poses_out: str | os.PathLike[str] | None = None, *, full_rate: bool = False,
              pipelined: bool = True, video_details: bool = True) -> Plan:
    """The plan for ``path``: its cached ``landmarks`` when given (``model`` and ``poses_out``
    then unused); else adaptive sampling for a clip's report alone, and the model on every
    frame with ``full_rate``, for an annotated video (each frame drawn with its own landmarks),
    a pose file (re-used for any exercise), a still or a few key poses (each frame detected
    alone: nothing to sample). Raises ModelError for a model that cannot be found."""
    video = Path(video_out) if video_out is not None else None
    if landmarks is not None:
        return Plan("cached", landmarks=landmarks, video_out=video, video_details=video_details,
                    pipelined=pipelined)
    model_path = resolve_model(model)
    poses = Path(poses_out) if poses_out is not None else None
    every = full_rate or video is not None or poses is not None or is_still(path) or is_key_poses(path)
    return Plan("every" if every else "sampled", model_path, None, video, video_details, poses, pipelined)
