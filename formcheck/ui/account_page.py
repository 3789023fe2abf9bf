"""The Account tab of clinic mode: a therapist makes invite codes, reads the audit log of
their patients and downloads or deletes a patient's data; an administrator adds therapists
and lists accounts; a patient sees who they are logged in as and downloads their own data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from formcheck.core.errors import FormcheckError
from formcheck.storage import accounts, audit
from formcheck.ui.common import PageState
from formcheck.ui.patient_data_view import patient_data_section


def account_page(ps: PageState) -> None:
    who = ps.actor
    st.header("Account")
    st.write(f"Logged in as **{who.name}** ({who.role}).")
    if ps.db is None:
        return
    db = ps.db
    if who.role == "therapist":
        _invite(ps)
    if who.role in ("therapist", "patient"):
        patient_data_section(ps)
    if who.role == "admin":
        _add_therapist(ps)
        rows = accounts.accounts(db, who)
        st.dataframe(pd.DataFrame([vars(r) for r in rows]), hide_index=True)
    if who.role in ("therapist", "admin"):
        st.subheader("Audit log" + (" of your patients" if who.role == "therapist" else ""))
        lines = audit.read(db, who, limit=300)
        st.dataframe(pd.DataFrame([{"when": x.at.astimezone().strftime("%Y-%m-%d %H:%M"), "who": x.actor,
                                    "role": x.role, "did": x.action, "patient": x.patient, "detail": x.detail}
                                   for x in lines]), hide_index=True)


def _invite(ps: PageState) -> None:
    with st.form("make_invite"):
        st.subheader("Invite a patient")
        name = st.text_input("Patient (name or initials; a new name adds the patient)", ps.patient,
                             key="invite_patient")
        if st.form_submit_button("Make a one-time invite code"):
            try:
                code = accounts.create_invite(ps.db, name)  # type: ignore[arg-type]
            except FormcheckError as e:
                st.error(str(e))
                return
            st.success(f"Invite code for {name}: **{code}** (valid 7 days, works once). Give it to the "
                       f"patient, or the link: this page's address with ?invite={code}")


def _add_therapist(ps: PageState) -> None:
    with st.form("add_therapist"):
        st.subheader("Add a therapist")
        user = st.text_input("Username", key="new_therapist_user")
        name = st.text_input("Name shown", key="new_therapist_name")
        pw = st.text_input("First password (10 characters or more; they keep it private)", type="password",
                           key="new_therapist_pw")
        if st.form_submit_button("Add therapist"):
            try:
                accounts.create_therapist(ps.db, ps.actor, user, pw, name)  # type: ignore[arg-type]
            except FormcheckError as e:
                st.error(str(e))
                return
            st.success(f"Therapist {user} added.")
