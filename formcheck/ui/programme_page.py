"""Therapist: a patient's programme (exercises with sets x reps or holds, rest, days per week,
notes), built from the exercise definitions, with the patient's profile versions attached,
and adherence per week."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from formcheck.core.errors import FormcheckError
from formcheck.core.wording import plural
from formcheck.rules.definition import get_definition
from formcheck.storage import programmes
from formcheck.ui.common import PageState, exercise_names, select_patient
from formcheck.ui.programme_live import dose

SAVED = "programme_saved_message"
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
    if SAVED in st.session_state:
        st.success(st.session_state.pop(SAVED))
    current = st.container()   # drawn after the form: it shows what a save just stored
    _editor(ps, patient, programmes.programme(ps.db, patient))
    with current:
        _current(programmes.programme(ps.db, patient))
    _adherence_chart(ps, patient)


def _current(prog: programmes.ProgrammeView | None) -> None:
    if prog is None:
        st.caption("No programme prescribed yet.")
        return
    st.markdown(f"**Current programme** ({prog.days_per_week} days a week, since {prog.created_at:%d %b %Y})")
    st.table(pd.DataFrame([{"Exercise": get_definition(i.exercise).name, "Dose": dose(i)}
                           for i in prog.items]).set_index("Exercise"))
    if prog.notes:
        st.caption(f"Notes: {prog.notes}")


def _editor(ps: PageState, patient: str, prog: programmes.ProgrammeView | None) -> None:
    names = exercise_names()
    by_name = {v: k for k, v in names.items()}
    items = prog.items if prog else [programmes.Item("bridge", 3, 10)]
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
        rows = table.to_dict("records")
        missing = [m for i, row in enumerate(rows, 1) if (m := row_problem(i, row))]
        if missing:   # nothing is saved, and nothing dropped: every row must be complete
            st.error("Not saved: " + "; ".join(missing) + ". Fill these in (or delete the row) and save again.")
            return
        try:
            new = [_item(ps, patient, by_name, row) for row in rows if not _blank(row)]
            programmes.prescribe(ps.db, patient, new, days, notes)  # type: ignore[arg-type]
        except (FormcheckError, ValueError, TypeError) as e:
            st.error(f"Not saved: {e}")
            return
        said = f"Programme saved for {patient}: {plural(len(new), 'exercise')}, {days} days a week."
        if patient != ps.patient:   # a new patient: the sidebar (and so every page) switches to them
            st.session_state[SAVED] = said
            select_patient(patient)
            st.rerun()
        st.success(said)


def _blank(row: dict) -> bool:  # type: ignore[type-arg]
    return all(v is None or v == "" or (isinstance(v, float) and pd.isna(v)) for v in row.values())


def row_problem(i: int, row: dict) -> str | None:  # type: ignore[type-arg]
    """What row ``i`` of the editor lacks, in words (None: complete, or wholly empty)."""
    if _blank(row):
        return None
    name = row.get("Exercise") or ""
    lacks = []
    if not name:
        lacks.append("exercise")
    if _blank({"s": row.get("Sets")}):
        lacks.append("Sets")
    return f"row {i}{f' ({name})' if name else ''} has no {' and no '.join(lacks)}" if lacks else None


def _item(ps: PageState, patient: str, by_name: dict[str, str], row: dict) -> programmes.Item:  # type: ignore[type-arg]
    ex = by_name.get(row["Exercise"], row["Exercise"])
    reps = None if pd.isna(row.get("Reps")) else int(row["Reps"])
    hold = None if pd.isna(row.get("Hold (s)")) or not row["Hold (s)"] else float(row["Hold (s)"])
    if reps is None and hold is None:
        hold = get_definition(ex).hold.recommended_s or None   # the sources' dose for a hold exercise
    if reps is None and hold is None:
        raise FormcheckError(f"{row['Exercise']} has no Reps and no Hold (s): give one of them")
    rest = 60.0 if pd.isna(row.get("Rest (s)")) else float(row["Rest (s)"])
    prof = ps.store.load(patient, ex) if ps.store.profile_path(patient, ex).is_file() else None
    return programmes.Item(ex, int(row["Sets"]), reps, hold, rest, prof.version if prof else None)


def _adherence_chart(ps: PageState, patient: str) -> None:
    weeks = programmes.adherence(ps.db, patient, weeks=8)  # type: ignore[arg-type]
    if not weeks:
        return
    st.markdown("**Adherence**: days with a programme exercise done, per week (since the programme began)")
    st.altair_chart(adherence_chart(weeks), width="stretch")


def adherence_chart(weeks: list[programmes.WeekAdherence]) -> alt.LayerChart:
    """Bars of days done per week, in date order (both layers share the order: a layered
    nominal axis is otherwise sorted as text, 12 Oct after 09 Nov), ticks at days prescribed."""
    df = pd.DataFrame([{"week": f"{w.week_start:%d %b}", "days done": w.days_done,
                        "prescribed": w.days_prescribed} for w in sorted(weeks, key=lambda w: w.week_start)])
    order = list(df["week"])
    x = alt.X("week:N", sort=order, title="week of", axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(df).mark_bar(color="#2e7d32").encode(
        x=x, y=alt.Y("days done:Q", title="days (bar: done, tick: prescribed)", scale=alt.Scale(domain=[0, 7]),
                     axis=alt.Axis(format="d", tickMinStep=1)))
    rule = alt.Chart(df).mark_tick(color="gray", thickness=2, size=30).encode(
        x=x, y=alt.Y("prescribed:Q", title="days (bar: done, tick: prescribed)"))
    return bars + rule
