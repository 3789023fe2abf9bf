"""Adaptive sampling for clips: the pose model on fewer frames, the same verdicts.

One pass and one tracker. The model runs on one frame every ``coarse_ms`` while nothing a
verdict is made of is close to changing, and on every frame while something might:

- the person is not wholly in view, or the body jumped (the tracker's own history then
  decides what it finds, and a missing-person stretch must start and end on the frames the
  full-rate path would see);
- anything a verdict is made of changed since the last model frame: view, phase, rep count,
  a check's status;
- the phase measure is within ``near_deg`` of a threshold that would change the phase (enter
  or leave the top, back to rest), counting how far it moved towards it in the last step: the
  rep starts, tops and ends are then found on the same frames as at full rate, give or take
  the tracker's smoothing;
- a judged check's measure is within ``near_deg`` of its limit (a fault needs a run of
  failing frames; near the limit the run must be seen frame by frame).

Everything else is slow movement or a held position, where one frame every ``coarse_ms``
says what the frames between would. ``coarse_ms`` stays below the scorer's MAX_DT_MS so
that holds and sustained faults accumulate the same time. Pure: it sees features and frame
results, never frames.
"""

from __future__ import annotations

import math
import os

from .definition import Criterion, Definition
from .engine.features import Features
from .engine.reps import Rep
from .engine.session import SessionResult
from .engine.scorer import MAX_DT_MS, FrameResult
from .landmarks import SIDES, resolve

COARSE_MS = float(os.environ.get("FC_COARSE", "200"))    # the model's step while nothing is about to change (< MAX_DT_MS)
# A measure this close to a limit is followed frame by frame. The tracker and our filter
# smooth over ~0.3 s; between two model frames 200 ms apart a limb moving at the labelled
# clips' top speeds (~40 deg/s) moves about 8 deg, which the approach term adds to this.
NEAR_DEG = float(os.environ.get("FC_NEAR", "6"))
import os
DENSE_STAY_MS = float(os.environ.get("FC_STAY", "0"))   # once dense, stay so this long: the tracker's smoothing settles

Signature = tuple[object, ...]


class AdaptiveSampler:
    """Decides, after each model frame, how long until the next one (0: the next frame)."""

    def __init__(self, definition: Definition, coarse_ms: float = COARSE_MS,
                 near_deg: float = NEAR_DEG) -> None:
        if not 0 < coarse_ms <= MAX_DT_MS:
            raise ValueError(f"coarse_ms must be in (0, {MAX_DT_MS}], got {coarse_ms}")
        self.d = definition
        self.coarse_ms = coarse_ms
        self.near_deg = near_deg
        self._required = {s: [resolve(n, s).value for n in definition.required_landmarks] for s in SIDES}
        self._checks = {c.id: c for c in definition.checks}
        self._last_sig: Signature | None = None
        self._last_room: dict[str, float] = {}
        self._last_t: float | None = None
        self._dense_until = -math.inf
        self.model_frames = 0
        self.dense_frames = 0
        self.reasons: dict[str, int] = {}   # why frames were hot (for the log)

    def gap_ms(self, f: Features, r: FrameResult, phase_room_deg: float) -> float:
        """Time from this model frame (features ``f``, result ``r``; ``phase_room_deg`` from
        :meth:`Scorer.phase_room_deg`) to the next one the model should see."""
        self.model_frames += 1
        sig = self._signature(f, r)
        rooms = self._rooms(f, r)
        rooms["phase"] = phase_room_deg
        dt = f.t_ms - self._last_t if self._last_t is not None else 0.0
        reason = "changed" if sig != self._last_sig else "not whole" if not sig[1] else \
            self._near(rooms, dt)
        hot = bool(reason)
        if hot:
            self.reasons[str(reason)] = self.reasons.get(str(reason), 0) + 1
        self._last_sig, self._last_room, self._last_t = sig, rooms, f.t_ms
        if hot:
            self._dense_until = f.t_ms + DENSE_STAY_MS
        if hot or f.t_ms < self._dense_until:
            self.dense_frames += 1
            return 0.0
        return self.coarse_ms

    def _signature(self, f: Features, r: FrameResult) -> Signature:
        whole = bool(f.pose and not f.jump and f.visible is not None
                     and all(f.visible[i] for i in self._required[f.near_side]))
        return (r.pose, whole, r.view, r.phase, r.rep_count,
                tuple((c.id, c.status) for c in r.checks))

    def _rooms(self, f: Features, r: FrameResult) -> dict[str, float]:
        """Degrees between each judged check's measures and their limits."""
        vals = f.values.get(r.side, {}) if r.side else {}
        out: dict[str, float] = {}
        for c in r.checks:
            chk = self._checks.get(c.id)
            if chk is None or c.status == "skipped":
                continue
            for b in [Criterion(measure=chk.measure, min=chk.min, max=chk.max), *chk.also]:
                v = vals.get(b.measure, math.nan)
                if math.isnan(v):
                    continue
                room = min(abs(v - x) for x in (b.min, b.max) if x is not None) \
                    if (b.min is not None or b.max is not None) else math.inf
                out[f"{c.id}:{b.measure}"] = room
        return out

    def _near(self, rooms: dict[str, float], dt_ms: float) -> str:
        """Is any measure within ``near_deg`` of its limit, now or one coarse step on at the
        pace it approached it since the last model frame?"""
        for k, room in rooms.items():
            if math.isinf(room) or math.isnan(room):
                continue
            closing = 0.0
            prev = self._last_room.get(k)
            if prev is not None and dt_ms > 0 and math.isfinite(prev):
                closing = max(0.0, prev - room) * self.coarse_ms / dt_ms
            if room - closing < self.near_deg:
                return k
        return ""


# A verdict this close to its decision boundary may come out either way on frames the model
# did not see, or from a tracker that saw other frames: the clip is then analysed at full rate.
MARGINAL_RUN = (0.5, 2.0)     # longest failing run at a settled top, x min_fault_ms
MARGINAL_SHARE = 0.1          # view or position time shares this close to the deciding half


def marginal(result: SessionResult, views_ms: dict[str, float], out_of_position_ms: float) -> str:
    """Why this (adaptively sampled) result could differ from the full-rate one, or "".

    - a stretch with no whole person in view: what the tracker finds there, and when it finds
      the person again, depends on every frame it saw before;
    - a rep check whose longest failing run at the settled top is within MARGINAL_RUN of
      ``min_fault_ms``: one frame more or less decides the fault;
    - the camera view or the out-of-position time within MARGINAL_SHARE of deciding a
      message."""
    d = result.definition
    if result.summary.person_missing:
        return "no whole person in view at times"
    lo, hi = (x * d.min_fault_ms for x in MARGINAL_RUN)
    for rep in result.reps:
        for cid, run_ms in longest_fail_runs(rep).items():
            if lo <= run_ms < hi:
                return f"rep {rep.index}: {cid} fails for {run_ms:.0f} ms, close to a fault"
    total = sum(views_ms.values())
    if total > 0:
        shares = sorted((v / total for v in views_ms.values()), reverse=True)
        if len(shares) > 1 and shares[0] - shares[1] < MARGINAL_SHARE:
            return "two camera views seen about as long"
        if d.position and abs(out_of_position_ms / total - 0.5) < MARGINAL_SHARE / 2:
            return "out of position about half the time"
    return ""


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
