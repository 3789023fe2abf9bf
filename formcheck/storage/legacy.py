"""Import the earlier folder layout once: saved sets (``sessions/<patient-key>/*.json``) become
sets with their reps; patients with profiles (``profiles/<patient-key>/*.toml``) become
patients. Profiles themselves stay TOML files (therapists edit them). Each file is imported
once (recorded in ``imported_files``); a file that cannot be read is skipped and logged."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from formcheck.core.errors import FormcheckError
from formcheck.storage import repo
from formcheck.storage.access import LOCAL_OWNER
from formcheck.storage.database import Database
from formcheck.storage.models import ExerciseSet, Imported
from formcheck.storage.read_only import legacy_pending

log = logging.getLogger(__name__)


def import_folder(db: Database, root: Path) -> int:
    """Import what has not been imported yet from data folder ``root``; returns sets added.
    Cheap when there is nothing new (one query, no profile parsing)."""
    with db.session() as s:
        new_folders, new_files = legacy_pending(root, s.scalars(select(Imported.path)))
    if not new_folders and not new_files:
        return 0
    names = _names_by_key(root)
    db = db.for_actor(LOCAL_OWNER)   # the data folder's own files, imported by formcheck itself
    for folder in new_folders:
        repo.ensure_patient(db, names.get(folder.name, folder.name), key=folder.name)
        _mark(db, folder)
    added = 0
    for path in new_files:
        try:
            report = json.loads(path.read_text())
            _import_set(db, path.parent.name, names.get(path.parent.name, path.parent.name), report,
                        _stamp_time(path.stem))
            added += 1
        except (OSError, ValueError, KeyError, TypeError, FormcheckError) as e:
            log.warning("not imported: %s (%s)", path, e)
            continue
        _mark(db, path)
    return added


def _names_by_key(root: Path) -> dict[str, str]:
    from formcheck.rules.profile import load_profile  # pydantic: only when there is something to import

    names: dict[str, str] = {}
    for p in sorted((root / "profiles").glob("*/*.toml")):
        try:
            names[p.parent.name] = load_profile(p).patient or p.parent.name
        except FormcheckError:
            names.setdefault(p.parent.name, p.parent.name)
    return names


def _import_set(db: Database, key: str, name: str, report: dict[str, Any], started: datetime) -> None:
    # imported here, not at the top: the report module brings the engine, and every command
    # that opens the database imports this module (formcheck history: +0.28 s)
    from formcheck.engine.report import profile_version_from_json, rep_from_json

    pid = repo.ensure_patient(db, name, key=key)
    with db.session() as s:
        row = ExerciseSet(patient_id=pid, exercise=str(report["exercise"]), source="import", started_at=started,
                          definition_version=str(report.get("definition_version", "")),
                          profile_version=profile_version_from_json(report),
                          clip=str((report.get("clip") or {}).get("path", "")), summary={})
        s.add(row)
        s.commit()
        set_id = row.id
    for r in report.get("reps", []):
        repo.add_rep(db, set_id, rep_from_json(r))
    repo.finish_set(db, set_id, dict(report.get("summary", {})), started)


def _stamp_time(stem: str) -> datetime:
    try:
        return datetime.strptime(stem.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return repo.now()


def _mark(db: Database, path: Path) -> None:
    with db.session() as s:
        s.add(Imported(path=str(path.resolve()), imported_at=repo.now()))
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
