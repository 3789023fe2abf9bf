"""The red-flag rules over multi-week sequences of check-ins (property tests): a patient whose
pain only falls never gets a rising-pain flag, pain that keeps rising always does, stable
numbness or weakness is never "new or worse", and an emergency is never lifted the same day
(not by a later calm check-in, nor by confirming a contact flag)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.rules.red_flags import evaluate, load_rules
from formcheck.rules.symptoms import CHANGES, REGIONS, Checkin
from formcheck.storage import checkins, open_database

RULES = load_rules(config.RED_FLAGS_FILE)
RISING = next(r for r in RULES.rule if r.kind == "pain_rising")
EMERGENCY_FIELDS = ("bladder_bowel", "saddle_numbness")


def _checkin(pain: int, reach: int, numbness: str = "no", weakness: str = "no", bladder: bool = False,
             saddle: bool = False, moment: str = "before") -> Checkin:
    where = "none" if pain == 0 else REGIONS[max(1, reach)]
    return Checkin(pain, where, numbness, weakness, bladder, saddle, moment)


@st.composite
def answers(draw: st.DrawFn, pain: st.SearchStrategy[int] | None = None, emergency: bool = True) -> Checkin:
    p = draw(pain if pain is not None else st.integers(0, 10))
    flag = st.integers(0, 4).map(lambda x: x == 0) if emergency else st.just(False)   # 1 in 5 each
    return _checkin(p, draw(st.integers(1, 5)), draw(st.sampled_from(CHANGES)), draw(st.sampled_from(CHANGES)),
                    draw(flag), draw(flag), draw(st.sampled_from(("before", "after"))))


def _fired_over(seq: list[Checkin]) -> list[set[str]]:
    """The rules each check-in fires, judged against the ones before it (as record() does)."""
    return [{f.rule for f in evaluate(c, seq[:i], RULES)} for i, c in enumerate(seq)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=42), st.data())
def test_pain_that_only_falls_never_flags_rising(pains, data):
    """Six weeks of daily check-ins whose pain never goes up: no rising-pain flag, whatever
    else is answered."""
    seq = [data.draw(answers(st.just(p))) for p in sorted(pains, reverse=True)]
    assert all("pain_rising" not in fired for fired in _fired_over(seq))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10), max_size=20), st.lists(st.integers(1, 3), min_size=RISING.checkins or 1,
                                                           max_size=RISING.checkins or 1), st.integers(0, 5))
def test_pain_that_keeps_rising_always_flags(before, steps, start):
    """Whatever came before, pain up at each of the last N check-ins by min_rise or more in all
    flags at the last one (and pain that does not rise at the last one does not)."""
    rise = list(itertools.accumulate(steps, initial=start))
    if rise[-1] > 10 or rise[-1] - rise[0] < RISING.min_rise:
        return
    seq = [_checkin(p, 3) for p in [*before, *rise]]
    assert "pain_rising" in _fired_over(seq)[-1]
    flat = [*seq, _checkin(rise[-1], 3)]
    assert "pain_rising" not in _fired_over(flat)[-1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(("no", "same")), min_size=1, max_size=42))
def test_numbness_is_new_or_worse_exactly_when_it_appears_or_is_answered_worse(answered):
    """Daily check-ins answering numbness no / same (no worse than last time): flagged exactly
    where it was "no" the time before; never when it stays as it was or goes away."""
    seq = [_checkin(3, 2, numbness=a) for a in answered]
    fired = _fired_over(seq)
    for i, a in enumerate(answered):
        new = a == "same" and i > 0 and answered[i - 1] == "no"
        assert ("numbness_new_or_worse" in fired[i]) == new, (answered, i)
    worse = [*seq, _checkin(3, 2, numbness="worse"), _checkin(3, 2, weakness="worse")]
    assert {"numbness_new_or_worse"} <= _fired_over(worse)[-2] and "weakness_new_or_worse" in _fired_over(worse)[-1]


@pytest.fixture(scope="module")
def db(tmp_path_factory):  # type: ignore[no-untyped-def]
    d = open_database(tmp_path_factory.mktemp("sequences"))
    yield d
    d.dispose()


_patients = itertools.count()
START = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)   # a Monday, six weeks of check-ins from here


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.integers(0, 41), st.lists(st.tuples(st.integers(0, 15 * 60), answers()),
                                                     min_size=1, max_size=4), min_size=1, max_size=8))
def test_an_emergency_is_never_lifted_the_same_day(db, days):
    """Days over six weeks with one to four check-ins each at random times, stored in the
    database: once a day has an emergency, every later check-in that day, and confirming any
    contact flag, leaves the day at "emergency" (no exercise); a day without one never is."""
    patient = f"Patient {next(_patients)}"
    schedule = sorted(((day, minute, c) for day, cs in days.items() for minute, c in cs), key=lambda s: s[:2])
    emergency_days = set()
    for day, minute, c in schedule:
        when = START + timedelta(days=day, minutes=minute)
        stored = checkins.record(db, patient, c, RULES, taken_at=when)
        assert (stored.level == "emergency") == any(getattr(c, f) for f in EMERGENCY_FIELDS)
        if stored.level == "emergency":
            emergency_days.add(stored.day)
            with pytest.raises(FormcheckError, match="cannot be confirmed"):
                checkins.confirm(db, stored.id)
        elif stored.level == "contact":
            checkins.confirm(db, stored.id, at=when)
        status = checkins.day_status(db, patient, stored.day)
        assert (status.level == "emergency") == (stored.day in emergency_days), (schedule, stored)
        if stored.day in emergency_days:
            assert not status.may_exercise
