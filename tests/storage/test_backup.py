"""Backups: taken and restored gives the same history, the last 7 kept, one before each
migration, a damaged database refused with the way to restore; PostgreSQL via pg_dump and
pg_restore on the suite's real server."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time

import pytest
from dbserver import fresh_database_url, pg_bin

from formcheck.cli.main import main
from formcheck.core import config
from formcheck.engine.reps import Rep
from formcheck.storage import Database, DatabaseError, open_database, repo
from formcheck.storage.backup import backup, backups


def _set(db: Database, patient: str, reps: int) -> None:
    sid = repo.start_set(db, patient, "bridge", "live", "1.1")
    for i in range(1, reps + 1):
        repo.add_rep(db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 300, i * 1000.0 + 600, 0.0, []))
    repo.finish_set(db, sid, {"faults": {}})


def test_backup_and_restore_give_the_same_history(tmp_path, capsys):
    db = open_database(tmp_path)
    _set(db, "Jane Doe", 3)
    before = repo.history(db, "Jane Doe")
    db.dispose()
    assert main(["backup", "--data-dir", str(tmp_path)]) == 0
    file = capsys.readouterr().out.split("backed up to ")[1].strip()
    db = open_database(tmp_path)
    _set(db, "Jane Doe", 5)                       # written after the backup
    assert len(repo.history(db, "Jane Doe")) == 2
    db.dispose()
    assert main(["restore", file, "--data-dir", str(tmp_path)]) == 0
    assert "kept in" in capsys.readouterr().out
    db = open_database(tmp_path)
    assert repo.history(db, "Jane Doe") == before
    db.dispose()


def test_the_last_seven_are_kept(tmp_path):
    db = open_database(tmp_path)
    _set(db, "Jane Doe", 1)
    path = tmp_path / "formcheck.db"
    made = [backup(path, "manual") for _ in range(config.BACKUPS_KEPT + 2)]
    assert backups(path)[: config.BACKUPS_KEPT] == sorted(made, reverse=True)[: config.BACKUPS_KEPT]
    assert len(backups(path)) == config.BACKUPS_KEPT
    db.dispose()


def test_opening_backs_up_daily_and_before_a_migration(tmp_path):
    from alembic import command

    from formcheck.storage.database import _alembic_config

    url = f"sqlite:///{tmp_path / 'formcheck.db'}"
    old = Database(url, migrate=False)
    with old.engine.begin() as conn:          # a database of the first schema version
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    old.dispose()
    Database(url).dispose()
    (pre,) = backups(tmp_path / "formcheck.db")   # the 0001 database, taken before migrating
    assert "before-" in pre.name
    conn = sqlite3.connect(pre)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    conn.close()
    Database(url).dispose()
    assert backups(tmp_path / "formcheck.db") == [pre]    # it counts as the day's backup
    day_ago = time.time() - config.BACKUP_EVERY_S - 60
    os.utime(pre, (day_ago, day_ago))
    Database(url).dispose()
    (daily, _) = backups(tmp_path / "formcheck.db")
    assert "daily" in daily.name


def test_a_damaged_database_is_refused_with_the_way_to_restore(tmp_path, capsys):
    db = open_database(tmp_path)
    _set(db, "Jane Doe", 2)
    before = repo.history(db, "Jane Doe")
    db.dispose()
    assert main(["backup", "--data-dir", str(tmp_path)]) == 0
    latest = capsys.readouterr().out.split("backed up to ")[1].strip()
    for side in ("-wal", "-shm"):
        (tmp_path / f"formcheck.db{side}").unlink(missing_ok=True)
    (tmp_path / "formcheck.db").write_bytes(b"this is not a database" * 500)
    with pytest.raises(DatabaseError, match=f"formcheck restore {latest}"):
        Database(f"sqlite:///{tmp_path / 'formcheck.db'}")
    assert main(["history", "--patient", "Jane Doe", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"formcheck restore {latest}" in err
    assert main(["restore", str(tmp_path / "formcheck.db"), "--data-dir", str(tmp_path)]) == 2
    assert "not a formcheck database" in capsys.readouterr().err   # a bad file is never restored
    assert main(["restore", latest, "--data-dir", str(tmp_path)]) == 0
    db = open_database(tmp_path)
    assert repo.history(db, "Jane Doe") == before
    db.dispose()
    assert list((tmp_path / "backups").glob("damaged-*.db"))     # the damaged file is kept aside


def test_postgresql_pg_dump_and_pg_restore(pg_url, tmp_path, capsys):
    """What the README says for PostgreSQL, done on the suite's server."""
    src_url = fresh_database_url("postgresql", tmp_path, pg_url)
    db = Database(src_url)
    _set(db, "Jane Doe", 4)
    before = repo.history(db, "Jane Doe")
    db.dispose()
    bin_dir = pg_bin()
    assert bin_dir is not None
    plain = src_url.replace("postgresql+psycopg", "postgresql")
    dump = tmp_path / "formcheck.dump"
    subprocess.run([str(bin_dir / "pg_dump"), "-Fc", "-f", str(dump), plain], check=True, timeout=120)
    dst_url = fresh_database_url("postgresql", tmp_path, pg_url)
    subprocess.run([str(bin_dir / "pg_restore"), "--no-owner", "-d", dst_url.replace("postgresql+psycopg",
                    "postgresql"), str(dump)], check=True, timeout=120)
    db = Database(dst_url)
    assert repo.history(db, "Jane Doe") == before
    db.dispose()
    os.environ["FORMCHECK_DATABASE_URL"] = dst_url
    try:
        assert main(["backup"]) == 2          # formcheck backup says what to use instead
        assert "pg_dump" in capsys.readouterr().err
    finally:
        del os.environ["FORMCHECK_DATABASE_URL"]
