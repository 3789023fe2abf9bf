"""Therapist pages that never fail quietly (AppTest, real SQLite in a temporary data folder):
incomplete programme rows are refused by name, tables show what was just saved, the sidebar's
patient is every page's patient, calibration refuses a faulty rep, limits read as words.
Each test here failed on the code before issue 25."""

from __future__ import annotations

import re

import pytest
from pages import _choose_patient, patient_db  # noqa: F401  (fixture)

from formcheck.storage import open_database, repo


def _faulty_bird_dog():  # type: ignore[no-untyped-def]
    from synth import bird_dog_pose, run

    from formcheck.rules.definition import get_definition

    up = [bird_dog_pose(-90 + 120 * i / 15, arm_deg=0.0) for i in range(15)]
    rest = [bird_dog_pose(-90, arm_deg=-90)] * 15
    result = run(get_definition("bird_dog"), (rest + up + [bird_dog_pose(30, arm_deg=0.0)] * 20 + up[::-1]) * 2)
    assert [r.faults for r in result.reps] == [["leg_too_high"]] * 2
    return result


@pytest.mark.parametrize("row,problem", [
    ({"Exercise": "Bird-dog", "Sets": None, "Reps": 5, "Hold (s)": None, "Rest (s)": None},
     "row 2 (Bird-dog) has no Sets"),
    ({"Exercise": None, "Sets": 2, "Reps": 5, "Hold (s)": None, "Rest (s)": None}, "row 2 has no exercise"),
    ({"Exercise": None, "Sets": float("nan"), "Reps": None, "Hold (s)": None, "Rest (s)": None}, None),
    ({"Exercise": "Glute bridge", "Sets": 3, "Reps": 10, "Hold (s)": None, "Rest (s)": 60.0}, None),
])
def test_an_incomplete_programme_row_is_named_not_dropped(row, problem):
    from formcheck.ui.programme_page import row_problem

    got = row_problem(2, row)
    assert (got is None) if problem is None else (got is not None and got.startswith(problem.split(" no ")[0]))


def test_the_current_programme_table_shows_the_save_at_once(app, patient_db):  # noqa: F811
    at = _choose_patient(app)
    at.slider(key="prog_days").set_value(6)
    at.button[[b.label for b in at.button].index("Save programme")].click().run()
    assert not at.exception and any("Programme saved for Jane Doe: 2 exercises" in s.value for s in at.success)
    current = [m.value for m in at.markdown if "Current programme" in m.value]
    assert current and "6 days a week" in current[0], current


def test_tuning_saves_for_the_sidebars_patient_and_the_sidebar_follows(app, tmp_path):
    db = open_database(tmp_path)
    repo.ensure_patient(db, "Jane Doe")
    db.dispose()
    at = _choose_patient(app)
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    assert any("Standard limits" in c.value for c in at.sidebar.caption)
    save = at.button(key="save_profile")
    assert not save.disabled   # the sidebar's patient, no retyping
    at.number_input(key="bridge-hips_too_low-min").set_value(158.0).run()
    at.button(key="save_profile").click().run()
    assert not at.exception
    said = [s.value for s in at.success if "Saved version 1" in s.value]
    assert said == ["Saved version 1 of Jane Doe's Glute bridge profile."], [s.value for s in at.success]
    assert not re.search(r"/|[0-9a-f]{8}", said[0])   # no file path, no hashed folder name
    assert any("profile v1" in c.value for c in at.sidebar.caption)


def test_a_new_patient_typed_in_tuning_becomes_the_sidebars_patient(app):
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    at.text_input(key="tune_patient").set_value("Sam Lee").run()
    at.button(key="save_profile").click().run()
    assert not at.exception
    assert at.sidebar.selectbox(key="patient").value == "Sam Lee"


def test_calibration_refuses_a_clip_with_faults(app):
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bird_dog")
    at.session_state["result"] = _faulty_bird_dog()
    at.run()
    assert not at.exception
    assert any("not good form" in e.value and "Leg raised too high" in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("Use the proposed thresholds")]
    at.checkbox(key="cal_override").check().run()   # the therapist may still overrule, knowingly
    assert [b for b in at.button if b.label.startswith("Use the proposed thresholds")]
    assert any("looser than the sourced defaults" in w.value for w in at.warning)   # 30 deg leg: said loudly


def test_limits_read_as_words_not_dashes(app):
    from formcheck.ui.tuning_page import limits

    assert limits(None, 15) == "at most 15 deg" and limits(150, None, "%") == "at least 150 %"
    assert limits(150, 170.5) == "150 to 170.5 deg"
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bird_dog").run()
    text = " ".join(c.value for c in at.caption)
    assert "Default: at most" in text and not re.search(r"- \.\.|\.\. -", text)
