"""The Programme, Progress and today's-programme pages with AppTest, on a real SQLite
database in a temporary data folder."""

from __future__ import annotations

from pages import _choose_patient, patient_db  # noqa: F401  (fixture)

from formcheck.engine.reps import Rep
from formcheck.storage import programmes, repo


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


def _live_set(db, exercise: str, reps: int) -> None:  # type: ignore[no-untyped-def]
    sid = repo.start_set(db, "Jane Doe", exercise, "live", "1.1")
    for i in range(1, reps + 1):
        repo.add_rep(db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 400, i * 1000.0 + 800, 300.0, []))


def test_the_page_opens_on_todays_next_exercise(app, patient_db):  # noqa: F811
    """Both bridge sets done today: the page (a reload, a new browser) opens on the bird-dog,
    not the programme's first exercise again; all done, it opens on the first."""
    from streamlit.testing.v1 import AppTest

    for _ in range(2):
        _live_set(patient_db, "bridge", 5)
    at = _choose_patient(app)
    assert at.sidebar.selectbox(key="exercise").value == "bird_dog"
    assert not [b for b in at.button if b.label.startswith("Next:")]
    text = " ".join(t.value.to_csv() for t in at.table)
    assert "2 of 2 sets ✓" in text
    _live_set(patient_db, "bird_dog", 4)
    at = _choose_patient(AppTest.from_file(app._script_path, default_timeout=60))   # a new browser
    assert at.sidebar.selectbox(key="exercise").value == "bridge"
    assert any("Today's programme is done" in s.value for s in at.success)
