"""Opening the database: the URL, SQLite settings, and the schema version check.

At start the schema is brought to this formcheck's version: a new or older database is
migrated (Alembic, under a lock so two processes starting at once do not race), a database
written by a newer formcheck is refused with a clear message, never modified.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from formcheck.storage.access import Actor
from formcheck.storage.location import DB_FILE, HEAD, URL_ENV, DatabaseError, database_url, sqlite_path

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK_ID = 7_104_221   # any constant: serialises formcheck's migrations on one server
# HEAD, DatabaseError and database_url live in storage.location (no SQLAlchemy there)
__all__ = ["DB_FILE", "HEAD", "URL_ENV", "Database", "DatabaseError", "database_url", "head_revision"]


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """Alembic's head of migrations/versions (HEAD is its cached copy)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return str(head)


class Database:
    """One engine and its session factory; ``migrate=False`` only for tests of old layouts."""

    def __init__(self, url: str | None = None, data_dir: str | os.PathLike[str] | None = None,
                 migrate: bool = True) -> None:
        self.url = url or database_url(data_dir)
        self.is_sqlite = self.url.startswith("sqlite")
        self.engine = self._engine()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.actor: Actor | None = None   # the acting user of a handle bound by for_actor()
        self._accounts = False            # once a database has accounts it keeps them
        if migrate:
            self.migrate()
            self._daily_backup()

    def _file(self) -> Path | None:
        return sqlite_path(self.url)

    def _daily_backup(self) -> None:
        path = self._file()
        if path is not None:
            from formcheck.storage.backup import daily

            daily(path)

    def _engine(self) -> Engine:
        kw: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            path = self.url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kw["connect_args"] = {"timeout": 30}
        else:
            kw["pool_pre_ping"] = True   # a restarted server: reconnect instead of failing
        try:
            engine = create_engine(self.url, **kw)
        except (SQLAlchemyError, ImportError, ValueError) as e:
            raise DatabaseError(f"cannot use database {self._shown()}: {e}") from None
        if self.is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def _shown(self) -> str:
        """The URL without a password, for messages."""
        return self.url.split("@")[-1] if "@" in self.url else self.url

    def migrate(self) -> None:
        """Bring the schema to this version (a SQLite file is backed up first); refuse a newer one."""
        stored = self._stored_revision()
        if stored == HEAD:
            return
        path = self._file()
        if stored is not None and path is not None:
            from formcheck.storage.backup import backup

            backup(path, f"before-{HEAD}")
        from alembic import command
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        head = head_revision()
        known = {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
        try:
            with self._migration_lock(), self.engine.begin() as conn:
                if not self.is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_ID})
                current = MigrationContext.configure(conn).get_current_revision()
                if current is not None and current not in known:
                    raise DatabaseError(
                        f"the database {self._shown()} has schema version {current}, newer than this "
                        f"formcheck knows ({head}): upgrade formcheck; the database was not changed")
                if current != head:
                    log.info("migrating %s from %s to %s", self._shown(), current or "empty", head)
                    cfg = _alembic_config()
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except DatabaseError:
            raise
        except SQLAlchemyError as e:
            hint = ""
            if path is not None and path.is_file():
                from formcheck.storage.backup import damaged_hint

                hint = f"; {damaged_hint(path)}"
            raise DatabaseError(f"cannot open database {self._shown()}: {e.__class__.__name__}: "
                                f"{str(e).splitlines()[0]}{hint}") from None

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        """SQLite: an exclusive file lock beside the database while migrating (PostgreSQL uses
        an advisory lock inside the migration's transaction)."""
        path = self.url.split("///", 1)[-1] if self.is_sqlite else ""
        if not path or path == ":memory:":
            yield
            return
        with open(path + ".migrate-lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _stored_revision(self) -> str | None:
        """The schema version recorded in the database (None: empty, or unreadable now)."""
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None   # the full check below reports the real problem

    def for_actor(self, actor: Actor) -> Database:
        """The same engine, with every repository call made as ``actor`` unless it names one."""
        bound = copy.copy(self)
        bound.actor = actor
        return bound

    def has_accounts(self) -> bool:
        """Clinic mode: the database has user accounts, so every call needs an acting user."""
        if not self._accounts:
            try:
                with self.engine.connect() as conn:
                    self._accounts = conn.execute(text("SELECT 1 FROM users LIMIT 1")).first() is not None
            except SQLAlchemyError as e:   # fail closed: never fall back to the local owner
                raise DatabaseError(f"cannot read the accounts of {self._shown()}: "
                                    f"{str(e).splitlines()[0]}") from None
        return self._accounts

    def session(self) -> Session:
        return self.sessions()

    def revision(self) -> str | None:
        return self._stored_revision()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL: readers never block the writer and a killed process loses no committed
    # transaction; NORMAL sync keeps a commit in ~1 ms (only a power cut may lose the last
    # ones). Foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
