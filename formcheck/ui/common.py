"""Sidebar and shared page state: exercise, data folder and patient profile."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ..db import Database, open_database, repo
from ..db.database import URL_ENV
from ..definition import Definition, available_exercises, get_definition
from ..errors import FormcheckError
from ..profile import Profile, apply_profile, load_profile
from ..store import Store

NO_PATIENT = "(no patient: default thresholds)"


@dataclass
class PageState:
    exercise: str
    definition: Definition          # with the profile applied
    profile: Profile | None
    store: Store
    patient: str
    db: Database | None = None      # None when it cannot be opened (the sidebar says why)
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


def sidebar() -> PageState:
    st.sidebar.title("formcheck")
    _apply_pending_patient()
    names = exercise_names()
    with st.sidebar.expander("Settings"):
        root = st.text_input("Data folder (profiles, saved sets)", str(Store().root), key="data_root")
        details = st.toggle("Details for your therapist", key="details", help=DETAILS_HELP)
        up = st.file_uploader("A profile file (.toml)", type=["toml"], key="profile_file")
    store = Store(root)
    db = database(root)
    patients = [NO_PATIENT, *sorted(set(store.patients()) | set(repo.patients(db) if db else []))]
    pending = st.session_state.get("patient")
    if pending and pending not in patients:   # just saved: the list is read before the write lands
        patients.append(pending)
    patient = st.sidebar.selectbox("Patient", patients, key="patient")
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
    st.sidebar.caption("Runs on this computer only: nothing is uploaded, and no frame or video "
                       "is stored unless you save it.")
    return PageState(ex, d, profile, store, patient, db, bool(details), chosen)


def choose_exercise_first() -> None:
    st.info("Choose an exercise in the sidebar (on the left). With your name chosen there, "
            "your programme's exercise for today is chosen for you.")


def todays_first(db: Database | None, patient: str) -> str | None:
    """The first exercise of the patient's programme, or None."""
    prog = repo.programme(db, patient) if db is not None else None
    return prog.items[0].exercise if prog and prog.items else None


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
