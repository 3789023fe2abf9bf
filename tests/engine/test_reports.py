"""Reports a therapist can trust: adherence from the programme's start and in date order, the
PDF's period, doses and changed limits, tidy Progress axes, rounded CSVs, one click for the PDF.
Each test here failed on the code before issue 25."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from formcheck.engine.reps import Rep
from formcheck.rules.profile import Bounds, Profile
from formcheck.storage import open_database, programmes, repo
from formcheck.storage.store import Store

DECIMAL_TAIL = re.compile(r"\d\.\d{3,}")


def _rep(i: int, faults: list[str] | None = None, **angles: float) -> Rep:
    return Rep(i, None, i * 1000.0, i * 1000.0 + 400, i * 1000.0 + 800, 3993.767324000146, faults or [],
               key_angles=angles)


def test_adherence_counts_only_the_weeks_of_the_programme(tmp_path):
    """A programme begun on a Saturday: the weeks before it are not 'missed', its first week
    has only the weekend to do, and a set done before it began does not count."""
    db = open_database(tmp_path)
    programmes.prescribe(db, "Ann", [programmes.Item("bridge", 1, 5)], days_per_week=5,
                         created_at=datetime(2026, 11, 21, 8, tzinfo=UTC))
    for day in (19, 21, 22, 24):
        repo.start_set(db, "Ann", "bridge", "live", "1.1", started_at=datetime(2026, 11, day, 9, tzinfo=UTC))
    weeks = programmes.adherence(db, "Ann", weeks=6, today=date(2026, 11, 27))
    assert [(w.week_start, w.days_done, w.days_prescribed) for w in weeks] == [
        (date(2026, 11, 16), 2, 2), (date(2026, 11, 23), 1, 5)]
    db.dispose()


def test_the_adherence_chart_shows_weeks_in_date_order():
    from formcheck.ui.programme_page import adherence_chart

    weeks = [programmes.WeekAdherence(date(2026, 10, 12) + timedelta(weeks=i), i % 3, 4) for i in range(5)]
    spec = adherence_chart(weeks[::-1]).to_dict()
    expected = ["12 Oct", "19 Oct", "26 Oct", "02 Nov", "09 Nov"]
    assert [layer["encoding"]["x"]["sort"] for layer in spec["layer"]] == [expected, expected]


def _words(path) -> str:  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == 1
    return str(doc[0].get_textpage().get_text_range())


def test_the_pdf_starts_at_the_first_set_gives_holds_and_lists_changed_limits(tmp_path):
    from formcheck.pdf.clinician import clinician_report
    from formcheck.rules.definition import get_definition

    today = datetime(2026, 12, 1, 12, tzinfo=UTC)
    db = open_database(tmp_path)
    programmes.prescribe(db, "Jane Doe", [programmes.Item("bird_dog", 2, 5, hold_s=5.0),
                                          programmes.Item("bridge", 1, 1)],
                         days_per_week=5, created_at=today - timedelta(days=9))
    for d in range(3):   # three sets in the last 4 days: less than a week of data
        sid = repo.start_set(db, "Jane Doe", "bird_dog", "live", "1.2", started_at=today - timedelta(days=4 - d))
        for i in range(1, 3):
            repo.add_rep(db, sid, _rep(i, thigh_elevation_deg=10.0 + d))
    d = get_definition("bird_dog")
    check = next(c for c in d.checks if c.max is not None)
    store = Store(tmp_path)
    store.save(Profile(exercise="bird_dog", definition_version=d.version, patient="Jane Doe",
                       thresholds={check.id: Bounds(max=check.max + 15)}))
    words = _words(clinician_report(db, "Jane Doe", tmp_path / "r.pdf", weeks=6, today=today, store=store))
    flat = " ".join(words.split())
    assert f"{today - timedelta(days=9):%d %b %Y} to {today:%d %b %Y}" in flat   # the programme's start
    assert "Bird-dog: 2 x 5 reps, each held 5 s, rest 60 s" in flat
    assert "Glute bridge: 1 x 1 rep, rest 60 s" in flat
    assert "100%*" in flat and "Limits changed for this patient" in flat
    assert f"{d.fault_text(check.id)[0]}: max {check.max + 15:g} deg (default {check.max:g})" in flat
    assert "Thigh: 11 deg" in flat and "- ->" not in flat
    db.dispose()


def test_the_pdf_period_begins_with_the_first_set_without_a_programme(tmp_path):
    from formcheck.pdf.clinician import clinician_report

    today = datetime(2026, 12, 1, 12, tzinfo=UTC)
    db = open_database(tmp_path)
    repo.start_set(db, "Bo", "bridge", "clip", "1.1", started_at=today - timedelta(days=3))
    flat = " ".join(_words(clinician_report(db, "Bo", tmp_path / "r.pdf", today=today)).split())
    assert f"{today - timedelta(days=3):%d %b %Y} to {today:%d %b %Y}" in flat
    db.dispose()


def _days(values: list[float], col: str) -> pd.DataFrame:
    return pd.DataFrame({"day": pd.to_datetime([date(2026, 12, 1) + timedelta(days=i) for i in range(len(values))]),
                         col: values})


@pytest.mark.parametrize("col,values,fmt", [
    ("hip_extension_deg", [176.5], "d"),
    ("hip_extension_deg", [176.5, 176.5, 177.0], "d"),
    ("reps", [1], "d"),
    ("hold_s", [3.993767324000146], ".1f"),
    ("good_share", [1.0], ".0%"),
])
def test_progress_axes_are_rounded_and_a_single_day_has_room(col, values, fmt):
    from formcheck.ui.progress_page import day_chart

    enc = day_chart(_days(values, col), col, "t").to_dict()["encoding"]
    assert enc["y"]["axis"]["format"] == fmt
    lo, hi = enc["y"]["scale"]["domain"]
    assert hi - lo >= (10 if col.endswith("_deg") else 0.5) and lo <= min(values) and hi >= max(values)
    assert enc["x"]["axis"]["format"] == "%d %b"
    x_lo, x_hi = (pd.Timestamp(t) for t in enc["x"]["scale"]["domain"])
    assert x_hi - x_lo >= pd.Timedelta(days=2)   # one day is a dot between two labelled days


def test_csv_exports_are_rounded(tmp_path):
    from synth import bird_dog_pose, run

    from formcheck.engine.report import frames_csv
    from formcheck.rules.definition import get_definition
    from formcheck.ui.progress_page import sets_csv

    db = open_database(tmp_path)
    sid = repo.start_set(db, "Ann", "bridge", "live", "1.1")
    repo.add_rep(db, sid, _rep(1))
    csv = sets_csv(repo.history(db, "Ann"))
    assert ",4.0," in csv and not DECIMAL_TAIL.search(csv)
    db.dispose()
    up = [bird_dog_pose(-90 + 120 * i / 15, arm_deg=0.0) for i in range(15)]
    result = run(get_definition("bird_dog"), [bird_dog_pose(-90, arm_deg=-90)] * 15 + up + up[::-1])
    csv = frames_csv(result)
    assert not DECIMAL_TAIL.search(csv), DECIMAL_TAIL.search(csv)


def test_the_clinician_report_is_one_click(app, tmp_path):
    db = open_database(tmp_path)
    sid = repo.start_set(db, "Jane Doe", "bridge", "live", "1.1")
    repo.add_rep(db, sid, _rep(1))
    db.dispose()
    at = app.run()
    at.sidebar.selectbox(key="patient").set_value("Jane Doe").run()
    assert not at.exception
    assert not [b for b in at.button if "report" in b.label.lower()]   # no "make it" button first
    (pdf,) = [b for b in at.get("download_button") if b.proto.label == "Clinician report (PDF)"]
    assert pdf.proto.label == "Clinician report (PDF)"
