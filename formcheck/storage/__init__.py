"""The patient database: patients, programmes, sets and reps (SQLAlchemy 2, Alembic
migrations). SQLite in the data folder by default; ``FORMCHECK_DATABASE_URL`` points at a
shared PostgreSQL server for a clinic. Beside it, the profile files (``store``) and accounts.

The database classes load when first asked for (``from formcheck.storage import Database``),
not when a light sibling such as ``storage.store`` is imported: SQLAlchemy is ~0.3 s of CPU that
``formcheck analyze`` does not need."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formcheck.storage.database import Database, DatabaseError, database_url

_FROM_DATABASE = ("Database", "DatabaseError", "database_url")


def __getattr__(name: str) -> Any:
    if name in _FROM_DATABASE:
        from formcheck.storage import database

        return getattr(database, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_database(data_dir: str | os.PathLike[str] | None = None, url: str | None = None) -> Database:
    """Open (and migrate) the database; the first time, import the earlier folder layout's
    saved sets and patients from the data folder."""
    from formcheck.core import config
    from formcheck.storage.database import Database
    from formcheck.storage.legacy import import_folder

    db = Database(url, data_dir)
    root = Path(data_dir).expanduser() if data_dir else config.data_home()
    if (root / "sessions").is_dir() or (root / "profiles").is_dir():
        import_folder(db, root)
    return db


__all__ = ["Database", "DatabaseError", "database_url", "open_database"]
