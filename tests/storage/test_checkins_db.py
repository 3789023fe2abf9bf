"""Check-ins stored in SQLite and a real PostgreSQL server: read back in order with their red
flags, linked to the day's sets, the day's decision, and the confirmation of the contact path."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from test_db import url  # noqa: F401  (the database fixture)

from formcheck.core.errors import FormcheckError
from formcheck.rules.symptoms import Checkin
from formcheck.storage import Database, checkins, repo
from formcheck.storage.database import HEAD

CONTACT = {"rule": "pain_severe", "level": "contact", "message": "Contact your doctor", "reason": "pain 8"}
EMERGENCY = {"rule": "bladder_bowel", "level": "emergency", "message": "Call now", "reason": "bladder"}


def test_stored_and_read_back_with_flags(url):  # noqa: F811
    db = Database(url)
    t0 = datetime(2026, 11, 20, 9, tzinfo=UTC)
    a = checkins.save(db, "Jane Doe", Checkin(6, "below_knee", "same", "no"), taken_at=t0)
    b = checkins.save(db, "jane doe", Checkin(8, "foot", "worse", moment="after"), [CONTACT], "1.0",
                      taken_at=t0 + timedelta(hours=1))
    got = checkins.checkins(db, "Jane Doe")
    assert [x.id for x in got] == [a.id, b.id]
    assert got[0].checkin == Checkin(6, "below_knee", "same", "no", taken_at=t0) and got[0].level == "none"
    assert got[1].level == "contact" and got[1].flags == [CONTACT] and got[1].checkin.moment == "after"
    assert checkins.checkins(db, "Jane Doe", since=t0 + timedelta(minutes=1))[0].id == b.id
    assert checkins.checkins(db, "Nobody") == []
    db.dispose()


def test_linked_to_the_days_sets(url):  # noqa: F811
    db = Database(url)
    day = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    sid = repo.start_set(db, "Ann", "bridge", "live", "1.1", started_at=day.astimezone(UTC))
    repo.start_set(db, "Ann", "bridge", "live", "1.1", started_at=(day - timedelta(days=1)).astimezone(UTC))
    c = checkins.save(db, "Ann", Checkin(3, "thigh"), taken_at=(day - timedelta(hours=1)).astimezone(UTC))
    assert c.day == day.date()
    assert [x.id for x in checkins.day_sets(db, "Ann", c.day)] == [sid]
    db.dispose()


def test_the_days_decision(url):  # noqa: F811
    db = Database(url)
    # a day's noon (local time), not "now": minutes before now may be yesterday just after midnight
    day = date.today() - timedelta(days=1)
    now = datetime.combine(day, time(12)).astimezone()
    assert not checkins.day_status(db, "Bo", day).checked_in            # no check-in yet: ask first
    c = checkins.save(db, "Bo", Checkin(8, "foot"), [CONTACT], taken_at=now - timedelta(minutes=5))
    st = checkins.day_status(db, "Bo", day)
    assert st.level == "contact" and not st.may_exercise
    checkins.confirm(db, c.id)
    assert checkins.day_status(db, "Bo", day).may_exercise               # confirmed: may go on
    e = checkins.save(db, "Bo", Checkin(4, "thigh", bladder_bowel=True), [EMERGENCY],
                      taken_at=now - timedelta(minutes=3))
    checkins.save(db, "Bo", Checkin(2, "back"), taken_at=now - timedelta(minutes=1))
    st = checkins.day_status(db, "Bo", day)
    assert st.level == "emergency" and st.checkin is not None and st.checkin.id == e.id   # holds all day
    with pytest.raises(FormcheckError, match="cannot be confirmed"):
        checkins.confirm(db, e.id)
    with pytest.raises(FormcheckError, match="no check-in 999"):
        checkins.confirm(db, 999)
    db.dispose()


def test_a_database_of_revision_0001_is_migrated_and_keeps_its_data(url):  # noqa: F811
    from alembic import command

    from formcheck.storage.database import _alembic_config

    old = Database(url, migrate=False)
    with old.engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    # a set written as revision 0001's code wrote it (the repository of today needs the accounts)
    from formcheck.core.patients import patient_key
    from formcheck.storage.models import ExerciseSet, Patient

    with old.session() as s:
        p = Patient(key=patient_key("Old Patient"), name="Old Patient", created_at=repo.now())
        s.add(p)
        s.flush()
        x = ExerciseSet(patient_id=p.id, exercise="bridge", source="live", started_at=repo.now(),
                        definition_version="1.1")
        s.add(x)
        s.commit()
        sid = x.id
    old.dispose()
    db = Database(url)   # opening migrates to the head (0002 check-ins, then 0003 accounts)
    assert db.revision() == HEAD
    assert [x.id for x in repo.history(db, "Old Patient")] == [sid]
    assert checkins.save(db, "Old Patient", Checkin(2, "back")).level == "none"
    db.dispose()
