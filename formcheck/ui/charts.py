"""Angle-over-time charts with each check's allowed range drawn as a band and reps marked."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..definition import Definition

BAND_LO, BAND_HI = -180.0, 180.0


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
        line = alt.Chart(frames).mark_line().encode(
            x=alt.X("t_s:Q", title="time (s)"), y=alt.Y(f"{name}:Q", title="deg", scale=alt.Scale(zero=False)))
        layers: list[Any] = [line]
        bands = [{"check": f"{c.id} ok ({c.phase})",
                  "lo": c.min if c.min is not None else frames[name].min(),
                  "hi": c.max if c.max is not None else frames[name].max()}
                 for c in d.checks if c.measure == name]
        if bands:
            layers.insert(0, alt.Chart(pd.DataFrame(bands)).mark_rect(opacity=0.15, color="green").encode(
                y="lo:Q", y2="hi:Q", tooltip=["check", "lo", "hi"]))
        if not tops.empty:
            layers.append(alt.Chart(tops).mark_rule(strokeDash=[4, 3], color="gray").encode(
                x="t_s:Q", tooltip=["rep"]))
        charts.append(alt.layer(*layers).properties(title=title, height=180))
    return charts
