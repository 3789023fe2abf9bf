"""Backups of the SQLite database with SQLite's online backup API (safe while the app writes):
once a day when the database is opened, before each migration, and on ``formcheck backup``;
the newest config.BACKUPS_KEPT are kept in ``<data folder>/backups``. ``restore`` checks a
backup before it replaces the database, and keeps the replaced one aside. (PostgreSQL: pg_dump,
see the README.)"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.storage.location import DatabaseError, database_url, sqlite_path

log = logging.getLogger(__name__)
PREFIX = "formcheck-"


def backups_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def backups(db_path: Path) -> list[Path]:
    """Newest first."""
    return sorted(backups_dir(db_path).glob(f"{PREFIX}*.db"), reverse=True)


def backup(db_path: Path, reason: str = "") -> Path:
    """Copy the database to a new backup file (written aside, then renamed: never half a file);
    the oldest beyond config.BACKUPS_KEPT are removed."""
    folder = backups_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    out = folder / f"{PREFIX}{stamp}{'-' + reason if reason else ''}.db"
    tmp = out.with_suffix(".partial")
    _copy(db_path, tmp)
    os.replace(tmp, out)
    for old in backups(db_path)[config.BACKUPS_KEPT:]:
        old.unlink(missing_ok=True)
    log.info("backed up the database to %s", out)
    return out


def daily(db_path: Path) -> Path | None:
    """A backup if the newest is older than config.BACKUP_EVERY_S (or there is none)."""
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    done = backups(db_path)
    if done and time.time() - done[0].stat().st_mtime < config.BACKUP_EVERY_S:
        return None
    try:
        return backup(db_path, "daily")
    except (sqlite3.Error, OSError) as e:   # the app still starts; the next open tries again
        log.warning("daily backup failed: %s", e)
        return None


def damaged_hint(db_path: Path) -> str:
    """How to get the data back when the database cannot be opened."""
    found = backups(db_path)
    if not found:
        return f"no backup found in {backups_dir(db_path)}"
    return f"restore the latest backup with: formcheck restore {found[0]}"


def _check(path: Path) -> None:
    """A readable, intact formcheck database, or FormcheckError saying what is wrong."""
    if not path.is_file():
        raise FormcheckError(f"{path} does not exist")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise FormcheckError(f"{path} is not a formcheck database ({e})") from None
    if ok != "ok" or rev is None:
        raise FormcheckError(f"{path} is damaged (integrity check: {ok}); choose another backup")


def backup_now(data_dir: str | os.PathLike[str] | None = None) -> Path:
    path = sqlite_path(database_url(data_dir))
    if path is None:
        raise FormcheckError("the database is on a PostgreSQL server: back it up there with "
                             "pg_dump -Fc (see the README)")
    if not path.is_file():
        raise FormcheckError(f"no database at {path} yet: nothing to back up")
    _check(path)
    return backup(path, "manual")


def restore(file: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """Replace the database with the backup ``file``; returns where the replaced database was
    kept (None: there was none). Stop the app first: a running app keeps its open connections."""
    src_path = Path(file).expanduser()
    path = sqlite_path(database_url(data_dir))
    if path is None:
        raise FormcheckError("the database is on a PostgreSQL server: restore it there with pg_restore")
    _check(src_path)
    kept = None
    if path.exists():
        try:
            _check(path)
            kept = backup(path, "before-restore")
        except FormcheckError:   # damaged: moved aside as it is, for whoever wants to look at it
            kept = backups_dir(path) / f"damaged-{datetime.now(UTC):%Y%m%d-%H%M%S}.db"
            kept.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, kept)
            for side in ("-wal", "-shm"):
                Path(str(path) + side).unlink(missing_ok=True)
    tmp = path.with_name(path.name + ".restoring")
    _copy(src_path, tmp)
    for side in ("-wal", "-shm"):   # the old database's log must not be replayed onto the backup
        Path(str(path) + side).unlink(missing_ok=True)
    os.replace(tmp, path)
    return kept


__all__ = ["DatabaseError", "backup", "backup_now", "backups", "daily", "damaged_hint", "restore", "sqlite_path"]


def _copy(src_path: Path, dst_path: Path) -> None:
    """SQLite's online backup of ``src_path`` (opened read-only) into ``dst_path``: a consistent
    copy even while another connection writes."""
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(dst_path)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
