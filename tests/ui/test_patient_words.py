"""Patient pages in plain words (AppTest and the table/chart builders): names and cues from the
definitions, "1 rep", rounded numbers with units, one "good form" (share of reps), the
therapist's details behind a switch, first-time guidance and the therapist's notes on Live.
Each test here failed on the code before issue 25."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from pages import _choose_patient, patient_db  # noqa: F401  (fixture)
from test_therapist_pages import _faulty_bird_dog

from formcheck.engine.reps import Rep
from formcheck.rules.definition import get_definition

IDS = re.compile(r"\b[a-z]+_[a-z_]+\b")   # definition ids look like leg_too_high, thigh_elevation_deg


@pytest.mark.parametrize("call,want", [
    ("plural(1, 'rep')", "1 rep"), ("plural(3, 'rep')", "3 reps"), ("seconds(3.2999)", "3.3 s"),
    ("seconds(30.0)", "30 s"), ("degrees(-0.4)", "0 deg"), ("degrees(-33.4)", "-33 deg"),
])
def test_numbers_in_words(call, want):
    from formcheck.core import wording

    assert eval(call, vars(wording)) == want


def test_a_set_target_of_one_rep_says_1_rep():
    from formcheck.ui.programme_live import SetTarget

    assert SetTarget(1, 5.0, 30.0).text() == "1 rep, each held 5 s"


def test_the_rep_column_stays_and_holds_are_rounded():
    from formcheck.ui.results import reps_table

    reps = [Rep(i, "left", 1000.0, 1234.5, 2000.0, 3299.9) for i in (1, 2, 3)]
    t = reps_table(get_definition("bird_dog"), reps)
    assert t.index.name == "Rep" and not isinstance(t.index, pd.RangeIndex)   # st.table hides a RangeIndex
    assert list(t["Hold (s)"]) == ["3.3"] * 3 and list(t["Top at (s)"]) == ["1.2"] * 3


def test_clip_review_has_one_good_form_and_details_behind_the_switch(app):
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bird_dog")
    at.session_state["result"] = _faulty_bird_dog()
    at.run()
    clip = at.tabs[1]
    metrics = {m.label: m.value for m in clip.metric}
    assert metrics["Good form"] == "0 of 2 reps" and "Good form (judged frames)" not in metrics
    assert not [c for c in clip.caption if "Frames judged" in c.value]
    assert not clip.get("vega_lite_chart")   # angle charts: for the therapist
    at.sidebar.toggle(key="details").set_value(True).run()
    clip = at.tabs[1]
    assert [c for c in clip.caption if "Frames judged in good form" in c.value]
    assert clip.get("vega_lite_chart")


def test_angle_charts_say_names_and_draw_the_band_only_where_judged():
    from formcheck.engine.report import build_report
    from formcheck.ui.charts import angle_charts

    r = _faulty_bird_dog()
    d = r.definition
    rep = build_report(r)
    charts = angle_charts(r, d)
    assert charts
    judged = {round(f["t_ms"] / 1000, 3) for f in rep["frames"]
              if any(c["id"] == "leg_too_high" and c["status"] != "skipped" for c in f["checks"])}
    rest = [f["t_ms"] / 1000 for f in rep["frames"] if round(f["t_ms"] / 1000, 3) not in judged]
    assert judged and rest
    for ch in charts:
        spec = ch.to_dict()
        title = spec["title"]
        assert not IDS.search(title), title
        line = spec["layer"][1] if "mark" in spec["layer"][1] and spec["layer"][1]["mark"]["type"] == "line" \
            else next(x for x in spec["layer"] if x["mark"]["type"] == "line")
        assert line["encoding"]["x"]["axis"]["tickMinStep"] == 1
    bands = [row for ch in charts for layer in ch.to_dict()["layer"] if layer["mark"]["type"] == "rect"
             for row in _layer_rows(ch, layer)]
    leg = [b for b in bands if b["check"].startswith(d.fault_text("leg_too_high")[0])]
    assert leg
    for b in leg:   # no band over a frame where the check was not judged (the rest position)
        assert not any(b["t0"] < t < b["t1"] for t in rest), b


def _layer_rows(chart, layer):  # type: ignore[no-untyped-def]
    spec = chart.to_dict()
    name = layer["data"]["name"]
    return spec["datasets"][name]


def test_a_clip_of_another_exercise_is_named_in_words(app):
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge")
    at.session_state["result"] = _faulty_bird_dog()
    at.run()
    said = " ".join(c.value for c in at.tabs[1].caption)
    assert "checked as Bird-dog" in said and "Glute bridge" in said and "bird_dog" not in said


def test_sidebar_keeps_paths_and_profile_notes_out_of_a_patients_way(app, patient_db, tmp_path):  # noqa: F811
    at = _choose_patient(app)
    assert not at.sidebar.info   # no big "no saved profile" box
    visible = " ".join(x.value for x in [*at.sidebar.caption, *at.sidebar.markdown])
    assert str(tmp_path) not in visible
    settings = at.sidebar.expander[0]
    assert settings.label == "Settings" and settings.text_input(key="data_root").value == str(tmp_path)


def test_no_exercise_is_chosen_for_someone_new_and_a_patient_gets_the_programmes(app, patient_db):  # noqa: F811
    at = app.run()
    assert at.sidebar.selectbox(key="exercise").value is None
    assert any("Choose an exercise" in i.value for i in at.info)
    at.sidebar.selectbox(key="patient").set_value("Jane Doe").run()
    assert at.sidebar.selectbox(key="exercise").value == "bridge"   # the programme's first


def test_live_shows_guidance_and_the_therapists_notes_before_a_set(app, patient_db):  # noqa: F811
    at = _choose_patient(app)
    live = at.tabs[0]
    assert any("From your therapist:** Slow and controlled" in i.value for i in live.info)
    text = " ".join(m.value for m in live.markdown)
    assert "how it works" in text and "Camera:" in text and get_definition("bridge").view_cue in text
    assert any("Colours on the video" in c.value for c in live.caption)
    assert not [e for e in live.expander if "performance" in e.label]   # the debug panel: details only


@pytest.mark.parametrize("hold_ms,target_s,want", [
    (0.0, 5.0, None), (1200.0, None, None), (3100.0, 5.0, "Hold 2 more seconds"),
    (4500.0, 5.0, "Hold 1 more second"), (5000.0, 5.0, "Held long enough: well done"),
])
def test_a_running_hold_says_how_long_is_left(hold_ms, target_s, want):
    from formcheck.ui.live_page import hold_prompt

    assert hold_prompt(hold_ms, target_s) == want


@pytest.mark.parametrize("details", [False, True])
def test_the_review_video_draws_angles_only_with_details(tmp_path, monkeypatch, details):
    """Clip review's annotated video is a patient's view unless "Details for your therapist" is
    on: the encoder hands the switch to the overlay (no phase names or angles without it)."""
    import numpy as np

    from formcheck.engine.session import Session
    from formcheck.media import draw
    from formcheck.run import pipeline

    seen: list[bool] = []

    def spy(rgb, f, r, d, show=True, inplace=False):  # type: ignore[no-untyped-def]
        seen.append(show)
        return rgb

    monkeypatch.setattr(draw, "annotate", spy)   # (the encoder imports it when it first draws)
    d = get_definition("bridge")
    feats, r = Session(d).update(0.0, None)
    enc = pipeline._EncoderThread(tmp_path / "v.mp4", 64, 48, 30.0, d, threaded=False, details=details)
    enc.put(np.zeros((48, 64, 3), np.uint8), feats, r, 0.0)
    enc.close(True)
    assert seen == [details]
