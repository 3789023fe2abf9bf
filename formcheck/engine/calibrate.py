"""Propose per-patient thresholds from a clip of the patient doing the exercise well.

The therapist picks the clip; for each check we take the values the patient actually showed
where the check is judged (the settled top / extended position of every rep, or every judged
frame of a continuous exercise), use the 5th-95th percentile so one jittery frame does not set a
threshold, and widen that by a stated margin. The therapist accepts or edits the proposal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.core.errors import FormcheckError
from formcheck.engine.scorer import FrameResult
from formcheck.engine.session import SessionResult
from formcheck.rules.profile import Bounds

DEFAULT_MARGIN_DEG = 5.0   # about the 2D angle error in a true side view (CLINICAL.md: 2-7 deg)
LOW_PCT, HIGH_PCT = 5.0, 95.0


@dataclass(frozen=True)
class Proposal:
    check_id: str
    current: Bounds
    proposed: Bounds
    observed_lo: float
    observed_hi: float
    frames: int


def propose(result: SessionResult, margin_deg: float = DEFAULT_MARGIN_DEG) -> list[Proposal]:
    """One proposal per check that was judged in the clip; FormcheckError when none was
    (no rep reached the top, wrong view, nobody in the picture)."""
    d = result.definition
    values: dict[str, list[float]] = {c.id: [] for c in d.checks}
    for fr in _judged_frames(result):
        for cr in fr.checks:
            if cr.status != "skipped" and cr.value is not None and math.isfinite(cr.value) and cr.id in values:
                values[cr.id].append(cr.value)
    out = []
    for c in d.checks:
        v = values[c.id]
        if not v:
            continue
        lo, hi = (float(x) for x in np.percentile(v, [LOW_PCT, HIGH_PCT]))
        new_min = None if c.min is None else _clamp(lo - margin_deg)
        new_max = None if c.max is None else _clamp(hi + margin_deg)
        out.append(Proposal(c.id, Bounds(min=c.min, max=c.max), Bounds(min=new_min, max=new_max),
                            lo, hi, len(v)))
    if not out:
        raise FormcheckError("nothing to calibrate from: no frame of this clip reached the judged "
                             f"'{d.phases.active}' position in a {d.view} view")
    return out


def _judged_frames(result: SessionResult) -> list[FrameResult]:
    """Frames where checks are judged: the settled top of each rep, as the scorer recorded it
    (the same frames its faults were judged on), or every frame of a continuous exercise."""
    d = result.definition
    if d.phases.kind == "continuous":
        return [fr for fr in result.frames if d.phases.is_active(fr.phase)]
    settled = {(r.side, t) for r in result.reps for t in r.settled_ms}
    return [fr for fr in result.frames if d.phases.is_active(fr.phase)
            and ((fr.side if d.phases.kind == "sided" else None), fr.t_ms) in settled]


def _clamp(deg: float) -> float:
    return round(min(max(deg, -180.0), 180.0), 1)
