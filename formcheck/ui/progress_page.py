"""Progress, per patient and exercise over days: reps, share of reps with good form, the key
angle at the top, the longest hold, the most frequent faults, left against right for one-sided
exercises; CSV of every set and the
one-page clinician report (PDF)."""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from ..asymmetry import combine
from ..db import repo
from ..definition import get_definition
from ..pdf import clinician_report
from .common import PageState
from .results import faults_table, sides_table
from .symptoms_view import patient_list, symptoms_section


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
    charts = [_chart(mine, "reps", "Reps per day", None), _chart(mine, "good_share", "Share of reps with good form",
                                                                 [0, 1])]
    key = next((k for k in d.key_angles if k in mine and mine[k].notna().any()), None)
    if key:
        charts.append(_chart(mine, key, f"{d.measures[key].label or key} at the top (deg, median)", None))
    if mine["hold_s"].max() > 0:
        charts.append(_chart(mine, "hold_s", "Longest hold (s)", None))
    left, right = st.columns(2)
    for i, ch in enumerate(charts):
        (left if i % 2 == 0 else right).altair_chart(ch, use_container_width=True)
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
    """Left against right over every set of a one-sided exercise (formcheck.asymmetry)."""
    a = combine(x.summary["asymmetry"] for x in sets if x.exercise == ex and x.summary.get("asymmetry"))
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


def _chart(df: pd.DataFrame, col: str, title: str, domain: list[float] | None) -> alt.Chart:
    y = alt.Y(f"{col}:Q", title=None, scale=alt.Scale(domain=domain) if domain else alt.Scale(zero=False))
    fmt = ".0%" if col == "good_share" else ".1f"
    return alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("day:T", title=None), y=y, tooltip=[alt.Tooltip("day:T"), alt.Tooltip(f"{col}:Q", format=fmt)]
    ).properties(title=title, height=180)


def _exports(ps: PageState, sets: list[repo.SetRecord]) -> None:
    buf = io.StringIO()
    pd.DataFrame([{"set": x.id, "started_utc": x.started_at.isoformat(timespec="seconds"), "exercise": x.exercise,
                   "source": x.source, "reps": x.reps, "good_reps": x.good_reps, "longest_hold_s": x.hold_s,
                   "faults": ";".join(f"{k}={v}" for k, v in sorted(x.faults.items()))} for x in sets]
                 ).to_csv(buf, index=False)
    c1, c2 = st.columns(2)
    c1.download_button("All sets (CSV)", buf.getvalue(), "sets.csv", "text/csv", key="progress_csv")
    if c2.button("Clinician report (PDF)", key="progress_pdf"):
        with tempfile.TemporaryDirectory() as tmp:
            path = clinician_report(ps.db, ps.patient, Path(tmp) / "report.pdf")  # type: ignore[arg-type]
            st.session_state["progress_pdf_bytes"] = path.read_bytes()
    if "progress_pdf_bytes" in st.session_state:
        c2.download_button("Download the report", st.session_state["progress_pdf_bytes"], "report.pdf",
                           "application/pdf", key="progress_pdf_dl")
