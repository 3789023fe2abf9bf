"""Clip analysis, pipelined: decoding (thread) | pose inference + analysis (caller) |
drawing + H.264 encoding (thread), joined by bounded queues so memory stays flat and the
slowest stage sets the pace. The live page feeds the same :class:`Session` frame by frame.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from formcheck.core.errors import FormcheckError
from formcheck.core.pose import ClipInfo, FramePose, PoseSequence
from formcheck.engine.features import Features
from formcheck.engine.scorer import FrameResult
from formcheck.engine.session import Session, SessionResult
from formcheck.media.animated import is_key_poses
from formcheck.media.bundles import resolve_model
from formcheck.media.crowd import CrowdCheck
from formcheck.media.estimator import Mode, PoseEstimator
from formcheck.media.frame_memory import FULL_RATE_PREFETCH, FULL_RATE_TRIM_EVERY_FRAMES, frames_in_heap, trimmed
from formcheck.media.stills import fit_size
from formcheck.media.video_reader import Frame, MediaReader, RGBFrame
from formcheck.media.video_writer import VideoWriter
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile
from formcheck.run.plan import Plan, plan_clip

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]   # (frames done, frames expected; 0 if unknown)
MAX_VIDEO_SIDE_PX = 1280   # annotated videos are at most this on their longer side


class _EncoderThread:
    """Draws and encodes frames on a worker thread; re-raises its error on close.

    ``threaded=False`` draws and encodes inline (the sequential reference path)."""

    def __init__(self, path: Path, width: int, height: int, fps: float, d: Definition,
                 threaded: bool = True, details: bool = True) -> None:
        self._q: queue.Queue[tuple[RGBFrame, Features, FrameResult, float] | None] = queue.Queue(16)
        # A review video needs no more than 1280 px: phone 1080x1920 would cost twice the
        # encoding time of the pose inference it shares 2 cores with.
        self._size = fit_size(width, height, MAX_VIDEO_SIDE_PX)
        w, h = self._size or (width, height)
        self._writer = VideoWriter(path, w, h, fps or 30.0)
        self._d = d
        self._details = details   # phase names and angles drawn (the therapist's view)
        self._error: BaseException | None = None
        self._t: threading.Thread | None = None
        if threaded:
            self._t = threading.Thread(target=self._run, name="formcheck-encode", daemon=True)
            self._t.start()

    def _run(self) -> None:
        try:
            while (item := self._q.get()) is not None:
                self._encode(*item)
        except BaseException as e:
            self._error = e
            while self._q.get() is not None:  # drain so the producer never blocks
                pass

    def _encode(self, rgb: RGBFrame, f: Features, r: FrameResult, t_ms: float) -> None:
        import cv2  # (loaded with the drawing: only an annotated video needs OpenCV here)

        from formcheck.media.draw import annotate

        img = annotate(rgb, f, r, self._d, self._details, inplace=True)   # the frame's last use
        if self._size is not None:
            # Bilinear, not area averaging: 2.1 against 6.5 ms CPU for a drawn 1080x1920 frame on
            # this thread (the encoder itself: 2.6), and frames 43.4-46.7 dB PSNR from the area-
            # averaged ones (max abs diff 29 levels, at text edges) on three 1080p clips: less than
            # x264 at crf 23 takes away (45.8 dB). Drawing after the resize would be cheaper still
            # but moves the text by a pixel or two (23.5 dB).
            img = np.asarray(cv2.resize(img, self._size, interpolation=cv2.INTER_LINEAR), np.uint8)
        self._writer.write(img, t_ms)

    def put(self, rgb: RGBFrame, f: Features, r: FrameResult, t_ms: float) -> None:
        if self._error is not None:
            return
        if self._t is None:
            try:
                self._encode(rgb, f, r, t_ms)
            except Exception as e:
                self._error = e
            return
        self._q.put((rgb, f, r, t_ms))

    def close(self, ok: bool) -> None:
        if self._t is not None:
            self._q.put(None)
            self._t.join()
        self._writer.close(ok=ok and self._error is None)
        if self._error is not None and ok:
            raise FormcheckError(f"cannot write the annotated video: {self._error}")


def extract_poses(path: str | os.PathLike[str], model: str | os.PathLike[str] | None = None,
                  progress: Progress | None = None) -> PoseSequence:
    """Run the pose model over every frame of a clip (or a still) and return the sequence, with
    no exercise judged: the same decode -> detect loop as :func:`analyze_clip`.

    Raises MediaError / ModelError with one-line messages for bad input.
    """
    model_path = resolve_model(model)
    with MediaReader(path) as reader:
        info = reader.info
        info.model = model_path.name
        t_list: list[float] = []
        poses: list[FramePose | None] = []
        with PoseEstimator(model_path, mode=estimator_mode(path, info)) as est:
            for i, (_, t, pose) in enumerate(_detected(reader, est, None)):
                t_list.append(t)
                poses.append(pose)
                if progress is not None:
                    progress(i + 1, info.frames)
    seq = PoseSequence.from_frames(t_list, poses, _timed(info, t_list))
    log.info("%s: %d frames, person in %d", path, len(seq), int(seq.detected.sum()))
    return seq


VIDEO_PREFETCH = 8   # frames decoded ahead of the model and the encoder of an annotated video


def estimator_mode(path: str | os.PathLike[str], info: ClipInfo) -> Mode:
    """IMAGE mode (each frame detected on its own) for a still and for an animation of a few
    key poses (:func:`formcheck.media.animated.is_key_poses`: tracking from one key pose lags into
    the next); VIDEO mode (tracked) for every other clip."""
    return "image" if info.is_image or is_key_poses(path) else "video"


def _detected(reader: Iterable[Frame], est: PoseEstimator, crowd: CrowdCheck | None
              ) -> Iterator[tuple[RGBFrame, float, FramePose | None]]:
    """The decode -> detect loop: (frame, t_ms, pose) per decoded frame; frames with a person
    are also offered to the two-person check."""
    for frame in reader:
        pose = est.detect(frame.rgb, frame.t_ms)
        if crowd is not None and pose is not None:
            crowd.offer(frame.rgb, frame.t_ms)
        yield frame.rgb, frame.t_ms, pose


def _cached(reader: Iterable[Frame], seq: PoseSequence) -> Iterator[tuple[RGBFrame, float, FramePose | None]]:
    """Decoded frames paired with a cached pose sequence of the same clip."""
    for i, frame in enumerate(reader):
        if i >= len(seq):
            break
        yield frame.rgb, float(seq.t_ms[i]), seq.frame(i)


def _timed(info: ClipInfo, t_list: list[float]) -> ClipInfo:
    """The clip info with the real frame count, duration and rate from the decoded timestamps
    (the container's own numbers are often wrong for VFR phone clips and GIFs)."""
    info.frames = len(t_list)
    if len(t_list) > 1:
        span = t_list[-1] - t_list[0]
        info.duration_s = span / 1000.0 * len(t_list) / (len(t_list) - 1)
        info.fps = (len(t_list) - 1) * 1000.0 / span if span > 0 else info.fps
    return info


def analyze_clip(
    path: str | os.PathLike[str],
    definition: Definition,
    profile: Profile | None = None,
    model: str | os.PathLike[str] | None = None,
    landmarks: PoseSequence | None = None,
    video_out: str | os.PathLike[str] | None = None,
    poses_out: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    pipelined: bool = True,
    full_rate: bool = False,
    video_details: bool = True,
) -> SessionResult:
    """Analyse a clip or still: :func:`formcheck.run.plan.plan_clip` decides from these what to
    produce and which frames the model sees, :func:`run` carries it out. With ``landmarks``
    (a cached sequence of this clip) the pose model is not run; the clip is decoded only if an
    annotated video is asked for.

    A clip's report alone is made with adaptive sampling (:mod:`formcheck.engine.sampling`: the
    model runs on the frames that can change a verdict; the result's frames are those).
    ``full_rate=True`` runs the model on every frame, as an annotated video (every frame is
    drawn with its own landmarks) and a pose file (re-used for any exercise) do.

    ``video_details=False`` draws the annotated video as a patient's view: reps, hold and cue,
    no phase names or angles.

    ``pipelined=False`` decodes, analyses and encodes one frame after another in this thread:
    slower, and the reference the pipelined path must match exactly."""
    plan = plan_clip(path, model, landmarks, video_out, poses_out, full_rate=full_rate, pipelined=pipelined,
                     video_details=video_details)
    return run(path, definition, profile, plan, progress)


def run(path: str | os.PathLike[str], definition: Definition, profile: Profile | None, plan: Plan,
        progress: Progress | None = None) -> SessionResult:
    """Carry out a plan: a sampled one by :mod:`formcheck.run.adaptive` (its passes steer the
    decoder to the frames due; where they cannot give the full-rate verdict it comes back here
    with ``plan.at_full_rate()``), every other one by the one frame loop below."""
    if plan.frames == "sampled":
        from formcheck.run.adaptive import analyze_adaptive

        return analyze_adaptive(path, definition, profile, plan, progress)
    # the model on every frame: frames from the heaps (frame_memory.frames_in_heap)
    heap = plan.decodes and plan.model is not None
    ahead = (VIDEO_PREFETCH if plan.video_out is not None else FULL_RATE_PREFETCH) if plan.pipelined else 0
    reader_cm: AbstractContextManager[MediaReader | None] = \
        MediaReader(path, prefetch=ahead) if plan.decodes else nullcontext()
    with reader_cm as reader:
        info = _clip_info(plan, reader)
        heap = heap and frames_in_heap(info.width * info.height * 3)
        est: PoseEstimator | None = None
        crowd: CrowdCheck | None = None
        if plan.model is not None:
            info.model = plan.model.name
            mode = estimator_mode(path, info)
            # IMAGE mode: one landmarker for two people judges each frame and counts the people
            est = PoseEstimator(plan.model, mode=mode, num_poses=2 if mode == "image" else 1)
            crowd = CrowdCheck(plan.model, deferred=True, counts_from=est if mode == "image" else None)
        session = Session(definition, profile, info)
        enc = _EncoderThread(plan.video_out, info.width, info.height, info.fps, definition, plan.pipelined,
                             plan.video_details) if plan.video_out is not None else None
        t_list: list[float] = []
        poses: list[FramePose | None] = []
        ok = False
        try:
            frames = trimmed(reader, FULL_RATE_TRIM_EVERY_FRAMES) if heap and reader is not None else reader
            for i, (rgb, t, pose) in enumerate(_frames(frames, est, crowd, plan.landmarks)):
                feats, r = session.update(t, pose)
                t_list.append(t)
                poses.append(pose)
                if enc is not None and rgb is not None:
                    enc.put(rgb, feats, r, t)
                if progress is not None:
                    progress(i + 1, info.frames)
            ok = True
        finally:
            if est is not None:
                est.close()
            if crowd is not None:
                crowd.close()
            if enc is not None:
                enc.close(ok)
    if est is not None:
        _timed(info, t_list)
        info.model_frames = len(t_list)
        if plan.poses_out is not None:
            PoseSequence.from_frames(t_list, poses, info).save(plan.poses_out)
    return session.finish(info, crowd.message() if crowd is not None else None)


def _clip_info(plan: Plan, reader: MediaReader | None) -> ClipInfo:
    """The pose file's own clip info, or the decoded clip's."""
    if plan.landmarks is not None:
        return plan.landmarks.info
    if reader is None:
        raise ValueError("a plan without cached poses decodes the clip")
    return reader.info


def _frames(reader: Iterable[Frame] | None, est: PoseEstimator | None, crowd: CrowdCheck | None,
            seq: PoseSequence | None) -> Iterator[tuple[RGBFrame | None, float, FramePose | None]]:
    """Each frame's (picture, t_ms, pose): from the model, from the cached sequence beside the
    decoded pictures (to draw), or from the cached sequence alone (no picture)."""
    if est is not None and reader is not None:
        return _detected(reader, est, crowd)
    if seq is None:
        raise ValueError("a plan without a model needs its cached poses")
    if reader is not None:
        return _cached(reader, seq)
    return ((None, float(seq.t_ms[i]), seq.frame(i)) for i in range(len(seq)))
