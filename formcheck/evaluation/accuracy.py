"""Per-check accuracy on labelled entries, beside the margin table (:mod:`formcheck.evaluation.margins`).

For every check of every exercise evaluated: the labelled entries where it must fire (labelled
``form = "fault"`` with that fault) and where it must not (labelled good form, or the exercise
not performed at all: a look-alike), how many of them it got right, and the 95% Wilson score
interval of that share (Wilson 1927; unlike the plain p +- 1.96 sqrt(p(1-p)/n) it stays inside
0..1 and is not empty at 0 or n of n, which is what a handful of clips gives). A fault entry
says nothing about the checks it is not labelled with, so it counts only for its own faults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

Z_95 = 1.959964   # standard normal quantile for a two-sided 95% interval
QUIET_FORMS = ("good", "not_performed")


class Judged(Protocol):
    """What an evaluated entry tells the tally (formcheck.evaluation.evaluate.EntryResult)."""

    exercise: str
    label_form: str
    label_faults: list[str]
    flagged: list[str]
    check_ids: list[str]


@dataclass
class CheckTally:
    """One check: entries where it must fire / must not, and how many it got right."""

    exercise: str
    check: str
    fire_n: int = 0
    fire_right: int = 0
    quiet_n: int = 0
    quiet_right: int = 0


def wilson(right: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval (lo, hi) of the share right/n; (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = right / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def tally(results: list[Judged]) -> list[CheckTally]:
    """Per (exercise, check): the entries it must fire on and must not, and the right ones."""
    out: dict[tuple[str, str], CheckTally] = {}
    for x in results:
        for cid in x.check_ids:
            t = out.setdefault((x.exercise, cid), CheckTally(x.exercise, cid))
            fired = cid in x.flagged
            if x.label_form == "fault" and cid in x.label_faults:
                t.fire_n += 1
                t.fire_right += fired
            elif x.label_form in QUIET_FORMS:
                t.quiet_n += 1
                t.quiet_right += not fired
    return sorted(out.values(), key=lambda t: (t.exercise, t.check))


def _cell(right: int, n: int) -> str:
    if not n:
        return "-"
    lo, hi = wilson(right, n)
    return f"{right}/{n} ({100 * lo:.0f}-{100 * hi:.0f}%)"


def format_accuracy(tallies: list[CheckTally]) -> str:
    """The accuracy table: one row per check with labelled entries on either side."""
    rows = [("exercise", "check", "must fire: right/n (95% CI)", "must not: right/n (95% CI)")]
    rows += [(t.exercise, t.check, _cell(t.fire_right, t.fire_n), _cell(t.quiet_right, t.quiet_n))
             for t in tallies if t.fire_n or t.quiet_n]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append("must fire: entries labelled with this fault; must not: entries labelled good form "
                 "or not performed (95% Wilson score interval)")
    return "\n".join(lines)
