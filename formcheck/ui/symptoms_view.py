"""What the therapist sees of the check-ins: every red flag first, then the pain trend and where
the pain reaches (centralising or spreading) on the Progress page; and the patient list with
each patient's red flags and latest check-in."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from formcheck.core.wording import plural
from formcheck.rules.symptoms import CHANGE_TEXT, REGION_TEXT, REGIONS, trend
from formcheck.storage import Database, checkins, repo
from formcheck.ui.charts import day_axis

FLAG_DAYS = 42   # the patient list's red flags: the last 6 weeks (the guide's recovery span)


def symptoms_section(db: Database, patient: str) -> None:
    """Red flags, pain and where it reaches over time; nothing when there are no check-ins."""
    rows = checkins.checkins(db, patient)
    if not rows:
        st.caption(f"{patient} has no symptom check-ins yet (asked on the Live page, or `formcheck checkin`).")
        return
    flagged = [x for x in rows if x.flags]
    if flagged:
        lines = [_flag_line(x) for x in reversed(flagged)]
        box = st.error if any(x.level == "emergency" for x in flagged) else st.warning
        box(f"**Red flags: {len(flagged)} check-in{'s' if len(flagged) > 1 else ''}**\n\n" + "\n".join(lines))
    else:
        st.success(f"No red flags in {plural(len(rows), 'check-in')}.")
    t = trend([x.checkin for x in rows])
    if t is not None:
        st.markdown(f"**Symptoms over {plural(t.checkins, 'check-in')}**: {t.text()}")
    df = pd.DataFrame([{"time": x.taken_at, "pain": x.checkin.pain, "moment": x.checkin.moment,
                        "reaches": REGION_TEXT[x.checkin.reaches], "reach_level": x.checkin.reach_level,
                        "numbness": CHANGE_TEXT[x.checkin.numbness], "weakness": CHANGE_TEXT[x.checkin.weakness],
                        "red flag": x.level} for x in rows])
    left, right = st.columns(2)
    left.altair_chart(_pain_chart(df), use_container_width=True)
    right.altair_chart(_reach_chart(df), use_container_width=True)


def _flag_line(x: checkins.StoredCheckin) -> str:
    reasons = "; ".join(f["reason"] for f in x.flags)
    done = " (patient confirmed they spoke to their doctor or therapist)" if x.confirmed_at else ""
    return f"- {x.taken_at.astimezone():%d %b %Y %H:%M}, {x.checkin.moment}: **{x.level.upper()}**: {reasons}{done}"


def _pain_chart(df: pd.DataFrame) -> alt.Chart:
    return alt.Chart(df).mark_line(point=True).encode(
        x=day_axis(df["time"], "time"), y=alt.Y("pain:Q", title=None, scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("moment:N", title="check-in"),
        tooltip=["time:T", "moment", "pain", "reaches", "red flag"]).properties(title="Pain (0-10)", height=180)


def _reach_chart(df: pd.DataFrame) -> alt.Chart:
    labels = "[" + ",".join(f"'{REGION_TEXT[r]}'" for r in REGIONS) + "]"
    axis = alt.Axis(values=list(range(len(REGIONS))), labelExpr=f"{labels}[datum.value]", title=None)
    return alt.Chart(df).mark_line(point=True, interpolate="step-after").encode(
        x=day_axis(df["time"], "time"), y=alt.Y("reach_level:Q", axis=axis, scale=alt.Scale(domain=[0, 5])),
        tooltip=["time:T", "reaches", "numbness", "weakness"]).properties(
        title="Where the pain reaches (down = toward the back: centralising)", height=180)


def patient_list(db: Database) -> None:
    """Every patient with a red flag in the last weeks first, then the rest, with the latest
    check-in; for the therapist choosing whom to look at."""
    names = repo.patients(db)
    if not names:
        return
    flagged = checkins.flagged_patients(db, repo.now() - timedelta(days=FLAG_DAYS))
    rows = []
    for name in names:
        recent = checkins.checkins(db, name, since=repo.now() - timedelta(days=FLAG_DAYS))
        last = recent[-1] if recent else None
        f = flagged.get(name)
        rows.append({"Patient": name,
                     "Red flag (6 weeks)": f"{f.level.upper()} {f.taken_at.astimezone():%d %b}: "
                                           + "; ".join(x["reason"] for x in f.flags) if f else "none",
                     "Last check-in": f"{last.taken_at.astimezone():%d %b %H:%M}, pain {last.checkin.pain}/10, "
                                      f"reaches {REGION_TEXT[last.checkin.reaches]}" if last else "-"})
    rows.sort(key=lambda r: (r["Red flag (6 weeks)"] == "none", r["Patient"]))
    st.markdown("**Patients**")
    st.table(pd.DataFrame(rows).set_index("Patient"))


def flag_label(flagged: dict[str, checkins.StoredCheckin], name: str) -> str:
    """A patient's name in the sidebar list, marked when they have a recent red flag."""
    f = flagged.get(name)
    return f"{name} (RED FLAG: {f.level})" if f else name
