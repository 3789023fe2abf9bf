"""A rep and its settled top: the one place that decides which frames of a rep are judged.

The settled top is the part of the active phase where the phase measure is within the
definition's ``top_margin_deg`` of the rep's peak: the way in and out of the top is
movement, not the position being judged. Faults, calibration and evaluation all read the
settled frames recorded here, so they cannot disagree about them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from formcheck.core.landmarks import Side

Status = Literal["ok", "fail", "skipped"]


@dataclass(slots=True)
class Rep:
    """One repetition. Times in ms of the stream; ``peak`` is the phase measure's highest value
    (deg) at the top; ``settled_ms`` the times of its settled top frames (set when it closes);
    ``notes`` say what could not be confirmed (e.g. a shape measure out of view)."""

    index: int
    side: Side | None
    start_ms: float
    top_ms: float
    end_ms: float
    hold_ms: float = 0.0
    faults: list[str] = field(default_factory=list)
    last_top_ms: float = 0.0
    peak: float = -math.inf
    trough: float = math.inf   # lowest phase value between the previous top and this one
    settled_ms: list[float] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)
    # time (ms) at the top with the shape measurably held (True) / broken (False)
    shape_ms: dict[bool, float] = field(default_factory=lambda: {True: 0.0, False: 0.0}, repr=False)
    # the key angles (deg) at the settled top: each one's median there (set when it closes)
    key_angles: dict[str, float] = field(default_factory=dict)
    # (t_ms, phase measure, {check id: status}, {key angle: deg}) of each top frame, judged
    # when the rep closes
    top_frames: list[tuple[float, float, dict[str, Status], dict[str, float]]] = field(
        default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.faults

    def settle(self, margin_deg: float) -> list[tuple[float, dict[str, Status]]]:
        """Record and return the settled top frames: (t_ms, statuses) within ``margin_deg``
        of the peak."""
        top = [(t, st, ang) for t, v, st, ang in self.top_frames if v >= self.peak - margin_deg]
        self.settled_ms = [t for t, _, _ in top]
        names = dict.fromkeys(k for _, _, ang in top for k in ang)
        for k in names:
            vals = [ang[k] for _, _, ang in top if not math.isnan(ang.get(k, math.nan))]
            if vals:
                self.key_angles[k] = round(statistics.median(vals), 1)
        return [(t, st) for t, st, _ in top]


def reps_per_side(reps: Iterable[Rep]) -> dict[str, int]:
    """Reps per side of a one-sided exercise ("left"/"right" -> count; reps with no side are
    left out): one count for the live panel, the set's end and the clip's result."""
    out: dict[str, int] = {}
    for r in reps:
        if r.side:
            out[r.side] = out.get(r.side, 0) + 1
    return out


def faults_at_top(settled: list[tuple[float, dict[str, Status]]], min_fault_ms: float) -> list[str]:
    """Checks that failed at a settled top.

    A check is a fault when it fails on consecutive settled frames spanning ``min_fault_ms`` or
    more; a settled top shorter than that (a still, a quick rep) is judged on all of it: a
    fault when every frame that could be judged failed.
    """
    if not settled:
        return []
    span = settled[-1][0] - settled[0][0]
    ids = list(dict.fromkeys(cid for _, st in settled for cid in st))
    faults = []
    for cid in ids:
        statuses = [(t, st.get(cid, "skipped")) for t, st in settled]
        judged = [s for _, s in statuses if s != "skipped"]
        if span < min_fault_ms:
            if judged and all(s == "fail" for s in judged):
                faults.append(cid)
            continue
        run_start = None
        for t, s in statuses:
            if s == "fail":
                run_start = t if run_start is None else run_start
                if t - run_start >= min_fault_ms:
                    faults.append(cid)
                    break
            elif s == "ok":
                run_start = None
    return faults
