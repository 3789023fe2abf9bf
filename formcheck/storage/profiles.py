"""A patient's tuning profiles (files in the data folder, formcheck.storage.store) behind the same
permission checks as their database rows: on a clinic server the app and the CLI use this
store, so a patient reads only their own profiles and only a therapist saves one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from formcheck.core.patients import patient_key
from formcheck.rules.profile import Profile
from formcheck.storage import audit, repo
from formcheck.storage.access import PRESCRIBE, READ, RECORD, acting
from formcheck.storage.database import Database
from formcheck.storage.store import ProfileVersion, Store


class GuardedStore(Store):
    """``Store`` whose every call acts as ``db``'s actor (see ``Database.for_actor``)."""

    def __init__(self, root: str | Path | None, db: Database) -> None:
        super().__init__(root)
        self.db = db

    def profile_path(self, patient: str, exercise: str) -> Path:
        repo.patient_id(self.db, patient, READ)
        return super().profile_path(patient, exercise)

    def patients(self) -> list[str]:
        mine = {patient_key(n) for n in repo.patients(self.db)}
        return [n for n in super().patients() if patient_key(n) in mine]

    def load(self, patient: str, exercise: str) -> Profile | None:
        prof = super().load(patient, exercise)
        if prof is not None:
            audit.write(self.db, acting(self.db, None), "view profile", repo.patient_id(self.db, patient),
                        exercise, view=True)
        return prof

    def save(self, profile: Profile, now: datetime | None = None) -> ProfileVersion:
        pid = repo.ensure_patient(self.db, profile.patient, action=PRESCRIBE)
        v = super().save(profile, now)
        audit.write(self.db, acting(self.db, None), "change profile", pid, f"{profile.exercise} v{v.version}")
        return v

    def history(self, patient: str, exercise: str) -> list[ProfileVersion]:
        return super().history(patient, exercise)   # profile_path checks the access

    def save_session(self, patient: str, exercise: str, report: dict[str, Any],
                     now: datetime | None = None) -> Path:
        repo.ensure_patient(self.db, patient, action=RECORD)
        return super().save_session(patient, exercise, report, now)


def store_for(root: str | Path | None, db: Database | None) -> Store:
    """The guarded store on a clinic database, the plain one otherwise (nothing changes at home)."""
    if db is not None and db.has_accounts():
        return GuardedStore(root, db)
    return Store(root)
