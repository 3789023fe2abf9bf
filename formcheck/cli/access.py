"""Whom a command acts as and with which thresholds: the database opened as the ``--as``
account (once per command), and the profile of ``--profile FILE`` or ``--patient NAME``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.core.errors import FormcheckError

if TYPE_CHECKING:
    from formcheck.storage import Database

PASSWORD_ENV = "FORMCHECK_PASSWORD"


def database(a: argparse.Namespace) -> Database:
    """The database, as the account of ``--as USERNAME`` when given (its password from
    $FORMCHECK_PASSWORD or a prompt); opened and logged in once per command."""
    if getattr(a, "db_", None) is not None:
        return a.db_  # type: ignore[no-any-return]
    from formcheck.storage import open_database

    db = open_database(getattr(a, "data_dir", None))
    user = getattr(a, "as_user", None)
    if user:
        import getpass

        from formcheck.storage.auth import verify

        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"password for {user}: ")
        db = db.for_actor(verify(db, user, password))
    a.db_ = db
    return db


def profile_path(a: argparse.Namespace, exercise: str) -> Path | None:
    """--profile FILE, or --patient NAME resolved in the data folder (the app's profiles;
    with --as, only a profile that account may read)."""
    from formcheck.storage.store import Store

    if a.profile:
        return Path(a.profile)
    if not a.patient:
        return None
    if getattr(a, "as_user", None):
        from formcheck.storage.profiles import store_for

        store = store_for(a.data_dir, database(a))
    else:
        store = Store(a.data_dir)
    path = store.profile_path(a.patient, Path(exercise).stem)
    if not path.is_file() and getattr(a, "save", False):
        return None   # recording a new patient's set: default thresholds until a profile is saved
    if not path.is_file():
        raise FormcheckError(f"patient {a.patient!r} has no saved {exercise} profile in {store.root}")
    return path
