"""Sidebar and shared page state: exercise, data folder and patient profile."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import streamlit as st

from formcheck.core.errors import FormcheckError
from formcheck.rules.definition import Definition, available_exercises, get_definition
from formcheck.rules.profile import Profile, apply_profile, load_profile
from formcheck.storage import Database, checkins, open_database, programmes, repo
from formcheck.storage.access import LOCAL_OWNER, Actor
from formcheck.storage.database import URL_ENV
from formcheck.storage.profiles import store_for
from formcheck.storage.store import Store
from formcheck.ui.symptoms_view import FLAG_DAYS, flag_label

NO_PATIENT = "(no patient: default thresholds)"


@dataclass
class PageState:
    exercise: str
    definition: Definition          # with the profile applied
    profile: Profile | None
    store: Store
    patient: str
    db: Database | None = None      # None when it cannot be opened (the sidebar says why)
    actor: Actor = LOCAL_OWNER      # who is logged in (clinic mode); db acts as them
    details: bool = False           # "Details for your therapist": angles, phases, frame shares
    chosen: bool = True             # False: no exercise chosen yet (``exercise`` is only a stand-in)


PENDING_PATIENT = "patient_pending"
DETAILS_HELP = ("Angles, phases and processing figures beside the plain-words feedback. "
                "For the therapist; the patient's pages are clearer without them.")


def select_patient(name: str) -> None:
    """Make ``name`` the sidebar's patient from the next run on (a widget's value cannot be
    changed once it is drawn in this run; the caller reruns)."""
    st.session_state[PENDING_PATIENT] = name


def _apply_pending_patient() -> None:
    name = st.session_state.pop(PENDING_PATIENT, None)
    if name:
        st.session_state["patient"] = name


@st.cache_resource(show_spinner=False)
def _database(root: str, url: str) -> Database:
    """One engine per data folder / server for the whole app (opening checks the schema)."""
    return open_database(root, url or None)


def database(root: str) -> Database | None:
    try:
        return _database(root, os.environ.get(URL_ENV, ""))
    except FormcheckError as e:
        st.sidebar.error(f"Patient history unavailable: {e}")
        return None


def _who(home: str, settings: Any) -> tuple[str, Database | None, Actor] | None:
    """Data folder, database (bound to the acting user) and actor; None: the login form or an
    error is shown and the page stops. At home nothing changes: any folder, no login."""
    from formcheck.ui import login

    db = database(home)
    if not login.clinic_mode(db):
        problem = login.exposure_problem(False)
        if problem:
            st.error(problem)
            return None
        root = settings.text_input("Data folder (profiles, saved sets)", home, key="data_root")
        return root, (db if root == home else database(root)), LOCAL_OWNER
    problem = login.exposure_problem(True)
    if db is None or problem:   # a clinic's patient data stays shut when the database is not there
        st.error(problem or "The clinic database cannot be opened: ask the administrator (see the sidebar).")
        return None
    who = login.gate(db)
    if who is None:
        return None
    login.logout_button(db, who)
    return home, db.for_actor(who), who   # the server's folder: nobody picks another one


def sidebar() -> PageState | None:
    st.sidebar.title("formcheck")
    _apply_pending_patient()
    settings = st.sidebar.expander("Settings")
    found = _who(str(Store().root), settings)
    if found is None:
        return None
    root, db, actor = found
    names = exercise_names()
    with settings:
        details = st.toggle("Details for your therapist", key="details", help=DETAILS_HELP)
        up = st.file_uploader("A profile file (.toml)", type=["toml"], key="profile_file")
    store = store_for(root, db)
    patients = [NO_PATIENT, *sorted(set(store.patients()) | set(repo.patients(db) if db else []))]
    if actor.role == "patient":
        patients = patients[1:]   # their own record only
    pending = st.session_state.get("patient")
    if pending and pending not in patients and actor.role != "patient":
        patients.append(pending)   # just saved: the list is read before the write lands
    flagged = _flagged(db)
    patient = st.sidebar.selectbox("Patient", patients, key="patient",
                                   format_func=lambda p: flag_label(flagged, p)) or NO_PATIENT
    patient = "" if patient == NO_PATIENT else patient
    if st.session_state.get("exercise") is None and patient:
        first = todays_first(db, patient)   # today's programme first for a patient
        if first in names:
            st.session_state["exercise"] = first
    ex = st.sidebar.selectbox("Exercise", list(names), key="exercise", format_func=lambda i: names.get(i, i),
                              index=None, placeholder="Choose an exercise")
    chosen, ex = ex is not None, ex or next(iter(names))
    base = get_definition(ex)
    profile = _stored_profile(store, patient, ex) if patient else None
    if up is not None:
        profile = _uploaded_profile(up, ex) or profile
    d = base
    if profile is not None:
        try:
            d = apply_profile(base, profile, where=profile.label())
            st.sidebar.caption(f"Limits set by the therapist for {profile.patient or 'this patient'} "
                               f"(profile v{profile.version}).")
        except FormcheckError as e:
            st.sidebar.error(str(e))
            profile = None
    if actor.is_owner:
        st.sidebar.caption("Runs on this computer only: nothing is uploaded, and no frame or video "
                           "is stored unless you save it.")
    return PageState(ex, d, profile, store, patient, db, actor, bool(details), chosen)


def _flagged(db: Database | None) -> dict[str, checkins.StoredCheckin]:
    """Patients with a red flag in the last weeks (marked in the patient list)."""
    if db is None:
        return {}
    return checkins.flagged_patients(db, repo.now() - timedelta(days=FLAG_DAYS))


def choose_exercise_first() -> None:
    st.info("Choose an exercise in the sidebar (on the left). With your name chosen there, "
            "your programme's exercise for today is chosen for you.")


def todays_first(db: Database | None, patient: str) -> str | None:
    """The exercise the patient's page opens on: today's next one still to do (the bridge
    done, a reload opens on the bird-dog), the programme's first once all are done; None
    without a programme."""
    if db is None:
        return None
    prog = programmes.programme(db, patient)
    if not prog or not prog.items:
        return None
    return (programmes.next_item(prog, programmes.todays_sets(db, patient)) or prog.items[0]).exercise


def exercise_names() -> dict[str, str]:
    """Exercise id -> its name from the definition ("bird_dog" -> "Bird-dog"); an exercise
    file that does not load keeps its id (the page then shows the file's error)."""
    out = {}
    for ex in available_exercises():
        try:
            out[ex] = get_definition(ex).name
        except FormcheckError:
            out[ex] = ex
    return out


def _stored_profile(store: Store, patient: str, ex: str) -> Profile | None:
    try:
        prof = store.load(patient, ex)
    except FormcheckError as e:
        st.sidebar.error(f"Saved profile cannot be used: {e}")
        return None
    if prof is None:
        st.sidebar.caption("Standard limits (no profile saved for this exercise yet).")
    return prof


def _uploaded_profile(up, ex: str) -> Profile | None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.toml"
        path.write_bytes(up.getvalue())
        try:
            return load_profile(path)
        except FormcheckError as e:
            st.sidebar.error(str(e).replace(str(path), up.name))
            return None
