"""`formcheck checkin` with flags (scripts) and with questions (a terminal), bad answers, the
red flags in plain words with their exit status, the confirmation, and `formcheck history`."""

from __future__ import annotations

import io

import pytest

from formcheck.cli import checkin as cli_checkin
from formcheck.cli.main import main
from formcheck.storage import checkins, open_database

CALM = ["--numbness", "no", "--weakness", "no", "--bladder-bowel", "no", "--saddle-numbness", "no"]


def _run(tmp_path, *args):  # type: ignore[no-untyped-def]
    return main(["checkin", "--patient", "Jane Doe", "--data-dir", str(tmp_path), *args])


def test_flags_record_a_check_in(tmp_path, capsys):
    assert _run(tmp_path, "--pain", "4", "--reaches", "thigh", *CALM) == 0
    out = capsys.readouterr().out
    assert "pain 4/10, reaches thigh" in out and "Thank you. You can start your exercises." in out
    db = open_database(tmp_path)
    (x,) = checkins.checkins(db, "Jane Doe")
    assert (x.checkin.pain, x.checkin.reaches, x.checkin.moment, x.level) == (4, "thigh", "before", "none")
    db.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (["--pain", "4"], "missing answers: --reaches, --numbness, --weakness, --bladder-bowel, --saddle-numbness"),
    (["--pain", "12", "--reaches", "thigh", *CALM], "pain must be a whole number from 0 to 10, got 12"),
    (["--pain", "4", "--reaches", "knee", *CALM], "where the pain reaches must be one of"),
    (["--pain", "4", "--reaches", "thigh", *CALM[:-1], "maybe"], "saddle numbness: answer yes or no"),
])
def test_bad_input_is_one_clear_line_and_nothing_is_recorded(tmp_path, capsys, args, message):
    assert _run(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("formcheck: ") and message in err and len(err.strip().splitlines()) == 1
    db = open_database(tmp_path)
    assert checkins.checkins(db, "Jane Doe") == []
    db.dispose()


def test_questions_in_a_terminal_ask_again_after_a_bad_answer(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_checkin, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("eleven\n6\nnone\nbelow the knee\nno\nworse\nno\nno\n"))
    assert _run(tmp_path) == 3
    out = capsys.readouterr().out
    assert "How bad is your pain right now?" in out and "got 'eleven'" in out
    assert "say how far down it reaches" in out                     # "none" refused with pain 6
    assert ("Contact your doctor or therapist before continuing.\n"
            "  - The weakness in your leg or foot is new or worse.") in out
    assert "RED FLAG" not in out     # the patient reads what to do, not the clinician's word
    db = open_database(tmp_path)
    (x,) = checkins.checkins(db, "Jane Doe")
    assert (x.checkin.pain, x.checkin.reaches, x.checkin.weakness) == (6, "below_knee", "worse")
    db.dispose()


def test_no_pain_skips_where_it_reaches(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli_checkin, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("0\nno\nno\nno\nno\n"))
    assert _run(tmp_path) == 0
    assert "How far down" not in capsys.readouterr().out


def test_contact_path_needs_the_confirmation_and_an_emergency_cannot_be_confirmed(tmp_path, capsys):
    assert _run(tmp_path, "--pain", "9", "--reaches", "foot", *CALM) == 3
    assert "Your pain is 9 out of 10." in capsys.readouterr().out
    db = open_database(tmp_path)
    assert checkins.day_status(db, "Jane Doe").level == "contact"
    assert _run(tmp_path, "--confirm") == 0
    assert "Confirmed: I have spoken to my doctor or therapist" in capsys.readouterr().out
    assert checkins.day_status(db, "Jane Doe").may_exercise
    calm_but_bladder = [*CALM[:5], "yes", *CALM[6:]]
    assert _run(tmp_path, "--pain", "2", "--reaches", "back", *calm_but_bladder, "--after") == 4
    out = capsys.readouterr().out
    assert "This is a medical emergency: call emergency services now." in out and "Do not exercise today." in out
    assert _run(tmp_path, "--confirm") == 2
    assert "no exercise today" in capsys.readouterr().err
    assert _run(tmp_path, "--pain", "1", "--reaches", "back", *CALM) == 4   # the emergency holds all day
    out = capsys.readouterr().out
    assert "This is a medical emergency: call emergency services now.\nYour check-in earlier today showed this." in out
    assert "  - You have a new problem controlling your bladder or bowels." in out
    # a contact flag later that day does not turn the emergency into "confirm and continue"
    assert _run(tmp_path, "--pain", "9", "--reaches", "foot", *CALM) == 4
    out = capsys.readouterr().out
    assert "call emergency services now" in out and "--confirm" not in out
    assert checkins.day_status(db, "Jane Doe").level == "emergency"
    db.dispose()


def test_history_shows_the_pain_trend_and_red_flags(tmp_path, capsys):
    for pain, where in ((7, "foot"), (5, "below_knee"), (8, "thigh"), (3, "buttock")):
        _run(tmp_path, "--pain", str(pain), "--reaches", where, *CALM)
    capsys.readouterr()
    assert main(["history", "--patient", "Jane Doe", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "no sets recorded" in out and out.count("pain ") >= 4
    assert "RED FLAG CONTACT: Your pain is 8 out of 10." in out
    assert "Trend over 4 check-ins: pain 6 -> 5.5 /10; reaches foot or toes -> thigh (centralising)" in out
    assert "Red flags: 1 check-in with a red flag" in out
