"""Adaptive sampling of a clip (the rules: :mod:`formcheck.engine.sampling`): a sampled pass, and
where its verdict rests on a knife edge in some reps, a refining pass that runs the pose
model on every frame around those reps only, instead of analysing the whole clip again.

The refining pass replays the first pass's poses up to the first stretch to refine (the same
poses into a fresh session: the same state there), starts a new tracker SEED_FRAMES before
it, runs the model on every frame to the end of the stretch, and samples again after it.
A verdict that still rests on a knife edge outside the refined stretches, a person out of
view, or a knife edge of the whole clip (views, position) sends the clip to full rate; a pass
stops as soon as one of those is certain (a person out of view for long enough, a phase
measure estimated for a covered limb), since nothing after it could change that.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.core.pose import ClipInfo, FramePose
from formcheck.engine.sampling import AdaptiveSampler, knife_edge_reps, marginal
from formcheck.engine.session import MISSING_MIN_MS, Session, SessionResult
from formcheck.media.crowd import CrowdCheck
from formcheck.media.estimator import MP_VISIBILITY_ALPHA, PoseEstimator
from formcheck.media.frame_memory import trimmed
from formcheck.media.video_reader import MediaReader
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile

if TYPE_CHECKING:
    from formcheck.run.pipeline import Progress
    from formcheck.run.plan import Plan

log = logging.getLogger(__name__)

# Decoding runs this many frames ahead on a thread, overlapping the pose model (measured
# 5-13% faster on 4 clips than decoding in turn with FFmpeg skipping B-frames).
ADAPTIVE_PREFETCH = 4
# FFmpeg's frame threads for the sampled passes only above 720p: one decoding thread keeps
# ahead of the model on smaller frames, and frame threads cost CPU the model then lacks on a
# 2-core machine. Measured, interleaved A/B pairs, load ~1.2, the same results: darebee 720p
# wall 2.99 -> 2.72 s median of 4 (CPU 3.49 -> 3.21), physioplus 480p 1.140 -> 1.136 s (CPU
# 1.32 -> 1.27); a 1080p clip (pelvic tilt) 5.27 -> 5.34 s without them: kept there.
ADAPTIVE_THREADS_ABOVE_PX = 1280 * 720
# A new tracker runs on every frame for this many frames before a refined stretch: its
# visibility filter (MediaPipe's, alpha 0.1 per frame) has then forgotten where it started
# to within 0.5% (0.9 ** 51 < 0.005); its ROI and landmark filters settle within a few frames.
SEED_FRAMES = math.ceil(math.log(0.005) / math.log(1.0 - MP_VISIBILITY_ALPHA))
REFINE_PAD_MS = 500.0   # a refined stretch starts and ends this far beyond the rep (2 steps)
# Why a pass stops at its first frame whose phase measure is the 3D estimate of a covered limb:
# :func:`marginal` would send the clip to full rate for it whatever the rest of the pass saw
# (measured, CPU of the whole analysis, one A/B pair each on a loaded machine: the 3 labelled
# clips where it happens, 11.2 -> 9.4 s, 11.6 -> 9.0 s, 21.6 -> 19.8 s).
PHASE_ESTIMATED = "a limb the reps are counted on is out of view at times"


@dataclass
class _Pass:
    session: Session
    info: ClipInfo
    t_list: list[float] = field(default_factory=list)
    poses: list[FramePose | None] = field(default_factory=list)
    stopped: str = ""   # why the pass stopped before the end ("" if it did not)


def _next_due(t_ms: float, gap_ms: float, windows: list[tuple[float, float]], frame_ms: float) -> float:
    """When the model should see the next frame: every frame inside a window, and never
    later than the start of the next one."""
    due = t_ms + gap_ms
    for lo, hi in windows:
        if lo <= t_ms + frame_ms and t_ms < hi:
            return t_ms
        if t_ms < lo < due:
            due = lo
    return due


def _sampled_pass(path: str | os.PathLike[str], d: Definition, profile: Profile | None, model_path: Path,
                  crowd: CrowdCheck | None, windows: list[tuple[float, float]] | None = None,
                  replay: _Pass | None = None, progress: Progress | None = None) -> _Pass:
    """One adaptively sampled pass; with ``windows`` (ms, sorted) every frame inside them,
    and ``replay``'s poses before the first of them."""
    windows = windows or []
    with MediaReader(path, prefetch=ADAPTIVE_PREFETCH, steer=True, decode_threads=True,
                     threads_above_px=ADAPTIVE_THREADS_ABOVE_PX) as reader:
        info = reader.info
        info.model = model_path.name
        out = _Pass(Session(d, profile, info), info)
        frame_ms = info.frame_ms
        sampler = AdaptiveSampler(d, frame_ms)
        if replay is not None and windows:
            for t, pose in zip(replay.t_list, replay.poses, strict=True):
                if t >= windows[0][0]:
                    break
                feats, r = out.session.update(t, pose)
                sampler.gap_ms(feats, r, out.session.scorer.phase_room_deg(feats))
                out.t_list.append(t)
                out.poses.append(pose)
            reader.sample_at(windows[0][0])
        with PoseEstimator(model_path, mode="video", frame_ms=frame_ms) as est:
            for frame in trimmed(reader):   # (the heap's free pages returned as it goes)
                pose = est.detect(frame.rgb, frame.t_ms)
                if crowd is not None and pose is not None:
                    crowd.offer(frame.rgb, frame.t_ms)
                feats, r = out.session.update(frame.t_ms, pose)
                out.t_list.append(frame.t_ms)
                out.poses.append(pose)
                if out.session.person_missing_since(frame.t_ms) >= MISSING_MIN_MS:
                    out.stopped = "no whole person in view at times"
                    return out
                if feats.phase_estimated:   # marginal() sends such a clip to full rate: stop now
                    out.stopped = PHASE_ESTIMATED
                    return out
                gap = sampler.gap_ms(feats, r, out.session.scorer.phase_room_deg(feats))
                reader.sample_at(_next_due(frame.t_ms, gap, windows, frame_ms))
                if progress is not None:
                    progress(frame.index + 1, info.frames)
        _counted(info, reader, out.t_list)
    log.info("%s: pose model on %d of %d frames (adaptive sampling; one by one on %d: %s)", path,
             info.model_frames, info.frames, sampler.dense_frames, sampler.reasons)
    return out


