"""Targets of the benchmarks: each measured value is compared with its target where it is
printed, and a miss is printed on a line of its own (``target missed: ...``), so that a run
cannot miss a target silently. ``python -m benchmarks`` repeats every miss at the end."""

from __future__ import annotations

MISSED = "target missed:"


def target(what: str, value: float, limit: float, unit: str = "", at_least: bool = False) -> str:
    """The ``(target <= limit)`` text for a table; prints a ``target missed`` line when
    ``value`` is on the wrong side of ``limit``."""
    op = ">=" if at_least else "<="
    if not (value >= limit if at_least else value <= limit):
        print(f"{MISSED} {what}: {value:.3g}{unit} (target {op} {limit:g}{unit})", flush=True)
    return f"(target {op} {limit:g}{unit})"
