"""Left against right for one-sided exercises (bird-dog sides, knee-to-chest, the stretches, the
nerve glide): each side's reps, longest hold, key angle at the top and the range the phase
measure moved through, and an asymmetry index per quantity.

Asymmetry index of two non-negative quantities L and R: ``|L - R| / max(L, R)``, 0 = equal,
1 = one side not done at all (undefined, None, when both are 0). It is the complement of the
limb symmetry index used in rehabilitation (LSI = smaller / larger side). It is computed on
reps, the longest hold (s) and the range moved (the phase measure from rest to the top, deg or
% of a segment): quantities with a true zero. The key angle at the top has no true zero (a thigh
level with the floor reads 0 deg), so its sides are compared by their difference in degrees,
shown, not flagged. A side is flagged when an index exceeds the flag share (a therapist sets it
per patient in the profile, or per exercise in the definition; default
:data:`formcheck.core.config.ASYMMETRY_FLAG_SHARE`), except a difference of one rep (a set that
ends half way through a left-right round).

Pure functions of plain numbers: the engine summary, the report, Progress and the PDF share them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from formcheck.core.landmarks import SIDES

METRICS = ("reps", "hold_s", "range")
METRIC_NAMES = {"reps": "reps", "hold_s": "longest hold", "range": "range moved"}


@dataclass(frozen=True)
class SideRep:
    """What one rep contributes: its side, hold (ms), key angle at the top (deg; None when not
    measured) and the range its phase measure moved through (None when unknown)."""

    side: str
    hold_ms: float
    key_angle: float | None
    range: float | None


@dataclass(frozen=True)
class SideStats:
    reps: int = 0
    hold_s: float = 0.0
    key_angle: float | None = None     # median at the top over the side's reps
    range: float | None = None         # median range moved over the side's reps


@dataclass(frozen=True)
class Asymmetry:
    """Both sides and the indices; ``flagged`` lists the metrics over ``flag_share``."""

    sides: dict[str, SideStats]
    index: dict[str, float | None]
    key_angle_diff: float | None        # left minus right (deg or %), None unless both measured
    flag_share: float
    flagged: list[str] = field(default_factory=list)
    key_angle_name: str = ""
    range_unit: str = "deg"             # of the phase measure's range (deg, or % of a segment)
    key_angle_unit: str = "deg"

    def to_dict(self) -> dict[str, Any]:
        """The report's (JSON) form; :func:`from_dict` reads it back."""
        return {"left": vars(self.sides["left"]).copy(), "right": vars(self.sides["right"]).copy(),
                "index": dict(self.index), "key_angle_diff": self.key_angle_diff,
                "flag_share": self.flag_share, "flagged": list(self.flagged),
                "key_angle_name": self.key_angle_name, "range_unit": self.range_unit,
                "key_angle_unit": self.key_angle_unit}

    def message(self) -> str | None:
        """One plain line when a metric is flagged, else None."""
        if not self.flagged:
            return None
        parts = []
        for m in self.flagged:
            lv, rv = (getattr(self.sides[s], m) for s in SIDES)
            parts.append(f"{METRIC_NAMES[m]} left {_fmt(lv)} vs right {_fmt(rv)}, {self.index[m]:.0%} apart")
        return "Left and right differ: " + "; ".join(parts) + f" (more than {self.flag_share:.0%})."

    def plain(self) -> str:
        """One or two sentences for the patient: whole numbers, no ratios, no formula."""
        lt, rt = self.sides["left"], self.sides["right"]
        if not (lt.reps and rt.reps):
            return f"Only your {'left' if lt.reps else 'right'} side was done in this set."
        if not self.flagged:
            return "Your left and right sides were about even."
        said = []
        for m in self.flagged:
            lv, rv = (getattr(self.sides[s], m) for s in SIDES)
            more, less = ("left", "right") if lv > rv else ("right", "left")
            if m == "reps":
                said.append(f"You did {_reps(lt.reps)} on the left and {_reps(rt.reps)} on the right.")
            elif m == "hold_s":
                said.append(f"You held longer on the {more} ({max(lv, rv):.1f} s) than on the {less} "
                            f"({min(lv, rv):.1f} s).")
            else:
                unit = " deg" if self.range_unit == "deg" else "%"
                said.append(f"Your {less} side moved less far than your {more} ({min(lv, rv):.0f}{unit} "
                            f"against {max(lv, rv):.0f}{unit}).")
        return " ".join(said) + " Your therapist will look at this."


def _reps(n: int) -> str:
    return f"{n} rep" + ("" if n == 1 else "s")


def _fmt(v: float | int | None) -> str:
    return "-" if v is None else (str(v) if isinstance(v, int) else f"{v:.1f}")


