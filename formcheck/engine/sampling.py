"""Adaptive sampling for clips: the pose model on fewer frames, the same verdicts.

One pass and one tracker. The model runs on about one frame per ``MAX_DT_MS`` (the scorer's
longest step that still counts fully towards a hold, so holds and sustained faults add up the
same time) while nothing a verdict is made of is close to changing, and on every frame while
something might:

- the person is not wholly in view (or the body jumped): what the tracker finds there is
  decided frame by frame;
- a judged check's measure is within ``near_deg`` of its limit, counting how far it came
  towards that limit since the last model frame (projected one step on);
- and on every other frame while the phase measure is so near a threshold that would change
  the phase (enter or leave the top): the rep's times are then found to two frames.

Crossing the rest threshold only times where a rep starts: a sample shows it one step late
at most. Everywhere else one frame per step says what the frames between would: measured on
the labelled clips, the frames of a 233 ms span stray from the straight line between its two
ends by at most 3.1 deg (p95 over every check and phase measure of 8 clips; more only at the
fast turnaround of a bridge, which the approach term sees coming).

The MediaPipe tracker fed fewer frames reports visibility that lags (its filter works per
call): :class:`formcheck.media.estimator.DenseVisibility` restores what it would say at full rate.
And where a verdict rests on a knife edge (:func:`marginal`), the reps concerned are analysed
again frame by frame (:mod:`formcheck.run.adaptive`), or the whole clip at full rate. Pure: it
sees features and frame results, never frames.
"""

from __future__ import annotations

import math

from formcheck.core.landmarks import SIDES, resolve
from formcheck.core.pose import UNKNOWN_FRAME_MS
from formcheck.engine.checks import ranges_of
from formcheck.engine.features import Features
from formcheck.engine.reps import Rep
from formcheck.engine.scorer import MAX_DT_MS, FrameResult
from formcheck.engine.session import SessionResult, whole_in_view
from formcheck.rules.definition import Definition

# A measure this close to a limit is followed frame by frame: the p95 stray of the frames
# between two model frames from the line joining them (see the module docstring).
NEAR_DEG = 3.0
PHASE_SKIP_MAX_MS = 50.0   # frames at most this long may be skipped one in two near a phase threshold


def coarse_step_ms(frame_ms: float) -> float:
    """When the next model frame is due after one (ms from it), at this frame interval: the
    most whole frames that fit in MAX_DT_MS, aimed half a frame early to absorb jitter."""
    frame_ms = frame_ms if frame_ms > 0 else UNKNOWN_FRAME_MS
    frames = max(1, math.floor(MAX_DT_MS / frame_ms + 1e-6))
    return frames * frame_ms - frame_ms / 2


class AdaptiveSampler:
    """Decides, after each model frame, when the next one is due (0 ms: the next frame)."""

    def __init__(self, definition: Definition, frame_ms: float, near_deg: float = NEAR_DEG) -> None:
        self.frame_ms = frame_ms if frame_ms > 0 else UNKNOWN_FRAME_MS
        self.coarse_ms = coarse_step_ms(frame_ms)
        self.near_deg = near_deg
        self._required = {s: [resolve(n, s).value for n in definition.required_landmarks] for s in SIDES}
        # per check id: (measure, limits) of its bound and its ``also`` criteria
        self._bounds = {c.id: [(b.measure, [x for x in (b.min, b.max) if x is not None])
                               for b in ranges_of(c)]
                        for c in definition.checks}
        self._last_room: dict[str, float] = {}
        self._last_t: float | None = None
        self.dense_frames = 0
        self.reasons: dict[str, int] = {}   # why frames were followed one by one (for the log)

    def gap_ms(self, f: Features, r: FrameResult, phase_room_deg: float) -> float:
        """Time from this model frame (features ``f``, result ``r``; ``phase_room_deg`` from
        :meth:`Scorer.phase_room_deg`) to the next one the model should see."""
        rooms = self._rooms(f, r)
        rooms["phase"] = phase_room_deg
        dt = f.t_ms - self._last_t if self._last_t is not None else 0.0
        reason = "not whole" if not whole_in_view(f, self._required) else self._near(rooms, dt)
        self._last_room, self._last_t = rooms, f.t_ms
        if not reason:
            return self.coarse_ms
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        self.dense_frames += 1
        # Near a phase threshold every other frame of a video (>= 20 fps) times the crossing to
        # 100 ms at most, well within a step; a slow GIF needs each of its frames, and a check
        # near its limit needs every frame (a fault is a run of them).
        return self.frame_ms * 1.5 if reason == "phase" and self.frame_ms <= PHASE_SKIP_MAX_MS else 0.0

    def _rooms(self, f: Features, r: FrameResult) -> dict[str, float]:
        """Degrees between each judged check's measures and their limits."""
        vals = f.values.get(r.side, {}) if r.side else {}
        out: dict[str, float] = {}
        for c in r.checks:
            if c.status == "skipped":
                continue
            for measure, limits in self._bounds.get(c.id, []):
                v = vals.get(measure, math.nan)
                if not math.isnan(v) and limits:
                    out[f"{c.id}:{measure}"] = min(abs(v - x) for x in limits)
        return out

    def _near(self, rooms: dict[str, float], dt_ms: float) -> str:
        """The first measure within ``near_deg`` of its limit, now or one step on at the pace
        it approached it since the last model frame; "" if none."""
        for k, room in rooms.items():
            if not math.isfinite(room):
                continue
            closing = 0.0
            prev = self._last_room.get(k)
            if prev is not None and dt_ms > 0 and math.isfinite(prev):
                closing = max(0.0, prev - room) * self.coarse_ms / dt_ms
            if room - closing < self.near_deg:
                return k
        return ""


