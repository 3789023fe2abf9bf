"""Logging in through the clinic's OpenID Connect provider (Streamlit's ``st.login``, configured
in ``.streamlit/secrets.toml`` ``[auth]``): the provider vouches for who the person is, and an
administrator has linked that identity to a formcheck account, by the provider's subject
(issuer + ``sub``: stable, the better link) or by e-mail address (only when the provider says
the address is verified). An identity linked to nothing logs nobody in: no account is made
from a provider login. No streamlit here: the login page passes ``st.user``'s claims.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.storage.access import AccessDenied, Actor
from formcheck.storage.account_models import OidcLink, User
from formcheck.storage.accounts import normalise_username
from formcheck.storage.auth import LoginFailed, actor_of, open_session
from formcheck.storage.database import Database

NOT_LINKED = ("this identity provider login is not linked to a formcheck account: ask the clinic "
              "administrator to link it (formcheck users link-oidc)")
STALE = "your identity provider login has ended: log in again"
MAX_CLAIM_CHARS = 255


def _email(address: str) -> str:
    norm = unicodedata.normalize("NFKC", address).strip().casefold()
    if "@" not in norm or len(norm) > MAX_CLAIM_CHARS or any(c.isspace() for c in norm):
        raise FormcheckError(f"{address[:80]!r} is not an e-mail address")
    return norm


def _subject(issuer: str, subject: str) -> str:
    issuer, subject = issuer.strip(), subject.strip()
    if not issuer or not subject or len(issuer) > MAX_CLAIM_CHARS or len(subject) > MAX_CLAIM_CHARS:
        raise FormcheckError("a subject link needs the provider's issuer URL and the subject (sub claim)")
    return f"{issuer} {subject}"


def link(db: Database, actor: Actor, username: str, *, email: str = "", issuer: str = "",
         subject: str = "") -> str:
    """Link an identity (an e-mail address, or issuer + subject) to the account ``username``;
    only an administrator may. Returns what was linked, for the confirmation."""
    if actor.role != "admin":
        raise AccessDenied("not for your account: only an administrator links identity provider logins")
    if bool(email) == bool(subject or issuer):
        raise FormcheckError("link either an e-mail address (--email) or a subject (--issuer and --subject)")
    kind, value = ("email", _email(email)) if email else ("subject", _subject(issuer, subject))
    name = normalise_username(username)
    with db.session() as s:
        uid = s.scalar(select(User.id).where(User.username == name))
        if uid is None:
            raise FormcheckError(f"no account {name!r}")
        s.add(OidcLink(user_id=uid, kind=kind, value=value, created_at=datetime.now(UTC)))
        try:
            s.commit()
        except IntegrityError:
            raise FormcheckError(f"this {kind} is linked to an account already") from None
    return f"{kind} {value}"


def account_for(db: Database, claims: Mapping[str, Any]) -> Actor | None:
    """The account linked to the identity in these ID-token claims (``iss``, ``sub``,
    ``email``, ``email_verified``), or None: a subject link first, then a verified e-mail."""
    keys = []
    iss, sub, mail = (str(claims.get(k) or "") for k in ("iss", "sub", "email"))
    if iss and sub:
        try:
            keys.append(("subject", _subject(iss, sub)))
        except FormcheckError:
            pass
    if mail and claims.get("email_verified") is True:
        try:
            keys.append(("email", _email(mail)))
        except FormcheckError:
            pass
    with db.session() as s:
        for kind, value in keys:
            u = s.scalar(select(User).join(OidcLink, OidcLink.user_id == User.id)
                         .where(OidcLink.kind == kind, OidcLink.value == value))
            if u is not None and not u.disabled:
                return actor_of(u)
    return None


def login(db: Database, claims: Mapping[str, Any], at: datetime | None = None) -> tuple[str, Actor]:
    """A formcheck session (the same expiry and idle limit as a password login) for the
    linked account; LoginFailed when the identity is linked to none, or when the provider
    login (the ID token's ``iat``) is older than a session may live: Streamlit's identity
    cookie outlives formcheck's session, so the person logs in at the provider again."""
    at = at or datetime.now(UTC)
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool) or \
            not 0 <= at.timestamp() - issued < config.SESSION_MAX_S:
        raise LoginFailed(STALE)
    who = account_for(db, claims)
    if who is None:
        raise LoginFailed(NOT_LINKED)
    return open_session(db, who), who
