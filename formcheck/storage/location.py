"""Where the database is (its URL, the SQLite file) and which schema this formcheck writes,
without SQLAlchemy: a read-only command (``formcheck history``) decides from these whether it
may read the file directly (formcheck.storage.read_only) before anything heavy is imported."""

from __future__ import annotations

import os
from pathlib import Path

from formcheck.core import config
from formcheck.core.errors import FormcheckError

URL_ENV = "FORMCHECK_DATABASE_URL"
DB_FILE = "formcheck.db"
# The newest migration in migrations/versions (a test checks it against Alembic's head). A
# database already at it is opened without loading Alembic at all: a quick command stays quick.
HEAD = "0004"


class DatabaseError(FormcheckError):
    """The database cannot be opened or used; the message says why and what to do."""


def database_url(data_dir: str | os.PathLike[str] | None = None) -> str:
    """``$FORMCHECK_DATABASE_URL``, else SQLite in the data folder."""
    env = os.environ.get(URL_ENV)
    if env:
        return env
    root = Path(data_dir).expanduser() if data_dir else config.data_home()
    return f"sqlite:///{root / DB_FILE}"


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None: another server, or in memory)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None
