"""The patient database: patients, programmes, sets and reps (SQLAlchemy 2, Alembic
migrations). SQLite in the data folder by default; ``FORMCHECK_DATABASE_URL`` points at a
shared PostgreSQL server for a clinic."""

from __future__ import annotations

import os
from pathlib import Path

from formcheck.core import config
from formcheck.storage.database import Database, DatabaseError, database_url


def open_database(data_dir: str | os.PathLike[str] | None = None, url: str | None = None) -> Database:
    """Open (and migrate) the database; the first time, import the earlier folder layout's
    saved sets and patients from the data folder."""
    from formcheck.storage.legacy import import_folder

    db = Database(url, data_dir)
    root = Path(data_dir).expanduser() if data_dir else config.data_home()
    if (root / "sessions").is_dir() or (root / "profiles").is_dir():
        import_folder(db, root)
    return db


__all__ = ["Database", "DatabaseError", "database_url", "open_database"]
