"""Accounts of a clinic: the first administrator, therapists (made by an administrator) and
patient accounts (opened by the patient with a one-time invite code from their therapist,
linked to the patient record the therapist already keeps). Who may do what is checked here;
passwords are hashed by formcheck.storage.auth."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.storage import audit, repo
from formcheck.storage.access import PRESCRIBE, AccessDenied, Actor, acting
from formcheck.storage.account_models import Invite, User
from formcheck.storage.auth import actor_of, hash_password
from formcheck.storage.database import Database

_USERNAME = re.compile(r"^[\w.@+-]{3,80}$")
# No 0/O, 1/I/L: a code read out over the phone is typed right. 12 symbols of 31: 59 bits.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_SYMBOLS = 12


def normalise_username(name: str) -> str:
    """NFKC + casefold; 3-80 letters, digits or ``. @ + - _``; raises FormcheckError."""
    norm = unicodedata.normalize("NFKC", name).strip().casefold()
    if not _USERNAME.match(norm):
        raise FormcheckError("a username has 3-80 letters, digits or . @ + - _ (no spaces)")
    return norm


def _display(name: str, fallback: str) -> str:
    shown = " ".join("".join(c for c in name if c.isprintable()).split())
    if len(shown) > 80:
        raise FormcheckError("a display name can have at most 80 characters")
    return shown or fallback


def _add_user(db: Database, username: str, password: str, role: str, display_name: str = "",
              patient_id: int | None = None) -> Actor:
    name = normalise_username(username)
    u = User(username=name, display_name=_display(display_name, name), role=role,
             password_hash=hash_password(password), patient_id=patient_id, created_at=datetime.now(UTC),
             failed_logins=0, disabled=False)
    with db.session() as s:
        s.add(u)
        try:
            s.commit()
        except IntegrityError:
            raise FormcheckError(f"the username {name!r} is taken: choose another") from None
    db._accounts = True
    return actor_of(u)


def create_admin(db: Database, username: str, password: str, display_name: str = "",
                 actor: Actor | None = None) -> Actor:
    """The first administrator may be made by anyone with the server's database (that is how
    a clinic is set up); later ones only by an administrator."""
    with db.session() as s:
        admins = s.scalar(select(func.count(User.id)).where(User.role == "admin")) or 0
    if admins and (actor is None or actor.role != "admin"):
        raise AccessDenied("not for your account: only an administrator can add an administrator")
    return _add_user(db, username, password, "admin", display_name)


def create_therapist(db: Database, actor: Actor, username: str, password: str, display_name: str = "") -> Actor:
    if actor.role != "admin":
        raise AccessDenied("not for your account: only an administrator can add a therapist")
    return _add_user(db, username, password, "therapist", display_name)


def invite_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_SYMBOLS))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_SYMBOLS, 4))


def _code_digest(code: str) -> str:
    clean = "".join(c for c in code.upper() if c.isalnum())[:64]
    return hashlib.sha256(clean.encode()).hexdigest()


def create_invite(db: Database, patient: str, *, actor: Actor | None = None) -> str:
    """A one-time code (valid config.INVITE_VALID_S) for the patient to open their account;
    a therapist's new patient is created and becomes theirs. Only the code's hash is kept."""
    who = acting(db, actor)
    if who.role != "therapist":
        raise AccessDenied("not for your account: invites are made by the patient's therapist")
    pid = repo.ensure_patient(db, patient, actor=who, action=PRESCRIBE)
    code, at = invite_code(), datetime.now(UTC)
    with db.session() as s:
        if s.scalar(select(User.id).where(User.patient_id == pid)) is not None:
            raise FormcheckError(f"{patient} already has an account")
        s.add(Invite(code_hash=_code_digest(code), patient_id=pid, created_by=who.user_id, created_at=at,
                     expires_at=at + timedelta(seconds=config.INVITE_VALID_S)))
        audit.record(s, who, "invite patient", pid)
        s.commit()
    return code


BAD_CODE = "this invite code is not valid: it was used already, has expired or is mistyped"


def redeem_invite(db: Database, code: str, username: str, password: str, display_name: str = "") -> Actor:
    """Open the patient's account with the code; the code works once (even when two browsers
    send it at the same moment: the update that marks it used is the check)."""
    name = normalise_username(username)
    pw_hash = hash_password(password)
    at = datetime.now(UTC)
    with db.session() as s:
        inv = s.scalar(select(Invite).where(Invite.code_hash == _code_digest(code)))
        if inv is None:
            raise FormcheckError(BAD_CODE)
        used = s.execute(update(Invite).where(Invite.id == inv.id, Invite.used_at.is_(None),
                                              Invite.expires_at > at).values(used_at=at)
                           .execution_options(synchronize_session=False))
        if used.rowcount != 1:  # type: ignore[attr-defined]
            s.rollback()
            raise FormcheckError(BAD_CODE)
        u = User(username=name, display_name=_display(display_name, name), role="patient",
                 password_hash=pw_hash, patient_id=inv.patient_id, created_at=at, failed_logins=0,
                 disabled=False)
        s.add(u)
        try:
            s.flush()
        except IntegrityError:   # the code stays unused: nothing of this attempt is kept
            s.rollback()
            raise FormcheckError(f"the username {name!r} is taken (or this patient has an account already): "
                                 "choose another username") from None
        who = actor_of(u)
        audit.record(s, who, "open account", inv.patient_id)
        s.commit()
    return who


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    patient: str          # a patient account's patient record ("" otherwise)
    locked: bool


def accounts(db: Database, actor: Actor) -> list[Account]:
    """Every account, for an administrator."""
    if actor.role not in ("admin", "owner"):
        raise AccessDenied("not for your account: the list of accounts is for the administrator")
    from formcheck.storage.models import Patient

    at = datetime.now(UTC)
    with db.session() as s:
        rows = s.execute(select(User, Patient.name).outerjoin(Patient, Patient.id == User.patient_id)
                         .order_by(User.role, User.username)).all()
    return [Account(u.username, u.display_name, u.role, pname or "",
                    u.locked_until is not None and _utc(u.locked_until) > at) for u, pname in rows]


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)
