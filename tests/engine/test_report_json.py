"""The JSON report is the one place results become dicts: every schema-1 report of the test
data (each exercise's cases, exercises/cases/) reads back into typed reps and summary and is
written again byte for byte."""

from __future__ import annotations

import json

import pytest
from exercise_cases import cases_files, load_cases, run_case

from formcheck.engine.report import (
    SCHEMA,
    build_report,
    profile_version_from_json,
    rep_from_json,
    rep_json,
    summary_from_json,
    summary_json,
)

CASES = [(f, c.id) for f in cases_files() for c in load_cases(f)[0].cases]


@pytest.mark.parametrize(("path", "case_id"), CASES, ids=[f"{p.name.split('.')[0]}-{c}" for p, c in CASES])
def test_every_case_report_round_trips(path, case_id):
    cases, d, poses = load_cases(path)
    r = run_case(d, next(c for c in cases.cases if c.id == case_id), poses)
    text = json.dumps(build_report(r), indent=1)
    stored = json.loads(text)
    assert stored["schema"] == SCHEMA
    again = dict(stored, reps=[rep_json(rep_from_json(x)) for x in stored["reps"]],
                 summary=summary_json(summary_from_json(stored["summary"])))
    assert json.dumps(again, indent=1) == text
    assert [rep_json(x) for x in r.reps] == stored["reps"] and summary_json(r.summary) == stored["summary"]


def test_the_round_trip_covers_sides_and_missing_person_spans():
    """Left/right summaries (asymmetry rebuilt from the sides) and person-missing stretches are
    among the reports round-tripped above."""
    summaries = []
    for f in cases_files():
        cases, d, poses = load_cases(f)
        summaries += [summary_json(run_case(d, c, poses).summary) for c in cases.cases]
    assert sum(s["asymmetry"] is not None for s in summaries) >= 10
    assert any(s["person_missing"] for s in summaries)


def test_the_profile_version_is_a_number_field_and_an_old_report_gives_it_in_its_label():
    from formcheck.core.pose import ClipInfo, PoseSequence
    from formcheck.engine.session import analyze_sequence
    from formcheck.rules.definition import get_definition
    from formcheck.rules.profile import Profile

    d = get_definition("sitting")
    prof = Profile(exercise="sitting", definition_version=d.version, patient="Ann v Smith", version=12)
    report = build_report(analyze_sequence(PoseSequence.from_frames([], [], ClipInfo()), d, prof))
    assert report["profile_version"] == 12 and report["profile"] == "Ann v Smith v12"
    assert profile_version_from_json(report) == 12
    assert profile_version_from_json({"profile": "Ann v Smith v12"}) == 12   # written before the field
    assert profile_version_from_json({"profile": "Ann v Smith v12", "profile_version": 13}) == 13
    assert profile_version_from_json({"profile": None, "profile_version": None}) is None
    assert profile_version_from_json({"profile": "Ann"}) is None
