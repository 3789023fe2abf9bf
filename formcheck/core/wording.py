"""Numbers and doses in the words a person reads, shared by the app's pages and the PDF report:
"1 rep" / "3 reps", seconds to one decimal, whole degrees, units always shown."""

from __future__ import annotations

from typing import Protocol


class Dose(Protocol):
    """What a programme item prescribes (``programmes.Item`` has these fields)."""

    @property
    def sets(self) -> int: ...
    @property
    def reps(self) -> int | None: ...
    @property
    def hold_s(self) -> float | None: ...
    @property
    def rest_s(self) -> float: ...


def plural(n: int | float, word: str, words: str | None = None) -> str:
    """``plural(1, "rep")`` -> "1 rep"; ``plural(3, "rep")`` -> "3 reps"."""
    return f"{n:g} {word if n == 1 else (words or word + 's')}"


def seconds(s: float) -> str:
    """Seconds for a person: one decimal, with the unit ("3.3 s", "30 s")."""
    return f"{round(s, 1):g} s"


def degrees(deg: float) -> str:
    """A whole number of degrees, with the unit, never "-0 deg"."""
    v = round(deg)
    return f"{0 if v == 0 else v} deg"


def dose(item: Dose) -> str:
    """"3 x 10 reps, each held 5 s, rest 60 s"; a hold alone: "2 x 30 s hold, rest 60 s"."""
    if item.reps:
        what = plural(item.reps, "rep") + (f", each held {seconds(item.hold_s)}" if item.hold_s else "")
    else:
        what = f"{seconds(item.hold_s or 0.0)} hold"
    return f"{item.sets} x {what}, rest {seconds(item.rest_s)}"


def limits(lo: float | None, hi: float | None, unit: str = "deg") -> str:
    """Allowed range in words: "150 to 170 deg", "at most 15 deg", "at least 150 deg"
    (an empty side written as "-" reads as a list bullet in a table: "• .. 15")."""
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g} {unit}"
    if hi is not None:
        return f"at most {hi:g} {unit}"
    if lo is not None:
        return f"at least {lo:g} {unit}"
    return "not limited"
