"""A patient's data from the app (the Account tab): the therapist downloads the archive of one
of their patients (the same zip as ``formcheck export``) or deletes the patient after typing
their name; a patient downloads their own archive. The data layer checks both
(formcheck.storage.patient_data): this only asks and shows."""

from __future__ import annotations

import streamlit as st

from formcheck.core.errors import FormcheckError
from formcheck.core.patients import patient_key
from formcheck.storage.patient_data import delete_patient, export_bytes
from formcheck.ui.common import PageState

DONE = "fc_patient_deleted"   # the message shown after the rerun that follows a deletion


def patient_data_section(ps: PageState) -> None:
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(str(done))
    if ps.db is None:
        return
    mine = ps.actor.role == "patient"
    st.subheader("Your data" if mine else "A patient's data")
    if not ps.patient:
        st.caption("Choose a patient in the sidebar to download or delete their data.")
        return
    _export(ps, mine)
    if mine:
        st.caption("To have your data deleted, ask your therapist.")
    else:
        _delete(ps)


def _export(ps: PageState, mine: bool) -> None:
    key = f"fc_export_zip_{patient_key(ps.patient)}"
    label = "your data" if mine else f"{ps.patient}'s data"
    if st.button(f"Prepare a copy of {label} (zip)", key="export_prepare"):
        try:
            st.session_state[key] = export_bytes(ps.db, ps.store, ps.patient)  # type: ignore[arg-type]
        except FormcheckError as e:   # not theirs, or a name with no record in the database
            st.error(str(e))
            return
    if key in st.session_state:
        st.download_button(f"Download {label}", st.session_state[key], f"{patient_key(ps.patient)}.zip",
                           "application/zip", key="export_download")
        st.caption("Sets (CSV), reps, programmes, profiles, saved sessions, the PDF report and a JSON dump.")


def _delete(ps: PageState) -> None:
    with st.form("delete_patient"):
        st.markdown(f"**Delete {ps.patient}** and all their data for good: sets, reps, programmes, profiles, "
                    "saved sessions and their account (the audit log keeps 'deleted patient'). "
                    "Download a copy first.")
        typed = st.text_input(f"Type {ps.patient} to confirm", key="delete_confirm")
        if not st.form_submit_button("Delete this patient"):
            return
    if typed.strip() != ps.patient:
        st.error(f"Nothing deleted: type the patient's name exactly ({ps.patient}) to confirm.")
        return
    try:
        n = delete_patient(ps.db, ps.store, ps.patient)  # type: ignore[arg-type]
    except FormcheckError as e:
        st.error(str(e))
        return
    st.session_state[DONE] = f"Deleted {ps.patient}: {n} sets, their programmes, profiles and account."
    st.session_state.pop(f"fc_export_zip_{patient_key(ps.patient)}", None)
    st.session_state.pop("patient", None)   # the sidebar picks again: the patient is gone
    st.rerun()
