"""Progress, per patient and exercise over days: reps, share of reps with good form, the key
angle at the top, the longest hold, the most frequent faults, left against right for one-sided
exercises; CSV of every set and the
one-page clinician report (PDF)."""

from __future__ import annotations

import io
from collections import Counter

import altair as alt
import pandas as pd
import streamlit as st

from formcheck.engine.asymmetry import combine
from formcheck.pdf.clinician import report_bytes
from formcheck.rules.definition import get_definition
from formcheck.storage import repo
from formcheck.ui.charts import day_axis
from formcheck.ui.common import PageState
from formcheck.ui.results import faults_table, sides_table
from formcheck.ui.symptoms_view import patient_list, symptoms_section


def progress_page(ps: PageState) -> None:
    st.header("Progress")
    if ps.db is None or not ps.patient:
        st.caption("Choose a patient in the sidebar to see their progress.")
        if ps.db is not None:
            patient_list(ps.db)
        return
    symptoms_section(ps.db, ps.patient)   # red flags first, then pain and where it reaches
    sets = repo.history(ps.db, ps.patient)
    if not sets:
        st.info(f"No sets recorded for {ps.patient} yet: sets done on the Live page (or clips analysed "
                "with --save) appear here.")
        return
    days = _by_day(sets)
    exercises = [str(e) for e in sorted(days["exercise"].unique())]
    names = {e: get_definition(e).name for e in exercises}
    ex = str(st.selectbox("Exercise", exercises, format_func=lambda e: names.get(e, e), key="progress_exercise"))
    mine = days[days["exercise"] == ex]
    d = get_definition(ex)
    c1, c2, c3 = st.columns(3)
    c1.metric("Days practised", len(mine))
    c2.metric("Reps", int(mine["reps"].sum()))
    total = int(mine["reps"].sum())
    c3.metric("Good form", f"{mine['good'].sum() / total:.0%}" if total else "-")
    charts = [day_chart(mine, "reps", "Reps per day"), day_chart(mine, "good_share", "Share of reps with good form")]
    key = next((k for k in d.key_angles if k in mine and mine[k].notna().any()), None)
    if key:
        charts.append(day_chart(mine, key, f"{d.measures[key].label or key} at the top (deg, median)"))
    if mine["hold_s"].max() > 0:
        charts.append(day_chart(mine, "hold_s", "Longest hold (s)"))
    left, right = st.columns(2)
    for i, ch in enumerate(charts):
        (left if i % 2 == 0 else right).altair_chart(ch, width="stretch")
    faults = Counter[str]()
    for x in sets:
        if x.exercise == ex:
            faults.update(x.faults)
    if faults:
        st.markdown("**Most frequent faults**")
        st.table(faults_table(d, dict(faults.most_common(5)), "reps"))
    _sides(sets, ex)
    _exports(ps, sets)


def _sides(sets: list[repo.SetRecord], ex: str) -> None:
    """Left against right over every set of a one-sided exercise (formcheck.engine.asymmetry)."""
    a = combine(a for x in sets if x.exercise == ex and (a := x.asymmetry) is not None)
    if a is None:
        return
    st.markdown(f"**Left and right, all sets** (apart = |L - R| / larger side; flagged above {a.flag_share:.0%})")
    st.table(sides_table(a))
    if a.message():
        st.warning(a.message())


def _by_day(sets: list[repo.SetRecord]) -> pd.DataFrame:
    """One row per (day, exercise): reps, good reps, share, longest hold, key angles (medians)."""
    rows = [{"day": x.started_at.astimezone().date(), "exercise": x.exercise, "reps": x.reps, "good": x.good_reps,
             "hold_s": x.hold_s, **x.key_angles} for x in sets]
    df = pd.DataFrame(rows)
    angle_cols = [c for c in df.columns if c not in ("day", "exercise", "reps", "good", "hold_s")]
    agg = {"reps": "sum", "good": "sum", "hold_s": "max", **{c: "median" for c in angle_cols}}
    out = df.groupby(["day", "exercise"], as_index=False).agg(agg)
    out["good_share"] = (out["good"] / out["reps"].where(out["reps"] > 0)).astype(float)
    out["day"] = pd.to_datetime(out["day"])
    return out


ANGLE_SPAN_DEG = 10.0   # an angle axis spans at least this, so a 0.5 deg change is not a cliff


def day_chart(df: pd.DataFrame, col: str, title: str) -> alt.Chart:
    """A measure per day. Axis labels are rounded as a person reads them (whole reps and
    degrees, holds to 0.1 s, shares in %), days as "01 Dec"; a single day or a flat series
    still gets an axis with room around it (Vega would label a zero-width one "176.500000"
    and one day "December")."""
    x = day_axis(df["day"])
    values = df[col].dropna().astype(float)
    if col == "good_share":
        fmt, scale = ".0%", alt.Scale(domain=[0, 1])
    elif col in ("reps", "hold_s"):
        fmt = "d" if col == "reps" else ".1f"
        scale = alt.Scale(domain=[0, max(float(values.max()) * 1.2, 1.0)])
    else:   # an angle (deg)
        mid = (float(values.min()) + float(values.max())) / 2
        half = max((float(values.max()) - float(values.min())) / 2 + 2, ANGLE_SPAN_DEG / 2)
        fmt, scale = "d", alt.Scale(domain=[round(mid - half), round(mid + half)])
    axis = alt.Axis(format=fmt, tickMinStep=1) if fmt == "d" else alt.Axis(format=fmt)
    y = alt.Y(f"{col}:Q", title=None, scale=scale, axis=axis)
    tip = [alt.Tooltip("day:T", title="day", format="%d %b %Y"), alt.Tooltip(f"{col}:Q", title=title, format=fmt)]
    return alt.Chart(df).mark_line(point=True).encode(x=x, y=y, tooltip=tip).properties(title=title, height=180)


def sets_csv(sets: list[repo.SetRecord]) -> str:
    """Every set, one row each; the longest hold to 0.1 s (a float tail helps nobody)."""
    buf = io.StringIO()
    pd.DataFrame([{"set": x.id, "started_utc": x.started_at.isoformat(timespec="seconds"), "exercise": x.exercise,
                   "source": x.source, "reps": x.reps, "good_reps": x.good_reps,
                   "longest_hold_s": round(x.hold_s, 1),
                   "faults": ";".join(f"{k}={v}" for k, v in sorted(x.faults.items()))} for x in sets]
                 ).to_csv(buf, index=False)
    return buf.getvalue()


def _exports(ps: PageState, sets: list[repo.SetRecord]) -> None:
    c1, c2 = st.columns(2)
    c1.download_button("All sets (CSV)", sets_csv(sets), "sets.csv", "text/csv", key="progress_csv")
    db, patient, store = ps.db, ps.patient, ps.store

    def pdf() -> bytes:   # built only when clicked: one click makes and downloads it
        return report_bytes(db, patient, store=store)  # type: ignore[arg-type]

    c2.download_button("Clinician report (PDF)", pdf, _filename(patient) + "-report.pdf",
                       "application/pdf", key="progress_pdf")


def _filename(patient: str) -> str:
    """"Jane Doe" -> "Jane-Doe" (letters and digits kept; the rest would trouble a file system)."""
    return "-".join("".join(ch if ch.isalnum() else " " for ch in patient).split()) or "patient"
