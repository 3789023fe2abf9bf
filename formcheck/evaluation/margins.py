"""How much room each limit has on labelled data: for every check (and each of its ``also``
criteria), the threshold, the closest value seen on good form and the closest value seen on
a labelled fault. A limit with little room on either side is a limit fitted to a few clips.

Good-form values: every judged frame (settled rep tops, stills, continuous frames) of entries
labelled good, and the upright frames of sitting clips for the slouch checks. Fault values: one
value per entry labelled with that fault (a still's value, or the most extreme rep's median at
its settled top).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from formcheck.engine.session import SessionResult

SLOUCH_IDS = ("trunk_slouched", "forward_head")
Key = tuple[str, str, str]   # (check id, measure, "min" | "max")


@dataclass
class Samples:
    """Per (check, measure, bound side): values on good form and on labelled faults."""

    good: dict[Key, list[float]] = field(default_factory=lambda: defaultdict(list))
    fault: dict[Key, list[float]] = field(default_factory=lambda: defaultdict(list))
    limit: dict[Key, float] = field(default_factory=dict)

    def merge(self, other: Samples) -> None:
        for k, v in other.good.items():
            self.good[k] += v
        for k, v in other.fault.items():
            self.fault[k] += v
        self.limit.update(other.limit)


def _bounds(r: SessionResult) -> list[tuple[str, str, str, float]]:
    out = []
    for c in r.definition.checks:
        if c.of != "frame":
            continue   # judged on a rep's range, not on frame values: no frame margin to show
        for measure, lo, hi in [(c.measure, c.min, c.max), *((a.measure, a.min, a.max) for a in c.also)]:
            out += [(c.id, measure, "min", lo)] if lo is not None else []
            out += [(c.id, measure, "max", hi)] if hi is not None else []
    return out


def _judged_values(r: SessionResult, frame_idx: list[int]) -> dict[str, list[float]]:
    """measure -> values at the given frames (on the judged side; NaN dropped)."""
    out: dict[str, list[float]] = defaultdict(list)
    for i in frame_idx:
        if i >= len(r.features) or not r.frames[i].checks:
            continue
        f, fr = r.features[i], r.frames[i]
        for m, v in f.values.get(fr.side or f.near_side, {}).items():
            if not math.isnan(v):
                out[m].append(v)
    return out


def _settled_idx(r: SessionResult) -> list[list[int]]:
    """Frame indices of each rep's settled top (one list per rep)."""
    index = {fr.t_ms: i for i, fr in enumerate(r.frames)}
    return [[index[t] for t in rep.settled_ms if t in index] for rep in r.reps]


def _judged_idx(r: SessionResult) -> list[list[int]]:
    if r.definition.phases.kind == "continuous":
        return [[i for i, fr in enumerate(r.frames) if any(c.status != "skipped" for c in fr.checks)]]
    return _settled_idx(r)


def labelled_frames(r: SessionResult, lo: int, hi: int) -> list[int]:
    """Indices into ``r.frames`` of the labelled clip frames ``lo..hi``: the same indices when
    every frame was analysed; with adaptive sampling, the frames analysed within their times."""
    if not (0 < r.info.model_frames < r.info.frames and r.info.fps > 0 and r.frames):
        return list(range(lo, min(hi + 1, len(r.frames))))
    frame_ms, t0 = 1000.0 / r.info.fps, r.frames[0].t_ms
    a, b = t0 + (lo - 0.5) * frame_ms, t0 + (hi + 0.5) * frame_ms
    return [i for i, f in enumerate(r.frames) if a <= f.t_ms < b]


def _range_idx(r: SessionResult, ranges: list[list[int]]) -> list[int]:
    return [i for lo, hi in ranges for i in labelled_frames(r, lo, hi)]


def collect(entry: dict[str, Any], r: SessionResult) -> Samples:
    """Margin samples from one labelled entry and its analysis."""
    s = Samples()
    bounds = _bounds(r)
    for cid, measure, side, limit in bounds:
        s.limit[(cid, measure, side)] = limit
    form = entry.get("form")
    groups = _judged_idx(r)
    if form == "good":
        vals = _judged_values(r, [i for g in groups for i in g])
        for cid, measure, side, _ in bounds:
            s.good[(cid, measure, side)] += vals.get(measure, [])
    if form == "fault":
        for cid, measure, side, _ in bounds:
            if cid not in entry.get("faults", []):
                continue
            medians = [statistics.median(v) for g in groups if (v := _judged_values(r, g).get(measure))]
            if medians:
                s.fault[(cid, measure, side)].append(max(medians) if side == "max" else min(medians))
    # Upright frames of sitting clips are good form for the slouch checks. (Slouched frames are
    # not fault samples of either check: a slouch may show in only one of them.)
    if "upright_frames" in entry:
        vals = _judged_values(r, _range_idx(r, entry["upright_frames"]))
        for cid, measure, side, _ in bounds:
            if cid in SLOUCH_IDS:
                s.good[(cid, measure, side)] += vals.get(measure, [])
    return s


def format_margins(s: Samples) -> str:
    """The margin table: threshold, closest good value, closest fault value, room on each side."""
    rows = [("check", "measure", "limit", "closest good", "room", "closest fault", "room")]
    for key in sorted(s.limit):
        cid, measure, side = key
        limit = s.limit[key]
        sign = 1.0 if side == "max" else -1.0
        good = s.good.get(key, [])
        fault = s.fault.get(key, [])
        g = max(good, key=lambda v: sign * v) if good else None
        f = min(fault, key=lambda v: sign * v) if fault else None
        rows.append((cid, measure, f"{side} {limit:g}",
                     "-" if g is None else f"{g:.1f}", "-" if g is None else f"{sign * (limit - g):+.1f}",
                     "-" if f is None else f"{f:.1f}", "-" if f is None else f"{sign * (f - limit):+.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("room: degrees between the limit and the closest labelled value (negative = on the "
                 "wrong side: a good value that fails, or a fault value that passes)")
    return "\n".join(lines)
