"""Each red-flag rule of exercises/safety/red_flags.toml, table-driven: what fires it, what does
not, and the level; the file's validation (a clinic's copy with a mistake is refused with the
field named); and the check-in recorded with its flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import tomli_w

from formcheck.core import config
from formcheck.core.errors import DefinitionError
from formcheck.rules.definition import load_toml
from formcheck.rules.red_flags import evaluate, load_rules, rules_path, strongest
from formcheck.rules.symptoms import Checkin
from formcheck.storage import checkins, open_database

RULES = load_rules(config.RED_FLAGS_FILE)
C = Checkin


@pytest.mark.parametrize(("now", "earlier", "fired"), [
    # emergency: bladder/bowel, saddle numbness
    (C(2, "back", bladder_bowel=True), [], ["bladder_bowel"]),
    (C(0, "none", saddle_numbness=True), [], ["saddle_numbness"]),
    (C(9, "foot", "worse", bladder_bowel=True), [], ["bladder_bowel", "numbness_new_or_worse", "pain_severe"]),
    # new or worse numbness / weakness
    (C(4, "thigh", numbness="worse"), [], ["numbness_new_or_worse"]),
    (C(4, "thigh", numbness="same"), [C(4, "thigh", numbness="no")], ["numbness_new_or_worse"]),  # new since last
    (C(4, "thigh", numbness="same"), [C(4, "thigh", numbness="same")], []),    # as before: no flag
    (C(4, "thigh", numbness="same"), [], []),                                 # known at the first check-in
    (C(4, "thigh", weakness="worse"), [], ["weakness_new_or_worse"]),
    (C(4, "thigh", weakness="same"), [C(3, "thigh"), C(4, "thigh", weakness="no")], ["weakness_new_or_worse"]),
    # severe pain
    (C(8, "thigh"), [], ["pain_severe"]),
    (C(7, "thigh"), [], []),
    (C(10, "foot"), [C(10, "foot")], ["pain_severe"]),
    # rising pain: higher at each of the last 3 check-ins, by 2 or more overall
    (C(5, "thigh"), [C(2, "thigh"), C(3, "thigh"), C(4, "thigh")], ["pain_rising"]),
    (C(5, "thigh"), [C(9, "foot"), C(2, "thigh"), C(3, "thigh"), C(4, "thigh")], ["pain_rising"]),
    (C(5, "thigh"), [C(3, "thigh"), C(4, "thigh")], []),                      # only 2 rises
    (C(5, "thigh"), [C(2, "thigh"), C(4, "thigh"), C(4, "thigh")], []),       # a flat step
    (C(4, "thigh"), [C(3, "thigh"), C(3, "thigh"), C(4, "thigh")], []),
    (C(3, "back"), [C(5, "thigh"), C(4, "thigh"), C(3, "back")], []),         # falling
    (C(0, "none"), [], []),
])
def test_each_rule(now, earlier, fired):
    flags = evaluate(now, earlier, RULES)
    assert sorted(f.rule for f in flags) == sorted(fired)
    want = "emergency" if {"bladder_bowel", "saddle_numbness"} & set(fired) else "contact" if fired else "none"
    assert strongest(flags) == want
    if flags:
        assert flags[0].level == want   # emergencies first


def test_messages_are_the_plain_words_the_patient_sees():
    (e,) = evaluate(C(1, "back", bladder_bowel=True), [], RULES)
    assert e.message == "This is a medical emergency: call emergency services now."
    (p,) = evaluate(C(9, "foot"), [], RULES)
    assert p.message == "Contact your doctor or therapist before continuing."
    assert p.reason == "Your pain is 9 out of 10."
    (r,) = evaluate(C(5, "thigh"), [C(2, "thigh"), C(3, "thigh"), C(4, "thigh")], RULES)
    assert r.reason == "Your pain has gone up at each of your last 3 check-ins."


def test_every_rule_cites_a_source():
    assert all(r.sources for r in RULES.rule) and RULES.sources


def _write(tmp_path, change):  # type: ignore[no-untyped-def]
    data = load_toml(config.RED_FLAGS_FILE)
    change(data)
    path = tmp_path / "red_flags.toml"
    path.write_text(tomli_w.dumps(data))
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["rule"][0].update(level="urgent"), r"rule\.0\.level: Input should be 'contact' or 'emergency'"),
    (lambda d: d["rule"][0].update(field="headache"), "kind 'yes' needs field = one of bladder_bowel, saddle_numbness"),
    (lambda d: d["rule"][4].pop("pain"), "kind 'pain_at_least' needs pain"),
    (lambda d: d["rule"][4].update(pain=12), r"rule\.4\.pain: Input should be less than or equal to 10"),
    (lambda d: d["rule"][5].update(reason="Up {points}"), r"reason may use only \{pain\} and \{checkins\}"),
    (lambda d: d["rule"][1].update(id="bladder_bowel"), "rule ids must be unique"),
    (lambda d: d["rule"][2].update(sources=[]), r"rule\.2\.sources"),
    (lambda d: d.update(colour="red"), "colour: unknown key"),
])
def test_a_clinics_file_with_a_mistake_is_refused_naming_the_field(tmp_path, change, message):
    with pytest.raises(DefinitionError, match=message):
        load_rules(_write(tmp_path, change))


def test_a_clinics_copy_in_the_data_folder_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    assert rules_path() == config.RED_FLAGS_FILE
    _write(tmp_path, lambda d: d["rule"][4].update(pain=7))
    assert rules_path() == tmp_path / "red_flags.toml"
    assert [f.rule for f in evaluate(C(7, "thigh"), [], load_rules())] == ["pain_severe"]


def test_recorded_with_its_flags_judged_against_earlier_check_ins(tmp_path):
    db = open_database(tmp_path)
    t = datetime.now(UTC) - timedelta(minutes=4)
    for i, pain in enumerate((2, 3, 4)):
        assert checkins.record(db, "Jane", C(pain, "thigh"), RULES, t + timedelta(minutes=i)).level == "none"
    got = checkins.record(db, "Jane", C(5, "thigh", numbness="worse"), RULES, t + timedelta(minutes=3))
    assert got.level == "contact" and [f["rule"] for f in got.flags] == ["numbness_new_or_worse", "pain_rising"]
    assert checkins.checkins(db, "Jane")[-1].flags == got.flags
    assert checkins.day_status(db, "Jane").level == "contact"
    db.dispose()
