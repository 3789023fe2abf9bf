"""Angle-over-time charts with each check's allowed range drawn as a band and reps marked."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from formcheck.core.wording import limits
from formcheck.engine.scorer import FrameResult
from formcheck.engine.session import SessionResult
from formcheck.rules.definition import Definition

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


def judged_spans(frames: list[FrameResult], check_id: str) -> list[tuple[float, float]]:
    """(start_s, end_s) of each run of frames in which ``check_id`` was judged (ok or fail):
    a check's allowed range applies only there (its phase, its side in view)."""
    spans: list[tuple[float, float]] = []
    start = prev = None
    for f in frames:
        t = round(f.t_ms) / 1000   # whole ms, as the report has them
        judged = any(c.id == check_id and c.status in ("ok", "fail") for c in f.checks)
        if judged and start is None:
            start = t
        elif not judged and start is not None:
            spans.append((start, prev if prev is not None else start))
            start = None
        prev = t
    if start is not None and prev is not None:
        spans.append((start, prev))
    return spans


def angle_charts(r: SessionResult, d: Definition) -> list[Any]:
    """One chart per key angle: the angle (deg) over time (s); green bands = the allowed range
    of each check on that measure, drawn only over the times that check was judged (a band
    across the whole clip made a faulty position look allowed); dashed rules = rep tops."""
    frames = pd.DataFrame([{"t_s": round(f.t_ms) / 1000, **f.angles} for f in r.frames])
    tops = pd.DataFrame([{"t_s": round(x.top_ms) / 1000, "rep": f"rep {x.index}"
                          + (f" ({x.side})" if x.side else "")} for x in r.reps])
    charts: list[Any] = []
    for name in d.key_angles:
        if name not in frames or frames[name].isna().all():
            continue
        m = d.measures[name]
        title = f"{m.label or name} (deg)"
        lo, hi = y_domain(frames[name].dropna())
        scale = alt.Scale(domain=[lo, hi], zero=False, clamp=True)
        x_axis = alt.Axis(tickMinStep=1, format="d")   # whole seconds, not a tick every 0.1 s
        line = alt.Chart(frames).mark_line().encode(
            x=alt.X("t_s:Q", title="time (s)", axis=x_axis),
            y=alt.Y(f"{name}:Q", title="deg", scale=scale, axis=alt.Axis(format="d")))
        layers: list[Any] = [line]
        bands = []
        for c in d.checks:
            b_lo = max(c.min, lo) if c.min is not None else lo
            b_hi = min(c.max, hi) if c.max is not None else hi
            if c.measure != name or c.of == "rep_range" or b_lo >= b_hi:
                continue
            allowed = limits(c.min, c.max)
            for t0, t1 in judged_spans(r.frames, c.id):
                bands.append({"check": f"{d.fault_text(c.id)[0]}: allowed {allowed}", "lo": b_lo, "hi": b_hi,
                              "t0": t0, "t1": max(t1, t0 + 0.05)})
        if bands:
            layers.insert(0, alt.Chart(pd.DataFrame(bands)).mark_rect(opacity=0.2, color="green").encode(
                x="t0:Q", x2="t1:Q", y=alt.Y("lo:Q", scale=scale), y2="hi:Q", tooltip=["check"]))
        if not tops.empty:
            layers.append(alt.Chart(tops).mark_rule(strokeDash=[4, 3], color="gray").encode(
                x="t_s:Q", tooltip=["rep"]))
        charts.append(alt.layer(*layers).properties(title=title, height=180))
    return charts


def day_axis(times: pd.Series, field: str = "day") -> alt.X:
    """A time axis labelled by day ("01 Dec") with room around a single day (Vega would label
    a zero-width one "December", or a single instant ".846")."""
    days = pd.to_datetime(times)
    first, last = days.min(), days.max()
    span_days = max((last - first).days, 1)
    pad = pd.Timedelta(days=1 if span_days < 7 else 0)
    return alt.X(f"{field}:T", title=None,
                 scale=alt.Scale(domain=[(first - pad).isoformat(), (last + pad).isoformat()]),
                 axis=alt.Axis(format="%d %b", tickCount={"interval": "day", "step": max(1, span_days // 6)}))
