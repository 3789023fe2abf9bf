"""Who is asking: the acting user of every repository call, and what each role may do with a
patient's data. Checked here, in the data layer, so a page that forgets to hide something
still cannot show another patient's data.

Roles: ``owner`` (the loopback single-user mode: one person on their own computer, may do
everything; only a database without accounts has one), ``admin`` (creates therapists; sees no
patient data), ``therapist`` (their own patients: read, record, prescribe and tune), ``patient``
(their own record: read and record sets; no prescribing or tuning).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from formcheck.core.errors import FormcheckError

if TYPE_CHECKING:
    from formcheck.storage.database import Database

Role = Literal["owner", "admin", "therapist", "patient"]
Action = Literal["read", "record", "prescribe"]
READ: Action = "read"
RECORD: Action = "record"          # write sets and reps
PRESCRIBE: Action = "prescribe"    # programmes, tuning profiles, invites, export, delete
_MAY: dict[str, frozenset[str]] = {"owner": frozenset({READ, RECORD, PRESCRIBE}),
                                   "therapist": frozenset({READ, RECORD, PRESCRIBE}),
                                   "patient": frozenset({READ, RECORD}), "admin": frozenset()}


class AccessDenied(FormcheckError):  # noqa: N818  (reads as what happened)
    """The acting user may not do this; the message says so without showing any data."""


NOT_YOURS = "not for your account: this patient's data belongs to another account"


@dataclass(frozen=True)
class Actor:
    """The acting user. ``patient_id`` is set for a patient account (their own record)."""

    role: Role
    user_id: int | None = None
    name: str = ""
    patient_id: int | None = None

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


LOCAL_OWNER = Actor("owner", name="local owner")


def acting(db: Database, actor: Actor | None) -> Actor:
    """The actor of a call: the one given, else the one the database handle is bound to; with
    neither, the local owner on a database without accounts, and a refusal on a clinic's."""
    who = actor or db.actor
    if who is not None:
        return who
    if db.has_accounts():
        raise AccessDenied("this database has accounts: log in first (in the app, or --as USERNAME "
                           "on the command line)")
    return LOCAL_OWNER


def may(s: Session, who: Actor, patient_id: int | None, action: Action) -> bool:
    """May ``who`` do ``action`` on this patient (None: a patient not in the database)?"""
    if who.is_owner:
        return True
    if action not in _MAY[who.role] or patient_id is None:
        return False
    if who.role == "patient":
        return who.patient_id == patient_id
    from formcheck.storage.account_models import CareLink

    return s.scalar(select(CareLink.patient_id).where(CareLink.patient_id == patient_id,
                                                      CareLink.therapist_id == who.user_id)) is not None


def require(s: Session, who: Actor, patient_id: int | None, action: Action) -> None:
    if not may(s, who, patient_id, action):
        if action != READ and who.role == "patient":
            raise AccessDenied("not for your account: a patient account cannot change a programme or "
                               "tuning; ask your therapist")
        raise AccessDenied(NOT_YOURS)
