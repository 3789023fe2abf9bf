"""The symptom check-in's answers: accepted forms, and a clear message for each bad one; the
trend over weeks (pain, and where it reaches: centralising or spreading)."""

from __future__ import annotations

import pytest

from formcheck.core.errors import FormcheckError
from formcheck.rules.symptoms import Checkin, checkin, trend


@pytest.mark.parametrize(("answers", "expect"), [
    ({"pain": 4, "reaches": "thigh"}, Checkin(4, "thigh")),
    ({"pain": " 7 ", "reaches": "below the knee", "numbness": "same", "weakness": "new"},
     Checkin(7, "below_knee", "same", "worse")),
    ({"pain": 0}, Checkin(0, "none")),
    ({"pain": 0, "reaches": "none"}, Checkin(0, "none")),
    ({"pain": 10.0, "reaches": "Foot", "bladder_bowel": "yes", "saddle_numbness": "n", "moment": "after"},
     Checkin(10, "foot", bladder_bowel=True, moment="after")),
    ({"pain": "3", "reaches": "lower back", "numbness": "No", "weakness": False}, Checkin(3, "back")),
])
def test_valid_answers(answers, expect):
    assert checkin(**answers) == expect


@pytest.mark.parametrize(("answers", "message"), [
    ({"pain": 11, "reaches": "back"}, "pain must be a whole number from 0 to 10, got 11"),
    ({"pain": -1, "reaches": "back"}, "from 0 to 10, got -1"),
    ({"pain": "seven", "reaches": "back"}, "got 'seven'"),
    ({"pain": 6.5, "reaches": "back"}, "whole number"),
    ({"pain": True, "reaches": "back"}, "whole number"),
    ({"pain": 5}, "say how far down it reaches"),
    ({"pain": 5, "reaches": "none"}, "say how far down it reaches"),
    ({"pain": 0, "reaches": "thigh"}, "pain is 0 but it reaches 'thigh'"),
    ({"pain": 5, "reaches": "knee"}, "must be one of none, back, buttock, thigh, below_knee, foot, got 'knee'"),
    ({"pain": 5, "reaches": "back", "numbness": "maybe"}, "numbness must be one of no, same, worse"),
    ({"pain": 5, "reaches": "back", "bladder_bowel": "perhaps"}, "bladder bowel: answer yes or no"),
    ({"pain": 5, "reaches": "back", "moment": "during"}, "moment must be one of before, after"),
])
def test_bad_answers_say_what_is_allowed(answers, message):
    with pytest.raises(FormcheckError, match=message.replace("(", r"\(").replace(")", r"\)")):
        checkin(**answers)


@pytest.mark.parametrize(("series", "direction", "pains"), [
    ([(6, "foot"), (6, "below_knee"), (5, "thigh"), (4, "buttock"), (3, "back"), (3, "back")],
     "centralising", (6, 3)),
    ([(3, "back"), (3, "buttock"), (4, "thigh"), (5, "below_knee")], "spreading", (3, 4.5)),
    ([(5, "thigh"), (2, "thigh"), (5, "thigh")], "unchanged", (5, 5)),
    ([(4, "thigh"), (4, "foot"), (4, "thigh"), (4, "thigh"), (4, "thigh"), (4, "thigh")], "unchanged", (4, 4)),
])
def test_trend_compares_the_first_and_last_check_ins(series, direction, pains):
    t = trend([Checkin(p, r) for p, r in series])
    assert t is not None and t.direction == direction and (t.first_pain, t.last_pain) == pains


def test_no_trend_from_one_check_in():
    assert trend([Checkin(3, "back")]) is None and trend([]) is None