def _counted(info: ClipInfo, reader: MediaReader, t_list: list[float]) -> ClipInfo:
    """The clip info of a sampled clip: every frame counted, the model's frames timed."""
    from formcheck.run.pipeline import _timed

    _timed(info, t_list)
    if reader.frames_seen > len(t_list):
        frame_ms = 1000.0 / info.fps if info.fps > 0 else 0.0
        first = t_list[0] if t_list else 0.0
        info.frames = reader.frames_seen
        span = max(reader.last_ms, t_list[-1] if t_list else 0.0) - first
        info.duration_s = (span + frame_ms) / 1000.0
        info.fps = (info.frames - 1) * 1000.0 / span if span > 0 else info.fps
    info.model_frames = len(t_list)
    return info


def refine_windows(result: SessionResult, frame_ms: float) -> list[tuple[float, float]]:
    """The stretches (ms, sorted, merged) to analyse frame by frame: each knife-edge rep,
    REFINE_PAD_MS either side, and SEED_FRAMES more before it for the new tracker."""
    spans = sorted((rep.start_ms - REFINE_PAD_MS - SEED_FRAMES * frame_ms, rep.end_ms + REFINE_PAD_MS)
                   for rep, _, _ in knife_edge_reps(result))
    merged: list[tuple[float, float]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _uncovered(result: SessionResult, windows: list[tuple[float, float]], seed_ms: float) -> str:
    """A knife-edge rep of a refined result outside the refined stretches, or ""."""
    for rep, cid, run_ms in knife_edge_reps(result):
        if not any(lo + seed_ms <= rep.start_ms and rep.end_ms <= hi for lo, hi in windows):
            return f"rep {rep.index}: {cid} fails for {run_ms:.0f} ms, close to a fault, outside the refined stretches"
    return ""


def analyze_adaptive(path: str | os.PathLike[str], d: Definition, profile: Profile | None,
                     plan: Plan, progress: Progress | None = None) -> SessionResult:
    """A clip's verdict from a sampled ``plan`` (adaptive sampling), refined around knife-edge
    reps; the plan at full rate where that cannot give the full-rate verdict.

    The people check looks at the first pass's frames, and only once its verdict stands: a clip
    sent to full rate is checked there again (checks measured at ~29 ms each and 50 ms to load
    their landmarker: ~0.25 s of a 44 s clip that loses its person at 12.9 s)."""
    from formcheck.run.pipeline import run

    model_path = plan.model
    if model_path is None:
        raise ValueError("a sampled plan runs a pose model")
    crowd = CrowdCheck(model_path, deferred=True)
    try:
        result = _sampled_verdict(path, d, profile, model_path, crowd, progress)
        if result is not None:
            crowd.close()
            return with_people(result, crowd.message())
    finally:
        crowd.discard()
    return run(path, d, profile, plan.at_full_rate(), progress)


def _sampled_verdict(path: str | os.PathLike[str], d: Definition, profile: Profile | None, model_path: Path,
                     crowd: CrowdCheck, progress: Progress | None) -> SessionResult | None:
    """The sampled (and, around knife-edge reps, refined) result without its people message,
    or None where only full rate gives the full-rate verdict (the reason logged)."""
    first = _sampled_pass(path, d, profile, model_path, crowd, progress=progress)
    why = first.stopped
    if not why:
        result = first.session.finish(first.info)
        why = marginal(result, reps=False)   # (the people message plays no part in it)
    if not why:
        frame_ms = first.info.frame_ms
        windows = refine_windows(result, frame_ms)
        if not windows:
            return result
        log.info("%s: %s: refined at full rate over %s ms", path, knife_edge_reps(result)[0][1],
                 ", ".join(f"{lo:.0f}-{hi:.0f}" for lo, hi in windows))
        second = _sampled_pass(path, d, profile, model_path, None, windows, first, progress)
        why = second.stopped
        if not why:
            result = second.session.finish(second.info)
            why = marginal(result, reps=False) or _uncovered(result, windows, SEED_FRAMES * frame_ms)
        if not why:
            return result
    log.info("%s: %s: analysed at full rate", path, why)
    return None


def with_people(result: SessionResult, people_message: str | None) -> SessionResult:
    """``result`` with the people check's message in its summary."""
    return replace(result, summary=replace(result.summary, people_message=people_message))
