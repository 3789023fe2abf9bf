"""The Programme, Progress and today's-programme pages with AppTest, on a real SQLite
database in a temporary data folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_app import app  # noqa: F401  (the AppTest fixture)

from formcheck.db import checkins, open_database, programmes, repo
from formcheck.engine.reps import Rep
from formcheck.symptoms import Checkin


@pytest.fixture
def patient_db(tmp_path):
    db = open_database(tmp_path)
    programmes.prescribe(db, "Jane Doe", [programmes.Item("bridge", 2, 5),
                                          programmes.Item("bird_dog", 1, 4, rest_s=30)],
                         days_per_week=4, notes="Slow and controlled")
    start = datetime.now(UTC) - timedelta(days=10)
    for d in range(10):
        sid = repo.start_set(db, "Jane Doe", "bridge", "live", "1.1", started_at=start + timedelta(days=d))
        for i in range(1, 6):
            repo.add_rep(db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 400, i * 1000.0 + 800, 300.0,
                                      ["hips_too_low"] if i == 5 and d < 5 else [],
                                      key_angles={"hip_extension_deg": 165.0 + d}))
    checkins.record(db, "Jane Doe", Checkin(2, "back"))   # today's check-in: the Live page opens
    yield db
    db.dispose()


def _choose_patient(at, name="Jane Doe"):  # type: ignore[no-untyped-def]
    at.run()
    at.sidebar.selectbox(key="patient").set_value(name).run()
    assert not at.exception, at.exception
    return at


def test_programme_page_shows_and_saves_a_programme(app, patient_db):  # noqa: F811
    at = _choose_patient(app)
    text = " ".join(t.value.to_csv() for t in at.table)
    assert "Glute bridge" in text and "2 x 5 reps, rest 60 s" in text
    assert any("Slow and controlled" in c.value for c in at.caption)
    at.slider(key="prog_days").set_value(6)
    at.button[[b.label for b in at.button].index("Save programme")].click().run()
    assert not at.exception and any("Programme saved for Jane Doe" in s.value for s in at.success)
    assert programmes.programme(patient_db, "Jane Doe").days_per_week == 6   # type: ignore[union-attr]


def test_progress_page_draws_the_patients_days(app, patient_db):  # noqa: F811
    at = _choose_patient(app)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Days practised"] == "10" and metrics["Reps"] == "50" and metrics["Good form"] == "90%"
    text = " ".join(t.value.to_csv() for t in at.table)
    assert "Hips not high enough" in text
    assert any(b.label == "All sets (CSV)" for b in at.get("download_button"))


def test_live_page_shows_todays_programme_and_the_next_exercise(app, patient_db):  # noqa: F811
    repo.start_set(patient_db, "Jane Doe", "bridge", "live", "1.1")   # today, but 0 reps: not a done set
    at = _choose_patient(app)
    text = " ".join(t.value.to_csv() for t in at.table)
    assert "Today" in " ".join(m.value for m in at.markdown) and "0 of 2 sets" in text
    at.sidebar.selectbox(key="exercise").set_value("bird_dog").run()
    nxt = [b for b in at.button if b.label.startswith("Next:")]
    assert nxt and nxt[0].label == "Next: Glute bridge"
    nxt[0].click().run()
    assert at.sidebar.selectbox(key="exercise").value == "bridge"
