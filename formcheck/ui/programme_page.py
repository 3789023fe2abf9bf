"""Therapist: a patient's programme (exercises with sets x reps or holds, rest, days per week,
notes), built from the exercise definitions, with the patient's profile versions attached,
and adherence per week."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ..db import repo
from ..definition import get_definition
from ..errors import FormcheckError
from .common import PageState, exercise_names
from .programme_live import dose

COLUMNS = ["Exercise", "Sets", "Reps", "Hold (s)", "Rest (s)"]


def programme_page(ps: PageState) -> None:
    st.header("Programme")
    if ps.db is None:
        st.warning("The patient database is not available (see the sidebar).")
        return
    patient = ps.patient or st.text_input("New patient (name or initials)", key="prog_patient").strip()
    if not patient:
        st.caption("Choose a patient in the sidebar, or type a new patient's name.")
        return
    prog = repo.programme(ps.db, patient)
    if prog is not None:
        st.markdown(f"**Current programme** ({prog.days_per_week} days a week, since {prog.created_at:%d %b %Y})")
        st.table(pd.DataFrame([{"Exercise": get_definition(i.exercise).name, "Dose": dose(i)}
                               for i in prog.items]).set_index("Exercise"))
        if prog.notes:
            st.caption(f"Notes: {prog.notes}")
    _editor(ps, patient, prog)
    _adherence_chart(ps, patient)


def _editor(ps: PageState, patient: str, prog: repo.ProgrammeView | None) -> None:
    names = exercise_names()
    by_name = {v: k for k, v in names.items()}
    items = prog.items if prog else [repo.Item("bridge", 3, 10)]
    start = pd.DataFrame([{"Exercise": names.get(i.exercise, i.exercise), "Sets": i.sets, "Reps": i.reps,
                           "Hold (s)": i.hold_s, "Rest (s)": i.rest_s} for i in items], columns=COLUMNS)
    with st.form("programme_form"):
        st.markdown("**Prescribe** (a new programme replaces the current one; history is kept)")
        table = st.data_editor(start, num_rows="dynamic", hide_index=True, key="prog_items", column_config={
            "Exercise": st.column_config.SelectboxColumn(options=list(names.values()), required=True),
            "Sets": st.column_config.NumberColumn(min_value=1, max_value=20, step=1, required=True),
            "Reps": st.column_config.NumberColumn(min_value=1, max_value=100, step=1,
                                                  help="reps per set; leave empty for a hold"),
            "Hold (s)": st.column_config.NumberColumn(min_value=0.0, max_value=600.0, step=1.0,
                                                      help="seconds to hold each rep (or the one hold); "
                                                           "empty with no reps: the exercise's sourced hold"),
            "Rest (s)": st.column_config.NumberColumn(min_value=0.0, max_value=600.0, step=5.0)})
        days = st.slider("Days per week", 1, 7, prog.days_per_week if prog else 5, key="prog_days")
        notes = st.text_area("Notes for the patient", prog.notes if prog else "", key="prog_notes")
        submitted = st.form_submit_button("Save programme", type="primary")
    if submitted:
        try:
            new = [_item(ps, patient, by_name, row) for row in table.to_dict("records") if row.get("Exercise")]
            repo.prescribe(ps.db, patient, new, days, notes)  # type: ignore[arg-type]
            st.success(f"Programme saved for {patient}: {len(new)} exercises, {days} days a week.")
        except (FormcheckError, ValueError, TypeError) as e:
            st.error(f"Not saved: {e}")


def _item(ps: PageState, patient: str, by_name: dict[str, str], row: dict) -> repo.Item:  # type: ignore[type-arg]
    ex = by_name.get(row["Exercise"], row["Exercise"])
    reps = None if pd.isna(row.get("Reps")) else int(row["Reps"])
    hold = None if pd.isna(row.get("Hold (s)")) or not row["Hold (s)"] else float(row["Hold (s)"])
    if reps is None and hold is None:
        hold = get_definition(ex).hold.recommended_s or None   # the sources' dose for a hold exercise
    rest = 60.0 if pd.isna(row.get("Rest (s)")) else float(row["Rest (s)"])
    prof = ps.store.load(patient, ex) if ps.store.profile_path(patient, ex).is_file() else None
    return repo.Item(ex, int(row["Sets"]), reps, hold, rest, prof.version if prof else None)


def _adherence_chart(ps: PageState, patient: str) -> None:
    weeks = repo.adherence(ps.db, patient, weeks=8)  # type: ignore[arg-type]
    if not weeks:
        return
    st.markdown("**Adherence**: days with a programme exercise done, per week (since the programme began)")
    st.altair_chart(adherence_chart(weeks), use_container_width=True)


def adherence_chart(weeks: list[repo.WeekAdherence]) -> alt.LayerChart:
    """Bars of days done per week, in date order (both layers share the order: a layered
    nominal axis is otherwise sorted as text, 12 Oct after 09 Nov), ticks at days prescribed."""
    df = pd.DataFrame([{"week": f"{w.week_start:%d %b}", "days done": w.days_done,
                        "prescribed": w.days_prescribed} for w in sorted(weeks, key=lambda w: w.week_start)])
    order = list(df["week"])
    x = alt.X("week:N", sort=order, title="week of", axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(df).mark_bar(color="#2e7d32").encode(
        x=x, y=alt.Y("days done:Q", scale=alt.Scale(domain=[0, 7]), axis=alt.Axis(format="d", tickMinStep=1)))
    rule = alt.Chart(df).mark_tick(color="gray", thickness=2, size=30).encode(x=x, y="prescribed:Q")
    return bars + rule
