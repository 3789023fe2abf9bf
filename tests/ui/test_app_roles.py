"""The app in clinic mode (AppTest, webrtc patched as in test_app.py): the login gate, and the
role matrix: every page x every role is either shown or says 'not for your account'; a patient
whose session state names another patient still sees none of that patient's data."""

from __future__ import annotations

from pathlib import Path

import pytest
from clinic import PW

from formcheck.engine.reps import Rep
from formcheck.storage import accounts, auth, open_database, programmes, repo
from formcheck.ui.login import TOKEN
from formcheck.ui.roles import ALLOWED, PAGES

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
ROLES = ("admin", "therapist", "patient")
USERS = {"admin": "admin", "therapist": "terry", "patient": "ann"}


@pytest.fixture
def clinic_app(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    import streamlit_webrtc
    from streamlit.testing.v1 import AppTest

    class _Ctx:
        class state:  # noqa: N801
            playing = False

    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **kw: _Ctx())
    db = open_database(tmp_path)
    admin = accounts.create_admin(db, "admin", PW, "Clinic Admin")
    terry = accounts.create_therapist(db, admin, "terry", PW, "Terry Therapist")
    for name, user in (("Ann Patient", "ann"), ("Bob Patient", "bob")):
        accounts.redeem_invite(db, accounts.create_invite(db, name, actor=terry), user, PW)
    programmes.prescribe(db, "Bob Patient", [programmes.Item("bird_dog", 2, 8)], notes="BOBS-SECRET-NOTE", actor=terry)
    sid = repo.start_set(db, "Bob Patient", "bridge", "live", "1.1", actor=terry)
    repo.add_rep(db, sid, Rep(1, None, 0.0, 500.0, 1000.0, 0.0, ["hips_too_low"]), actor=terry)

    def make(role: str | None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if role:
            at.session_state[TOKEN] = auth.login(db, USERS[role], PW)[0]
        return at

    yield make
    db.dispose()


def _text(at) -> str:
    parts = [e.value for kind in (at.markdown, at.info, at.warning, at.error, at.success, at.caption, at.header,
                                  at.subheader) for e in kind]
    return "\n".join(str(p) for p in parts)


def test_login_gate_wrong_then_right_password(clinic_app):
    at = clinic_app(None).run()
    assert not at.exception and not at.tabs          # nothing but the login form
    at.text_input(key="login_user").input("terry")
    at.text_input(key="login_password").input("wrong password!")
    at.button[0].click().run()
    assert "wrong username or password" in _text(at) and not at.tabs
    at.text_input(key="login_password").input(PW)
    at.button[0].click().run()
    assert not at.exception and [t.label for t in at.tabs] == list(PAGES)


def test_an_ended_session_asks_to_log_in_again(clinic_app):
    at = clinic_app("therapist")
    at.session_state[TOKEN] = "made-up-or-tampered-token"
    at.run()
    assert not at.tabs and "log in again" in _text(at)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(clinic_app, role):
    at = clinic_app(role).run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == list(PAGES)
    for tab in at.tabs:
        shown = "\n".join(str(e.value) for kind in (tab.info,) for e in kind)
        refused = "not for your account" in shown
        assert refused != (tab.label in ALLOWED[role]), (role, tab.label, shown)
    text = _text(at)
    assert ("Audit log" in text) == (role in ("admin", "therapist"))


def test_a_patient_sees_none_of_another_patients_data(clinic_app):
    at = clinic_app("patient").run()
    assert not at.exception
    (picker,) = [s for s in at.selectbox if s.label == "Patient"]
    assert picker.options == ["Ann Patient"]            # no one else to choose
    at = clinic_app("patient")
    at.session_state["patient"] = "Bob Patient"         # a tampered widget state
    at.run()
    assert not at.exception
    assert [s.value for s in at.selectbox if s.label == "Patient"] == ["Ann Patient"]
    everything = _text(at) + "".join(str(getattr(e, "value", "")) for e in at.dataframe)
    assert "BOBS-SECRET-NOTE" not in everything and "hips_too_low" not in everything
    assert "Bob Patient" not in everything and "No sets recorded for Ann Patient" in everything


def _page_as(page: str, home: str, patient: str, username: str) -> None:
    """One page run with PageState naming ``patient``, as ``username`` (the script AppTest runs)."""
    import streamlit as st

    from formcheck.rules.definition import get_definition
    from formcheck.storage import open_database
    from formcheck.storage.access import AccessDenied
    from formcheck.storage.account_models import User
    from formcheck.storage.auth import actor_of
    from formcheck.storage.profiles import store_for
    from formcheck.ui.account_page import account_page
    from formcheck.ui.clip_page import clip_page
    from formcheck.ui.common import PageState
    from formcheck.ui.live_page import live_page
    from formcheck.ui.monitor_page import monitor_page
    from formcheck.ui.programme_page import programme_page
    from formcheck.ui.progress_page import progress_page
    from formcheck.ui.tuning_page import tuning_page

    pages = {"Live": live_page, "Clip review": clip_page, "Therapist tuning": tuning_page,
             "Programme": programme_page, "Progress": progress_page, "Desk monitor": monitor_page,
             "Account": account_page}
    db = open_database(home)
    with db.session() as s:
        who = actor_of(s.query(User).filter_by(username=username).one())
    bound = db.for_actor(who)
    ps = PageState("bird_dog", get_definition("bird_dog"), None, store_for(home, bound), patient, bound, who)
    try:
        pages[page](ps)
    except AccessDenied as e:   # as streamlit_app.main does
        st.warning(str(e))


@pytest.mark.parametrize("page", [p for p in PAGES if p in ALLOWED["patient"]])
def test_every_page_refuses_another_patients_data(clinic_app, tmp_path, page):
    """Each page given Bob's name while Ann is logged in (as a URL or a forged state would):
    the data layer refuses, the page shows no data of Bob's."""
    from streamlit.testing.v1 import AppTest

    clinic_app(None)
    at = AppTest.from_function(_page_as, args=(page, str(tmp_path), "Bob Patient", "ann"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    everything = _text(at) + "".join(str(getattr(e, "value", "")) for e in at.dataframe)
    assert "BOBS-SECRET-NOTE" not in everything and "hips_too_low" not in everything
    if page in ("Live", "Progress"):   # the pages that read a patient's sets or programme
        assert "not for your account" in everything, everything


def test_a_therapist_sees_their_patients_data(clinic_app):
    at = clinic_app("therapist")
    at.session_state["patient"] = "Bob Patient"
    at.run()
    assert not at.exception
    (picker,) = [s for s in at.selectbox if s.label == "Patient"]
    assert set(picker.options) >= {"Ann Patient", "Bob Patient"}
    text = _text(at)
    assert "No sets recorded" not in text and "BOBS-SECRET-NOTE" in text   # Bob's set and programme


def test_plain_streamlit_run_beyond_loopback_shows_the_refusal_not_the_app(monkeypatch, tmp_path):
    """`streamlit run --server.address 0.0.0.0` (no formcheck serve): no accounts -> no app."""
    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        st_config.set_option("server.address", before)
    assert not at.tabs and "has no accounts" in _text(at)
