"""What the app and the CLI do with the database: patients, sets written as they happen (each
rep committed on its own) and history (programmes and adherence: programmes.py). Plain dataclasses come out, so
callers never hold a database session.

Every call reading or changing a patient's data acts as a user (``actor=``, else the one the
``db`` handle is bound to, see ``Database.for_actor``): another patient's data is refused with
``AccessDenied`` (formcheck.storage.access), and in clinic mode the call is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from formcheck.core.errors import FormcheckError
from formcheck.core.patients import patient_key
from formcheck.engine.reps import Rep
from formcheck.storage import audit
from formcheck.storage.access import READ, RECORD, AccessDenied, Action, Actor, acting, require
from formcheck.storage.account_models import CareLink
from formcheck.storage.database import Database
from formcheck.storage.models import ExerciseSet, Patient, RepRow
from formcheck.storage.records import RepTexts, SetRecord, set_records

if TYPE_CHECKING:
    from formcheck.engine.session import SessionResult

SOURCES = ("live", "clip", "import", "monitor")


def now() -> datetime:
    return datetime.now(UTC)


def ensure_patient(db: Database, name: str = "", key: str | None = None, *, actor: Actor | None = None,
                   action: Action = RECORD) -> int:
    """The patient's id, creating the patient on first use. Names are matched by their key
    (case and spacing do not make a new patient); ``key`` alone finds a patient known only by
    an earlier folder name (the import), and ``name`` is then what is shown. A therapist's new
    patient is theirs; a patient account cannot create patients."""
    who = acting(db, actor)
    key = key or patient_key(name)
    with db.session() as s:
        found = s.scalar(select(Patient.id).where(Patient.key == key))
        if found is not None:
            require(s, who, int(found), action)
            return int(found)
        if who.role not in ("owner", "therapist"):
            raise AccessDenied("not for your account: only a therapist can add a patient")
        p = Patient(key=key, name=" ".join(name.split()) or key, created_at=now())
        s.add(p)
        try:
            s.flush()
            if who.role == "therapist":
                s.add(CareLink(patient_id=p.id, therapist_id=who.user_id))
            audit.record(s, who, "create patient", p.id)
            s.commit()
        except IntegrityError:   # another process created them a moment ago
            s.rollback()
            return ensure_patient(db, name, key, actor=who, action=action)
        return p.id


def patient_id(db: Database, patient: str, action: Action = READ, *, actor: Actor | None = None) -> int | None:
    """The id of a patient the actor may ``action``; None only for the local owner asking
    about a patient not in the database (anyone else is refused, known or not)."""
    who = acting(db, actor)
    with db.session() as s:
        found = s.scalar(select(Patient.id).where(Patient.key == patient_key(patient)))
        require(s, who, found, action)
        return None if found is None else int(found)


def patients(db: Database, *, actor: Actor | None = None) -> list[str]:
    """The names of the patients the actor may see."""
    who = acting(db, actor)
    q = select(Patient.name).order_by(Patient.name)
    if who.role == "therapist":
        q = q.join(CareLink, CareLink.patient_id == Patient.id).where(CareLink.therapist_id == who.user_id)
    elif who.role == "patient":
        q = q.where(Patient.id == who.patient_id)
    elif who.role == "admin":
        return []
    with db.session() as s:
        return list(s.scalars(q))


def start_set(db: Database, patient: str, exercise: str, source: str, definition_version: str,
              profile_version: int | None = None, clip: str = "", started_at: datetime | None = None,
              *, actor: Actor | None = None) -> int:
    """Open a set (committed at once, so even a set with no finished rep is on record)."""
    if source not in SOURCES:
        raise FormcheckError(f"set source must be one of {SOURCES}, got {source!r}")
    who = acting(db, actor)
    pid = ensure_patient(db, patient, actor=who)
    with db.session() as s:
        row = ExerciseSet(patient_id=pid, exercise=exercise, source=source, started_at=started_at or now(),
                          definition_version=definition_version, profile_version=profile_version, clip=clip,
                          summary={})
        s.add(row)
        s.flush()
        audit.record(s, who, "record set", pid, f"set {row.id}: {exercise} ({source})")
        s.commit()
        return row.id


def _own_set(s: Session, who: Actor, set_id: int) -> ExerciseSet | None:
    """The set, if the actor may write to it (a set of another patient is refused)."""
    row = s.get(ExerciseSet, set_id)
    if not who.is_owner:
        require(s, who, row.patient_id if row else None, RECORD)
    return row


def add_rep(db: Database, set_id: int, rep: Rep, *, actor: Actor | None = None) -> None:
    """Write one finished rep in its own transaction (a crash loses at most the rep in progress).
    Writing the same rep again updates it (the live page may re-send a rep it already wrote)."""
    who = acting(db, actor)
    with db.session() as s:
        if not who.is_owner:
            _own_set(s, who, set_id)
        row = s.scalar(select(RepRow).where(RepRow.set_id == set_id, RepRow.index == rep.index))
        if row is None:
            row = RepRow(set_id=set_id, index=rep.index)
            s.add(row)
        row.side, row.start_ms, row.top_ms, row.end_ms = rep.side, rep.start_ms, rep.top_ms, rep.end_ms
        row.hold_ms, row.faults, row.key_angles = rep.hold_ms, list(rep.faults), dict(rep.key_angles)
        s.commit()


def finish_set(db: Database, set_id: int, summary: dict[str, Any], ended_at: datetime | None = None,
               *, actor: Actor | None = None) -> None:
    who = acting(db, actor)
    with db.session() as s:
        row = _own_set(s, who, set_id)
        if row is None:
            raise FormcheckError(f"no set {set_id} in the database")
        row.summary, row.ended_at = summary, ended_at or now()
        s.commit()


def record_result(db: Database, patient: str, r: SessionResult, source: str = "clip",
                  started_at: datetime | None = None, *, actor: Actor | None = None) -> int:
    """A whole analysed clip as one set with its reps and summary; returns the set id."""
    from formcheck.engine.report import summary_json

    who = acting(db, actor)
    set_id = start_set(db, patient, r.definition.id, source, r.definition.version,
                       r.profile.version if r.profile else None, r.info.path, started_at, actor=who)
    for rep in r.reps:
        add_rep(db, set_id, rep, actor=who)
    finish_set(db, set_id, summary_json(r.summary), actor=who)
    return set_id


def history(db: Database, patient: str, exercise: str | None = None,
            since: datetime | None = None, *, actor: Actor | None = None) -> list[SetRecord]:
    """The patient's sets, oldest first (one query for the sets, one for their reps)."""
    who = acting(db, actor)
    pid = patient_id(db, patient, READ, actor=who)
    if pid is None:
        return []
    with db.session() as s:
        audit.record(s, who, "view sets", pid, view=True)
        s.commit()
        # plain columns, not ORM objects, and the JSON columns as their text (records.set_records)
        q = select(ExerciseSet.id, ExerciseSet.started_at, ExerciseSet.exercise, ExerciseSet.source,
                   cast(ExerciseSet.summary, Text)).where(ExerciseSet.patient_id == pid)
        if exercise:
            q = q.where(ExerciseSet.exercise == exercise)
        if since is not None:
            q = q.where(ExerciseSet.started_at >= since)
        sets = s.execute(q.order_by(ExerciseSet.started_at, ExerciseSet.id)).tuples().all()
        reps: list[RepTexts] = []
        if sets:
            cols = select(RepRow.set_id, RepRow.hold_ms, cast(RepRow.faults, Text), cast(RepRow.key_angles, Text))
            ids = [x[0] for x in sets]
            reps = list(s.execute(cols.where(RepRow.set_id.in_(ids)).order_by(RepRow.set_id, RepRow.index)).tuples())
    return set_records(sets, reps)


def set_count(db: Database, *, actor: Actor | None = None) -> int:
    """Sets of every patient (the local owner's and an administrator's figure)."""
    if acting(db, actor).role not in ("owner", "admin"):
        raise AccessDenied("not for your account: counts over every patient are for the administrator")
    with db.session() as s:
        return int(s.scalar(select(func.count(ExerciseSet.id))) or 0)
