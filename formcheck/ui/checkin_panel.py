"""The symptom check-in on the Live page (a patient chosen): the questions before the session
(and, optionally, after a set), the emergency screen that blocks the day's exercise, and the
contact-your-doctor screen that needs the patient's confirmation. Wording: short, calm, one
thing per question; what to do first, then why."""

from __future__ import annotations

import html
from typing import Any

import streamlit as st

from formcheck.core.errors import FormcheckError
from formcheck.rules.red_flags import RedFlags, load_rules
from formcheck.rules.symptoms import CHANGE_TEXT, CHANGES, QUESTIONS, REGION_TEXT, REGIONS, checkin
from formcheck.storage import checkins
from formcheck.ui.common import PageState

YES_NO = {"no": "No", "yes": "Yes"}


def checkin_gate(ps: PageState) -> bool:
    """Before any exercise: True when the patient may start (free practice, or checked in
    with no open red flag); otherwise the page shows what to do and returns False."""
    if not ps.patient or ps.db is None:
        return True
    rules = _rules()
    if rules is None:
        return False
    status = checkins.day_status(ps.db, ps.patient)
    if status.level == "emergency":
        _emergency(rules, status.checkin)
        return False
    if not status.checked_in:
        st.subheader("Before you start: how are you today?")
        st.caption("Six quick questions. Your therapist sees your answers.")
        checkin_form(ps, "before", rules)
        return False
    if status.level == "contact":
        _contact(ps, rules, status.checkin)
        return False
    return True


def after_checkin(ps: PageState) -> None:
    """After a set: an optional check-in (how the session left the pain)."""
    if not ps.patient or ps.db is None:
        return
    rules = _rules()
    if rules is None:
        return
    with st.expander("How do you feel after exercising? (check-in)"):
        checkin_form(ps, "after", rules)


def _rules() -> RedFlags | None:
    try:
        return load_rules()
    except FormcheckError as e:
        st.error(f"The safety questions cannot be loaded, so exercise is paused: {e}. Please tell your therapist.")
        return None


def checkin_form(ps: PageState, moment: str, rules: RedFlags) -> None:
    """The six questions; every one must be answered. Saving runs the red-flag rules."""
    k = f"checkin_{moment}"
    with st.form(k):
        pain = st.radio(QUESTIONS["pain"], list(range(11)), index=None, horizontal=True, key=f"{k}_pain")
        reaches = st.radio(QUESTIONS["reaches"], list(REGIONS), index=None, key=f"{k}_reaches",
                           format_func=lambda r: REGION_TEXT[r].capitalize(), horizontal=True)
        numb = st.radio(QUESTIONS["numbness"], list(CHANGES), index=None, horizontal=True, key=f"{k}_numbness",
                        format_func=lambda c: CHANGE_TEXT[c].capitalize())
        weak = st.radio(QUESTIONS["weakness"], list(CHANGES), index=None, horizontal=True, key=f"{k}_weakness",
                        format_func=lambda c: CHANGE_TEXT[c].capitalize())
        bladder = st.radio(QUESTIONS["bladder_bowel"], list(YES_NO), index=None, horizontal=True,
                           key=f"{k}_bladder_bowel", format_func=YES_NO.__getitem__)
        saddle = st.radio(QUESTIONS["saddle_numbness"], list(YES_NO), index=None, horizontal=True,
                          key=f"{k}_saddle_numbness", format_func=YES_NO.__getitem__)
        sent = st.form_submit_button("Save my answers", type="primary")
    if not sent:
        return
    answers: dict[str, Any] = {"pain": pain, "reaches": reaches, "numbness": numb, "weakness": weak,
                               "bladder_bowel": bladder, "saddle_numbness": saddle}
    missing = [QUESTIONS[n].split("?")[0] + "?" for n, v in answers.items()
               if v is None and not (n == "reaches" and pain == 0)]
    if missing:
        st.error("Please answer every question. Not answered yet: " + " / ".join(missing))
        return
    try:
        stored = checkins.record(ps.db, ps.patient, checkin(moment=moment, **answers), rules)  # type: ignore[arg-type]
    except FormcheckError as e:
        st.error(f"Not saved: {e}")
        return
    if moment == "after" and stored.level == "none":
        st.success("Thank you: your answers are saved.")
        return
    st.rerun()   # the gate above decides what comes next


def _emergency(rules: RedFlags, c: checkins.StoredCheckin | None) -> None:
    st.markdown(f"<div data-testid='fc-emergency' role='alert' style='font-size:1.9em;font-weight:700;"
                f"color:#b71c1c;margin:0.4em 0'>{html.escape(rules.emergency_message)}</div>", unsafe_allow_html=True)
    _reasons(c, "emergency")
    st.markdown(f"**{rules.emergency_detail}**")
    st.caption("Your therapist can see this check-in.")


def _contact(ps: PageState, rules: RedFlags, c: checkins.StoredCheckin | None) -> None:
    st.markdown(f"<div data-testid='fc-contact' role='alert' style='font-size:1.5em;font-weight:600;"
                f"margin:0.4em 0'>{html.escape(rules.contact_message)}</div>", unsafe_allow_html=True)
    _reasons(c, "contact")
    st.write(rules.contact_detail)
    st.caption("Your therapist can see this check-in.")
    ok = st.checkbox(rules.confirm_text, key="checkin_confirm")
    if st.button("Continue to my exercises", disabled=not ok, key="checkin_continue", type="primary") and ok:
        assert c is not None and ps.db is not None
        checkins.confirm(ps.db, c.id)
        st.rerun()


def _reasons(c: checkins.StoredCheckin | None, level: str) -> None:
    if c is None:
        return
    reasons = [f["reason"] for f in c.flags if f.get("level") == level]
    if reasons:
        st.markdown("\n".join(f"- {r}" for r in reasons))
