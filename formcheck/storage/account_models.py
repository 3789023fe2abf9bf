"""Tables of the clinic server: accounts, their sessions, invite codes, which therapist cares
for which patient, and the append-only audit log. Times are UTC.

Only hashes of session tokens and invite codes are stored (SHA-256 hex of a 256-bit / 60-bit
random secret); passwords as Argon2id hashes. The audit log keeps ids, never names, so a
deleted patient's entries stay without any of their data ("deleted patient").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from formcheck.storage.models import Base

ROLES = ("admin", "therapist", "patient")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)          # NFKC + casefold
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))                            # one of ROLES
    password_hash: Mapped[str] = mapped_column(String(255))                  # Argon2id, PHC string
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"),
                                                   nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)           # since the last success
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    disabled: Mapped[bool] = mapped_column(default=False)


class AuthSession(Base):
    __tablename__ = "auth_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))   # absolute limit


class Invite(Base):
    """A one-time code a therapist gives a patient to open their account."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CareLink(Base):
    """Therapist -> patient: the patients a therapist may see and change."""

    __tablename__ = "care_links"
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)


class AuditEntry(Base):
    """Who viewed or changed which patient's data, and when. Append-only (triggers refuse
    UPDATE and DELETE); no foreign keys, so entries outlive users and patients."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)     # None: the local owner
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    patient_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")                   # never a name or secret
    __table_args__ = (Index("ix_audit_patient_time", "patient_id", "at"),)


class OidcLink(Base):
    """An identity at the clinic's OpenID Connect provider linked (by an administrator) to an
    account: ``kind`` "subject" (``value`` = issuer, a space, the ``sub`` claim) or "email"
    (``value`` = the casefolded address; used only when the provider says it is verified)."""

    __tablename__ = "oidc_links"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_oidc_links_kind_value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(600))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