# A verdict this close to its decision boundary may come out either way on frames the model
# did not see, or from a tracker that saw other frames: the clip (or the rep, see
# knife_edge_reps) is then analysed at full rate.
MARGINAL_RUN = (0.5, 2.0)     # longest failing run at a settled top, x min_fault_ms
MARGINAL_SHARE = 0.1          # view or position time shares this close to deciding a message


def marginal(result: SessionResult, reps: bool = True) -> str:
    """Why this (adaptively sampled) result could differ from the full-rate one, or "".

    - a stretch with no whole person in view: what the tracker finds there, and when it finds
      the person again, depends on every frame it saw before;
    - a phase measure taken from the 3D estimate of a covered limb on some frames
      (``Features.phase_estimated``);
    - a rep check whose longest failing run at the settled top is within MARGINAL_RUN of
      ``min_fault_ms``: one frame more or less decides the fault;
    - the camera view or the out-of-position time within MARGINAL_SHARE of deciding a
      message (as the summary decided them: ``Summary.view_lead``, ``out_of_position_share``).

    ``reps=False`` leaves out the reps' knife edges (:func:`knife_edge_reps`: they can be
    refined around the rep, not the whole clip)."""
    d = result.definition
    if result.summary.person_missing:
        return "no whole person in view at times"
    if any(f.phase_estimated for f in result.features):
        # whether a frame's phase value is the 2D one or the 3D estimate flips with the
        # covered limb's visibility from frame to frame, and a tracker fed other frames sees
        # other visibilities (measured: rep times 300-470 ms apart on the close rear-oblique
        # bird-dog even with those frames followed one by one)
        return "a limb the reps are counted on is out of view at times"
    edges = knife_edge_reps(result) if reps else []
    if edges:
        rep, cid, run_ms = edges[0]
        return f"rep {rep.index}: {cid} fails for {run_ms:.0f} ms, close to a fault"
    sm = result.summary
    if sm.view_lead is not None and sm.view_lead < MARGINAL_SHARE:
        return "two camera views seen about as long"
    if d.position and sm.out_of_position_share is not None \
            and abs(sm.out_of_position_share - 0.5) < MARGINAL_SHARE / 2:
        return "out of position about half the time"
    return ""


def knife_edge_reps(result: SessionResult) -> list[tuple[Rep, str, float]]:
    """The reps with a check whose longest failing run at the settled top is within
    MARGINAL_RUN of ``min_fault_ms``: (rep, check id, run ms), the first such check per rep."""
    lo, hi = (x * result.definition.min_fault_ms for x in MARGINAL_RUN)
    out = []
    for rep in result.reps:
        for cid, run_ms in longest_fail_runs(rep).items():
            if lo <= run_ms < hi:
                out.append((rep, cid, run_ms))
                break
    return out


def longest_fail_runs(rep: Rep) -> dict[str, float]:
    """Per check, the longest run (ms) of consecutive failing frames at the rep's settled top."""
    settled = set(rep.settled_ms)
    out: dict[str, float] = {}
    start: dict[str, float] = {}
    for t, _, statuses, _ in rep.top_frames:
        if t not in settled:
            continue
        for cid, st in statuses.items():
            if st == "fail":
                start.setdefault(cid, t)
                out[cid] = max(out.get(cid, 0.0), t - start[cid])
            elif st == "ok":
                start.pop(cid, None)
    return out
