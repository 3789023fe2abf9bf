"""The quick read of `formcheck history` (formcheck.storage.read_only): the same sets and
check-ins as the repository gives, and only where nothing but reading is to be done (at the
schema head, no accounts, nothing left to import, a SQLite file); anywhere else the full open
migrates, refuses or imports as before."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from formcheck.engine.reps import Rep
from formcheck.rules.symptoms import Checkin
from formcheck.storage import Database, checkins, open_database, repo
from formcheck.storage.backup import backups
from formcheck.storage.location import DB_FILE, URL_ENV
from formcheck.storage.read_only import open_quick

CONTACT = {"rule": "pain_severe", "level": "contact", "message": "Contact your doctor", "reason": "pain 8"}
T0 = datetime(2026, 11, 2, 8, 30, 15, 123456, tzinfo=UTC)


def _records(tmp_path) -> Database:  # type: ignore[no-untyped-def]
    """A patient with a bridge set (two reps, one faulty), a bird-dog set with left/right, a
    sitting set judged without reps, a desk-monitor day and two check-ins (one flagged and
    confirmed); another patient beside them."""
    db = open_database(tmp_path)
    sid = repo.start_set(db, "Ann Quick", "bridge", "clip", "1.1", started_at=T0)
    repo.add_rep(db, sid, Rep(1, None, 0.0, 900.0, 2000.0, 400.0, [], key_angles={"hip_extension_deg": 171.25}))
    repo.add_rep(db, sid, Rep(2, None, 2000.0, 2900.0, 4000.0, 1500.0, ["hips_too_low"],
                              key_angles={"hip_extension_deg": 150.0}))
    repo.finish_set(db, sid, {"faults": {"hips_too_low": 1}})
    sid = repo.start_set(db, "Ann Quick", "bird_dog", "live", "1.1", started_at=T0 + timedelta(days=1))
    repo.add_rep(db, sid, Rep(1, "left", 0.0, 900.0, 2000.0, 800.0, ["back_sag"]))
    repo.finish_set(db, sid, {"asymmetry": {"left": {"reps": 1}, "right": {"reps": 0}}})
    sid = repo.start_set(db, "Ann Quick", "sitting", "clip", "1.0", started_at=T0 + timedelta(days=2))
    repo.finish_set(db, sid, {"faults": {"slouch": 2}})
    sid = repo.start_set(db, "Ann Quick", "sitting", "monitor", "1.0", started_at=T0 + timedelta(days=3))
    repo.finish_set(db, sid, {"seated_s": 3600.0, "good_share": 0.75, "alerts": 2, "breaks_due": 1})
    repo.start_set(db, "Someone Else", "bridge", "clip", "1.1", started_at=T0)
    checkins.save(db, "Ann Quick", Checkin(3, "thigh"), taken_at=T0)
    c = checkins.save(db, "Ann Quick", Checkin(8, "foot", "worse", moment="after"), [CONTACT], "1.0",
                      taken_at=T0 + timedelta(hours=1))
    checkins.confirm(db, c.id, at=T0 + timedelta(hours=2))
    return db


def test_the_quick_read_gives_what_the_repository_gives(tmp_path):
    db = _records(tmp_path)
    quick = open_quick(tmp_path)
    assert quick is not None
    with quick:
        for ex in (None, "bridge", "sitting", "plank"):
            got, want = quick.history("ann quick", ex), repo.history(db, "Ann Quick", ex)
            assert got == want and [x.summary for x in got] == [x.summary for x in want]
        assert quick.history("Ann Quick")[0].started_at == T0   # UTC, to the microsecond
        assert quick.checkins("Ann Quick") == checkins.checkins(db, "Ann Quick")
        assert quick.checkins("Ann Quick")[1].confirmed_at == T0 + timedelta(hours=2)
        assert quick.history("Nobody") == [] and quick.checkins("Nobody") == []
    db.dispose()


def test_not_taken_where_more_than_reading_is_to_be_done(tmp_path, monkeypatch):
    assert open_quick(tmp_path) is None and not (tmp_path / DB_FILE).exists()   # no database: none made
    db = _records(tmp_path)
    with db.engine.begin() as conn:   # a schema this formcheck does not know (older or newer)
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0003'")
    assert open_quick(tmp_path) is None
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert open_quick(tmp_path) is None
    db.dispose()
    monkeypatch.setenv(URL_ENV, "postgresql://nobody@127.0.0.1:1/none")
    assert open_quick(tmp_path) is None


def test_a_clinic_database_and_a_pending_import_take_the_full_path(tmp_path):
    from formcheck.storage.accounts import create_admin

    db = _records(tmp_path)
    assert open_quick(tmp_path) is not None
    (tmp_path / "sessions" / "ann-old").mkdir(parents=True)   # a saved set of the earlier layout
    (tmp_path / "sessions" / "ann-old" / "20260101T080000000000Z.json").write_text(json.dumps(
        {"exercise": "bridge", "reps": [], "summary": {}}))
    assert open_quick(tmp_path) is None
    open_database(tmp_path).dispose()   # the full open imports it
    assert open_quick(tmp_path) is not None
    create_admin(db, "admin", "a long enough password")
    assert open_quick(tmp_path) is None   # accounts: only the full path checks who asks
    db.dispose()


def test_the_quick_read_takes_the_daily_backup(tmp_path):
    db = _records(tmp_path)
    path = tmp_path / DB_FILE
    for b in backups(path):
        b.unlink()
    quick = open_quick(tmp_path)
    assert quick is not None
    quick.__exit__(None, None, None)
    assert len(backups(path)) == 1
    db.dispose()
