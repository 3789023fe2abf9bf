"""The audit log: who viewed or changed which patient's data, and when. Written by the
repository calls themselves (clinic mode only: on a database without accounts there is one
person and nobody to account to). Views are written at most once per actor, patient and
action every few minutes, since the app re-reads a page on every click."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from formcheck.storage.access import AccessDenied, Actor
from formcheck.storage.account_models import AuditEntry, CareLink, User
from formcheck.storage.database import Database
from formcheck.storage.models import Patient

VIEW_EVERY_S = 300.0
_last_view: dict[tuple[str, int | None, str, int | None], float] = {}
_lock = threading.Lock()


def record(s: Session, who: Actor, action: str, patient_id: int | None, detail: str = "",
           view: bool = False) -> None:
    """Add an entry to ``s`` (committed with the caller's transaction, or by the caller)."""
    if who.is_owner:
        return
    if view:
        key = (s.get_bind().engine.url.render_as_string(), who.user_id, action, patient_id)
        with _lock:
            if time.monotonic() - _last_view.get(key, -1e9) < VIEW_EVERY_S:
                return
            _last_view[key] = time.monotonic()
    s.add(AuditEntry(at=datetime.now(UTC), actor_id=who.user_id, actor_role=who.role, action=action,
                     patient_id=patient_id, detail=detail[:500]))


def write(db: Database, who: Actor, action: str, patient_id: int | None, detail: str = "",
          view: bool = False) -> None:
    with db.session() as s:
        record(s, who, action, patient_id, detail, view)
        s.commit()


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str           # the account's display name, or "deleted account"
    role: str
    action: str
    patient: str         # the patient's name, or "deleted patient"
    detail: str


def read(db: Database, who: Actor, patient_id: int | None = None, limit: int = 500) -> list[AuditLine]:
    """Newest first. A therapist reads the entries of their own patients; the local owner and
    an administrator read everything; a patient reads none."""
    if who.role == "patient":
        raise AccessDenied("not for your account: the audit log is for therapists")
    with db.session() as s:
        q = (select(AuditEntry, User.display_name, Patient.name)
             .outerjoin(User, User.id == AuditEntry.actor_id)
             .outerjoin(Patient, Patient.id == AuditEntry.patient_id))
        if who.role == "therapist":
            mine = select(CareLink.patient_id).where(CareLink.therapist_id == who.user_id)
            q = q.where(AuditEntry.patient_id.in_(mine))
        if patient_id is not None:
            q = q.where(AuditEntry.patient_id == patient_id)
        rows = s.execute(q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    return [AuditLine(_utc(e.at), uname or ("local owner" if e.actor_id is None else "deleted account"),
                      e.actor_role, e.action,
                      pname or ("" if e.patient_id is None else "deleted patient"), e.detail)
            for e, uname, pname in rows]


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)