def index_of(left: float | None, right: float | None) -> float | None:
    """``|L - R| / max(L, R)`` of two non-negative quantities; None when unknown or both 0."""
    if left is None or right is None:
        return None
    top = max(left, right)
    return round(abs(left - right) / top, 3) if top > 0 else None


def _median(vals: Iterable[float | None]) -> float | None:
    known = [v for v in vals if v is not None]
    return round(statistics.median(known), 1) if known else None


def from_stats(sides: Mapping[str, SideStats], flag_share: float, key_angle_name: str = "",
               range_unit: str = "deg", key_angle_unit: str = "deg") -> Asymmetry | None:
    """Indices and flags for two sides' stats; None when neither side has a rep."""
    left, right = sides.get("left", SideStats()), sides.get("right", SideStats())
    if left.reps == 0 and right.reps == 0:
        return None
    # hold and range are per-rep quantities: compared only when both sides have reps (a clip of
    # one side is not an asymmetry of hold)
    both = left.reps > 0 and right.reps > 0
    index = {"reps": index_of(left.reps, right.reps),
             "hold_s": index_of(left.hold_s, right.hold_s) if both else None,
             "range": index_of(left.range, right.range) if both else None}
    flagged = [m for m in METRICS if (v := index[m]) is not None and v > flag_share
               and not (m == "reps" and abs(left.reps - right.reps) <= 1)]
    diff = None if left.key_angle is None or right.key_angle is None else round(left.key_angle - right.key_angle, 1)
    return Asymmetry({"left": left, "right": right}, index, diff, flag_share, flagged, key_angle_name, range_unit,
                     key_angle_unit)


def compare(reps: Iterable[SideRep], flag_share: float, key_angle_name: str = "",
            range_unit: str = "deg", key_angle_unit: str = "deg") -> Asymmetry | None:
    """Both sides of one set's (or a period's) reps."""
    by: dict[str, list[SideRep]] = {s: [] for s in SIDES}
    for r in reps:
        if r.side in by:
            by[r.side].append(r)
    stats: dict[str, SideStats] = {s: SideStats(len(rs), round(max((r.hold_ms for r in rs), default=0.0) / 1000.0, 1),
                          _median(r.key_angle for r in rs), _median(r.range for r in rs))
             for s, rs in by.items()}
    return from_stats(stats, flag_share, key_angle_name, range_unit, key_angle_unit)


def from_dict(d: Mapping[str, Any]) -> Asymmetry:
    """An :class:`Asymmetry` back from :meth:`Asymmetry.to_dict` (a stored set summary)."""
    sides: dict[str, SideStats] = {
        s: SideStats(int(d[s]["reps"]), float(d[s]["hold_s"]), d[s].get("key_angle"), d[s].get("range"))
        for s in SIDES}
    a = from_stats(sides, float(d["flag_share"]), str(d.get("key_angle_name", "")), str(d.get("range_unit", "deg")),
                   str(d.get("key_angle_unit", "deg")))
    return a if a is not None else Asymmetry(sides, {m: None for m in METRICS}, None, float(d["flag_share"]))


def combine(sets: Iterable[Asymmetry], flag_share: float | None = None) -> Asymmetry | None:
    """Several sets' asymmetries as one, over a period: reps summed, the longest hold, the
    median of the sets' key angles and ranges; ``flag_share`` defaults to the latest set's."""
    items = list(sets)
    if not items:
        return None
    stats: dict[str, SideStats] = {
        s: SideStats(sum(a.sides[s].reps for a in items), max(a.sides[s].hold_s for a in items),
                     _median(a.sides[s].key_angle for a in items if a.sides[s].reps),
                     _median(a.sides[s].range for a in items if a.sides[s].reps)) for s in SIDES}
    last = items[-1]
    return from_stats(stats, last.flag_share if flag_share is None else flag_share, last.key_angle_name,
                      last.range_unit, last.key_angle_unit)


def rows(a: Asymmetry) -> list[tuple[str, str, str, str]]:
    """(what, left, right, apart) lines in plain words for pages and the PDF; a flagged line's
    last cell says so."""
    lt, rt = a.sides["left"], a.sides["right"]

    def apart(m: str) -> str:
        v = a.index[m]
        return "-" if v is None else f"{v:.0%}" + (" (flagged)" if m in a.flagged else "")

    angle = a.key_angle_name or "Key angle"
    diff = "-" if a.key_angle_diff is None else f"{abs(a.key_angle_diff):.1f} {a.key_angle_unit} difference"
    return [("Reps", str(lt.reps), str(rt.reps), apart("reps")),
            ("Longest hold (s)", f"{lt.hold_s:.1f}", f"{rt.hold_s:.1f}", apart("hold_s")),
            (f"{angle} at the top", _fmt(lt.key_angle), _fmt(rt.key_angle), diff),
            (f"Range moved ({a.range_unit})", _fmt(lt.range), _fmt(rt.range), apart("range"))]
