"""Angle-over-time charts with each check's allowed range drawn as a band and reps marked."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..definition import Definition

# The y axis spans at least this much, so a 0.4 deg wobble looks like the noise it is rather
# than a swing filling the plot.
MIN_SPAN_DEG = 30.0


def y_domain(values: pd.Series, span_deg: float = MIN_SPAN_DEG) -> tuple[float, float]:
    """(lo, hi) around the data, at least ``span_deg`` wide, centred on the data's middle."""
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < span_deg:
        mid = (lo + hi) / 2
        lo, hi = mid - span_deg / 2, mid + span_deg / 2
    return lo, hi


def angle_charts(report: dict[str, Any], d: Definition) -> list[Any]:
    """One chart per key angle: the angle (deg) over time (s), green band = allowed range of
    the checks on that measure (in their phase), dashed rules = rep tops."""
    frames = pd.DataFrame([{"t_s": f["t_ms"] / 1000, **f["angles"]} for f in report["frames"]])
    tops = pd.DataFrame([{"t_s": r["top_ms"] / 1000, "rep": f"rep {r['index']}"
                          + (f" ({r['side']})" if r["side"] else "")} for r in report["reps"]])
    charts: list[Any] = []
    for name in d.key_angles:
        if name not in frames or frames[name].isna().all():
            continue
        m = d.measures[name]
        title = f"{m.label or name} ({name})"
        lo, hi = y_domain(frames[name].dropna())
        scale = alt.Scale(domain=[lo, hi], zero=False, clamp=True)
        line = alt.Chart(frames).mark_line().encode(
            x=alt.X("t_s:Q", title="time (s)"), y=alt.Y(f"{name}:Q", title="deg", scale=scale))
        layers: list[Any] = [line]
        bands = []
        for c in d.checks:
            b_lo = max(c.min, lo) if c.min is not None else lo
            b_hi = min(c.max, hi) if c.max is not None else hi
            if c.measure == name and b_lo < b_hi:   # the part of the allowed range on the axis
                bands.append({"check": f"{d.fault_text(c.id)[0]}: ok ({c.phase})", "lo": b_lo, "hi": b_hi})
        if bands:
            layers.insert(0, alt.Chart(pd.DataFrame(bands)).mark_rect(opacity=0.15, color="green").encode(
                y=alt.Y("lo:Q", scale=scale), y2="hi:Q", tooltip=["check", "lo", "hi"]))
        if not tops.empty:
            layers.append(alt.Chart(tops).mark_rule(strokeDash=[4, 3], color="gray").encode(
                x="t_s:Q", tooltip=["rep"]))
        charts.append(alt.layer(*layers).properties(title=title, height=180))
    return charts
