"""Logging in: Argon2id password hashes (argon2-cffi), lockout with back-off after repeated
failures, and server-side sessions that expire. A session token is 256 random bits handed to
the client once; the database keeps only its SHA-256, so a copy of the database logs nobody
in. Nothing here logs a password or a token.

A username with no account (or a disabled one) backs off exactly like an account, with the
same messages, so the lockout tells nobody which usernames exist; its failures are counted in
this process's memory (the last config.UNKNOWN_LOGINS_KEPT usernames tried), as no account
row exists to count them in.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.storage.access import Actor
from formcheck.storage.account_models import AuthSession, User
from formcheck.storage.database import Database

log = logging.getLogger(__name__)
WRONG = "wrong username or password"
MAX_TOKEN_CHARS = 100
# (database url, username tried) -> (failures in a row, locked until) for usernames without an account
_unknown: OrderedDict[tuple[str, str], tuple[int, datetime | None]] = OrderedDict()
_unknown_lock = threading.Lock()


class LoginFailed(FormcheckError):  # noqa: N818  (reads as what happened)
    """Wrong credentials or a locked account; the message is safe to show."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()   # Argon2id, RFC 9106's second recommended parameters


def check_password_rules(password: str) -> None:
    if len(password) < config.PASSWORD_MIN_CHARS:
        raise FormcheckError(f"the password needs at least {config.PASSWORD_MIN_CHARS} characters")
    if len(password) > config.PASSWORD_MAX_CHARS:
        raise FormcheckError(f"the password can have at most {config.PASSWORD_MAX_CHARS} characters")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both take the same time."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _verify(stored: str, password: str) -> bool:
    if len(password) > config.PASSWORD_MAX_CHARS:
        return False   # never hash an over-long input (no account has such a password)
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def now() -> datetime:
    return datetime.now(UTC)


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def lockout_s(failures: int) -> float:
    """How long the account is locked after this many consecutive failures (0: not locked)."""
    extra = failures - config.LOCKOUT_AFTER_FAILURES
    if extra < 0:
        return 0.0
    return min(config.LOCKOUT_MAX_S, config.LOCKOUT_FIRST_S * 2.0 ** min(extra, 30))


def actor_of(u: User) -> Actor:
    return Actor(u.role, u.id, u.display_name, u.patient_id)  # type: ignore[arg-type]


def _wait_message(locked_until: datetime, at: datetime) -> str:
    wait = int((_utc(locked_until) - at).total_seconds()) + 1
    return f"too many failed logins with this username: try again in {wait} s"


def _failed_message(lock: float) -> str:
    return WRONG + (f"; this username is locked for {lock:.0f} s" if lock else "")


def _fail_unknown(db: Database, name: str, password: str, at: datetime) -> LoginFailed:
    """A login with a username that has no (enabled) account: the same checks, costs and
    messages as a wrong password on an account."""
    key = (str(db.engine.url), name)
    with _unknown_lock:
        failures, until = _unknown.get(key, (0, None))
    if until is not None and until > at:
        return LoginFailed(_wait_message(until, at))
    _verify(_dummy_hash(), password)
    lock = lockout_s(failures + 1)
    with _unknown_lock:
        _unknown[key] = (failures + 1, at + timedelta(seconds=lock) if lock else None)
        _unknown.move_to_end(key)
        while len(_unknown) > config.UNKNOWN_LOGINS_KEPT:
            _unknown.popitem(last=False)
    return LoginFailed(_failed_message(lock))


def verify(db: Database, username: str, password: str, at: datetime | None = None) -> Actor:
    """The account's actor if the password is right; raises LoginFailed otherwise. Counts
    failures and locks the username as config says, whether or not it has an account."""
    from formcheck.storage.accounts import normalise_username

    at = at or now()
    try:
        name = normalise_username(username)
    except FormcheckError:
        name = ""
    with db.session() as s:
        u = s.scalar(select(User).where(User.username == name)) if name else None
        if u is None or u.disabled:
            raise _fail_unknown(db, name or username[:MAX_TOKEN_CHARS], password, at)
        if u.locked_until is not None and _utc(u.locked_until) > at:
            raise LoginFailed(_wait_message(u.locked_until, at))
        if not _verify(u.password_hash, password):
            s.execute(update(User).where(User.id == u.id).values(failed_logins=User.failed_logins + 1)
                      .execution_options(synchronize_session=False))
            s.refresh(u)
            lock = lockout_s(u.failed_logins)
            if lock:
                u.locked_until = at + timedelta(seconds=lock)
            s.commit()
            log.info("failed login for account %d (%d in a row)", u.id, u.failed_logins)
            raise LoginFailed(_failed_message(lock))
        u.failed_logins, u.locked_until = 0, None
        if _hasher().check_needs_rehash(u.password_hash):
            u.password_hash = _hasher().hash(password)
        s.commit()
        return actor_of(u)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def login(db: Database, username: str, password: str, at: datetime | None = None) -> tuple[str, Actor]:
    """Check the password and open a session: (token for the client, actor)."""
    at = at or now()
    who = verify(db, username, password, at)
    return open_session(db, who, at), who


def open_session(db: Database, who: Actor, at: datetime | None = None) -> str:
    """A new session of an account whose identity was checked (password or OIDC): its token."""
    at = at or now()
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        s.add(AuthSession(token_hash=_digest(token), user_id=who.user_id, created_at=at, last_seen_at=at,
                          expires_at=at + timedelta(seconds=config.SESSION_MAX_S)))
        s.commit()
    log.info("account %d logged in", who.user_id)
    return token


def resume(db: Database, token: str, at: datetime | None = None) -> Actor | None:
    """The actor of a live session, or None (unknown, tampered, expired or idle too long: an
    expired session is removed). Each use moves the idle limit on."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    at = at or now()
    with db.session() as s:
        row = s.scalar(select(AuthSession).where(AuthSession.token_hash == _digest(token)))
        if row is None:
            return None
        idle = at - _utc(row.last_seen_at) > timedelta(seconds=config.SESSION_IDLE_S)
        u = s.get(User, row.user_id)
        if idle or at >= _utc(row.expires_at) or u is None or u.disabled:
            s.delete(row)
            s.commit()
            return None
        row.last_seen_at = at
        s.commit()
        return actor_of(u)


def logout(db: Database, token: str) -> None:
    with db.session() as s:
        s.execute(delete(AuthSession).where(AuthSession.token_hash == _digest(token)))
        s.commit()
