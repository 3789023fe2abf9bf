"""The check-in on the Live page with AppTest (a real SQLite database in the data folder): a
chosen patient answers first; the emergency screen blocks the day's exercise; the contact path
needs the confirmation; free practice (no patient) is not asked."""

from __future__ import annotations

import pytest

from formcheck.rules.symptoms import Checkin
from formcheck.storage import checkins, open_database, repo

PATIENT = "Jane Doe"


@pytest.fixture
def db(tmp_path):
    d = open_database(tmp_path)
    repo.ensure_patient(d, PATIENT)
    yield d
    d.dispose()


def _choose(at):  # type: ignore[no-untyped-def]
    at.run()
    at.sidebar.selectbox(key="patient").set_value(PATIENT).run()
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()   # nothing is preselected
    assert not at.exception, at.exception
    return at


def _answer(at, moment="before", **answers):  # type: ignore[no-untyped-def]
    base = {"pain": 3, "reaches": "thigh", "numbness": "no", "weakness": "no", "bladder_bowel": "no",
            "saddle_numbness": "no", **answers}
    for name, value in base.items():
        if value is not None:
            at.radio(key=f"checkin_{moment}_{name}").set_value(value)
    at.button(key=f"FormSubmitter:checkin_{moment}-Save my answers").click().run()
    assert not at.exception, at.exception
    return at


def _exercising(at) -> bool:  # type: ignore[no-untyped-def]
    return any(m.label == "Reps" for m in at.metric)   # the live panel beside the video


def _html(at) -> str:  # type: ignore[no-untyped-def]
    return " ".join(m.value for m in at.markdown)


def test_free_practice_is_not_asked(app):
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    assert _exercising(at) and not any("how are you today" in s.value for s in at.subheader)


def test_a_patient_checks_in_before_exercising(app, db):
    at = _choose(app)
    assert any("Before you start: how are you today?" in s.value for s in at.subheader)
    assert not _exercising(at)
    _answer(at, pain=None)
    assert any("Please answer every question" in e.value and "How bad is your pain" in e.value for e in at.error)
    assert checkins.checkins(db, PATIENT) == []
    _answer(at, pain=4)
    assert _exercising(at)
    (x,) = checkins.checkins(db, PATIENT)
    assert (x.checkin.pain, x.checkin.reaches, x.checkin.moment, x.level) == (4, "thigh", "before", "none")


def test_no_pain_needs_no_region(app, db):
    at = _answer(_choose(app), pain=0, reaches=None)
    assert _exercising(at) and checkins.checkins(db, PATIENT)[0].checkin.reaches == "none"


def test_the_emergency_screen_blocks_the_days_exercise(app, db):
    at = _answer(_choose(app), pain=2, bladder_bowel="yes")
    text = _html(at)
    assert "This is a medical emergency: call emergency services now." in text
    assert "You have a new problem controlling your bladder or bowels." in text and "Do not exercise today." in text
    assert not _exercising(at) and not any(b.label.startswith("Continue") for b in at.button)
    at.run()   # still blocked on the next visit the same day
    assert not _exercising(at) and "medical emergency" in _html(at)


def test_the_contact_path_needs_the_confirmation(app, db):
    at = _answer(_choose(app), pain=9, reaches="foot")
    assert "Contact your doctor or therapist before continuing." in _html(at)
    assert "Your pain is 9 out of 10." in _html(at)
    assert not _exercising(at)
    assert at.button(key="checkin_continue").disabled   # until the patient confirms
    at.run()
    assert not _exercising(at) and checkins.day_status(db, PATIENT).level == "contact"
    at.checkbox(key="checkin_confirm").check().run()
    at.button(key="checkin_continue").click().run()
    assert not at.exception and _exercising(at)
    assert checkins.checkins(db, PATIENT)[0].confirmed_at is not None


def _flagged_history(db):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from formcheck.rules.symptoms import Checkin

    t = datetime.now(UTC) - timedelta(days=10)
    for i, (pain, where) in enumerate(((6, "foot"), (5, "below_knee"), (9, "thigh"), (3, "buttock"), (2, "back"))):
        checkins.record(db, PATIENT, Checkin(pain, where), taken_at=t + timedelta(days=2 * i))
    repo.ensure_patient(db, "Calm Carl")


def test_progress_shows_every_red_flag_and_the_pain_trend(app, db):
    _flagged_history(db)
    at = _choose(app)
    warn = " ".join(w.value for w in at.warning)
    assert "Red flags: 1 check-in" in warn and "CONTACT" in warn and "Your pain is 9 out of 10." in warn
    text = _html(at)
    assert "Symptoms over 5 check-ins" in text and "foot or toes -> buttock (centralising)" in text
    assert len(at.get("vega_lite_chart")) >= 2   # pain and where it reaches


def test_the_patient_list_marks_red_flags(app, db):
    _flagged_history(db)
    at = app.run()
    table = " ".join(t.value.to_csv() for t in at.table)
    assert "CONTACT" in table and "Your pain is 9 out of 10." in table and "Calm Carl" in table
    assert table.index("Jane Doe") < table.index("Calm Carl")      # flagged patients first
    box = at.sidebar.selectbox(key="patient")
    assert "Jane Doe (RED FLAG: contact)" in box.options and "Calm Carl" in box.options


def test_after_a_set_an_optional_check_in_and_its_red_flag_stops_the_day(app, db, monkeypatch):
    import dataclasses

    from formcheck.run.live.video import LiveProcessor

    real = LiveProcessor.snapshot
    monkeypatch.setenv("FORMCHECK_LIVE_WORKERS", "0")   # judged in this process: the patch reaches it
    monkeypatch.setattr(LiveProcessor, "snapshot", lambda self: dataclasses.replace(real(self), frames=30))
    at = _answer(_choose(app), pain=4)                       # before: calm, the set is done
    assert any(s.value == "Set summary" for s in at.subheader)
    assert any(e.label.startswith("How do you feel after exercising?") for e in at.expander)
    at = _answer(at, moment="after", pain=3, reaches="buttock")
    assert any("your answers are saved" in s.value for s in at.success)
    assert [x.checkin.moment for x in checkins.checkins(db, PATIENT)] == ["before", "after"]
    at = _answer(at, moment="after", pain=3, saddle_numbness="yes")
    assert "This is a medical emergency: call emergency services now." in _html(at) and not _exercising(at)


def test_a_single_check_in_reads_as_one_day_in_words(app, db):
    """One check-in: "1 check-in" (not "1 check-ins"), and its charts labelled by day, not by
    the instant's milliseconds (Vega labelled a one-point time axis ".846")."""
    import json

    checkins.record(db, PATIENT, Checkin(2, "back"))
    at = _choose(app)
    text = " ".join(x.value for x in at.success)
    assert "No red flags in 1 check-in." in text, text
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    time_axes = [enc["x"] for s in specs for enc in [s.get("encoding", {})] if enc.get("x", {}).get("field") == "time"]
    assert time_axes and all(x["axis"]["format"] == "%d %b" and "domain" in x["scale"] for x in time_axes)
