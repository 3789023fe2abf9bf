"""The quick read of ``formcheck history`` in a new process: the SQLite file read with the
standard library's sqlite3, no SQLAlchemy, ORM models or Alembic (their imports were ~90% of
the command's 0.65 s of CPU).

Only where reading is all there is to do: a SQLite file that exists, already at this
formcheck's schema (HEAD), without accounts (the local owner may read everything and nothing
is audited), with nothing left to import from the earlier folder layout. Anything else (an
older schema to migrate, a newer one to refuse, a clinic's accounts, PostgreSQL, a damaged
file) returns None and the caller opens the database the full way (formcheck.storage.open_database),
which migrates, refuses or explains as before: no data is skipped or lost here. The checks
and the reads are one read transaction, so a migration by another process cannot slip in
between. The daily backup is taken as an open by the full path would.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from formcheck.core import config
from formcheck.core.patients import patient_key
from formcheck.storage.location import HEAD, database_url, sqlite_path
from formcheck.storage.records import SetRecord, StoredCheckin, json_texts, set_records, stored_checkin

log = logging.getLogger(__name__)


def legacy_pending(root: Path, done: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """The earlier layout's patient folders and saved sets in data folder ``root`` that are
    not imported yet (``done``: the resolved paths already imported)."""
    done = set(done)
    folders = sorted(p for p in (root / "profiles").glob("*") if p.is_dir())
    files = sorted((root / "sessions").glob("*/*.json"))
    return ([p for p in folders if str(p.resolve()) not in done],
            [p for p in files if str(p.resolve()) not in done])


class QuickReader:
    """A patient's sets and check-ins from a SQLite file at HEAD (see the module doc), in one
    read transaction; ``with`` closes it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> QuickReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.conn.close()   # a read transaction: nothing to commit

    def patient_id(self, patient: str) -> int | None:
        row = self.conn.execute("SELECT id FROM patients WHERE key = ?", (patient_key(patient),)).fetchone()
        return None if row is None else int(row[0])

    def history(self, patient: str, exercise: str | None = None) -> list[SetRecord]:
        """As formcheck.storage.repo.history (oldest first), for the local owner."""
        pid = self.patient_id(patient)
        if pid is None:
            return []
        args: list[int | str]
        where, args = "patient_id = ?", [pid]
        if exercise:
            where, args = where + " AND exercise = ?", [*args, exercise]
        sets = [(i, _when(t), ex, src, summary) for i, t, ex, src, summary in self.conn.execute(
            f"SELECT id, started_at, exercise, source, summary FROM sets WHERE {where} "
            "ORDER BY started_at, id", args)]
        reps = self.conn.execute(
            f"SELECT set_id, hold_ms, faults, key_angles FROM reps WHERE set_id IN "
            f"(SELECT id FROM sets WHERE {where}) ORDER BY set_id, \"index\"", args).fetchall() if sets else []
        return set_records(sets, reps)

    def checkins(self, patient: str) -> list[StoredCheckin]:
        """As formcheck.storage.checkins.checkins (oldest first), for the local owner."""
        pid = self.patient_id(patient)
        if pid is None:
            return []
        rows = self.conn.execute(
            "SELECT id, pain, reaches, numbness, weakness, bladder_bowel, saddle_numbness, moment, taken_at, day, "
            "level, flags, confirmed_at FROM checkins WHERE patient_id = ? ORDER BY taken_at, id", (pid,))
        got = rows.fetchall()
        flags = json_texts([r[11] for r in got])
        return [stored_checkin(r[0], r[1:8], _when(r[8]), date.fromisoformat(r[9]), r[10], f,
                               _when(r[12]) if r[12] else None) for r, f in zip(got, flags, strict=True)]


def _when(text: str) -> datetime:
    """A DateTime column as SQLAlchemy's SQLite dialect writes it ("2026-12-01 09:16:04.123456",
    UTC, no zone)."""
    return datetime.fromisoformat(text)


def open_quick(data_dir: str | os.PathLike[str] | None = None) -> QuickReader | None:
    """A reader inside one read transaction when the quick path applies, else None (then open
    the database the full way). Close it (``with``) when done."""
    path = sqlite_path(database_url(data_dir))
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30,
                               isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")   # the checks and every read see one snapshot
        if _quick_path_applies(conn, Path(data_dir).expanduser() if data_dir else config.data_home()):
            from formcheck.storage.backup import daily

            daily(path)
            return QuickReader(conn)
    except sqlite3.Error as e:   # the full path says what is wrong
        log.debug("quick read of %s not possible: %s", path, e)
    conn.close()
    return None


def _quick_path_applies(conn: sqlite3.Connection, root: Path) -> bool:
    """At HEAD, no accounts, nothing of the earlier folder layout left to import."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"alembic_version", "users", "patients", "sets", "reps", "checkins", "imported_files"} <= tables:
        return False
    if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
        return False
    if conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None:
        return False
    if (root / "sessions").is_dir() or (root / "profiles").is_dir():
        done = (r[0] for r in conn.execute("SELECT path FROM imported_files"))
        if any(legacy_pending(root, done)):
            return False
    return True
