"""Tables. Times are UTC; angles in degrees; JSON columns hold small dicts and lists.

patients 1-n programmes 1-n programme_items; patients 1-n sets 1-n reps. A set is one
exercise done once (live or from a clip); the sets of one day are that day's session.
patients 1-n checkins: symptoms reported before/after a day's session (formcheck.rules.symptoms),
linked to that day's sets by (patient, day).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Patient(Base):
    __tablename__ = "patients"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)      # slug+hash, see store.patient_key
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sets: Mapped[list[ExerciseSet]] = relationship(back_populates="patient")


class Programme(Base):
    """A prescription: what to do, how often. The newest active one is the patient's."""

    __tablename__ = "programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    days_per_week: Mapped[int] = mapped_column(Integer, default=7)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    items: Mapped[list[ProgrammeItem]] = relationship(order_by="ProgrammeItem.position",
                                                      cascade="all, delete-orphan")


class ProgrammeItem(Base):
    __tablename__ = "programme_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    exercise: Mapped[str] = mapped_column(String(40))
    sets: Mapped[int] = mapped_column(Integer, default=1)
    reps: Mapped[int | None] = mapped_column(Integer, nullable=True)       # reps per set, or
    hold_s: Mapped[float | None] = mapped_column(Float, nullable=True)     # a hold per rep
    rest_s: Mapped[float] = mapped_column(Float, default=60.0)
    profile_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ExerciseSet(Base):
    __tablename__ = "sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    exercise: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))                        # live | clip | import | monitor
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    definition_version: Mapped[str] = mapped_column(String(20))
    profile_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clip: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)           # the report's summary
    patient: Mapped[Patient] = relationship(back_populates="sets")
    reps: Mapped[list[RepRow]] = relationship(order_by="RepRow.index", cascade="all, delete-orphan")
    __table_args__ = (Index("ix_sets_patient_time", "patient_id", "started_at"),)


class RepRow(Base):
    __tablename__ = "reps"
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("sets.id", ondelete="CASCADE"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    side: Mapped[str | None] = mapped_column(String(5), nullable=True)
    start_ms: Mapped[float] = mapped_column(Float)
    top_ms: Mapped[float] = mapped_column(Float)
    end_ms: Mapped[float] = mapped_column(Float)
    hold_ms: Mapped[float] = mapped_column(Float, default=0.0)
    faults: Mapped[list[Any]] = mapped_column(default=list)
    key_angles: Mapped[dict[str, Any]] = mapped_column(default=dict)        # medians at the settled top
    __table_args__ = (UniqueConstraint("set_id", "index", name="uq_reps_set_index"),)


class Imported(Base):
    """Files imported from the earlier folder layout (each only once)."""

    __tablename__ = "imported_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(512), unique=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CheckinRow(Base):
    """One symptom check-in (see formcheck.rules.symptoms) with the red flags it raised then, so the
    therapist sees what the patient was told even after a clinic changes its rules."""

    __tablename__ = "checkins"
    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date] = mapped_column(Date)                       # the patient's local date
    moment: Mapped[str] = mapped_column(String(6))                # before | after
    pain: Mapped[int] = mapped_column(Integer)                    # 0-10
    reaches: Mapped[str] = mapped_column(String(12))              # symptoms.REGIONS
    numbness: Mapped[str] = mapped_column(String(6))              # no | same | worse
    weakness: Mapped[str] = mapped_column(String(6))
    bladder_bowel: Mapped[bool] = mapped_column(Boolean)
    saddle_numbness: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[str] = mapped_column(String(10), default="none")   # none | contact | emergency
    flags: Mapped[list[Any]] = mapped_column(default=list)            # [{rule, level, message, reason}]
    rules_version: Mapped[str] = mapped_column(String(20), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (Index("ix_checkins_patient_time", "patient_id", "taken_at"),)


from formcheck.storage import account_models as _account_models  # noqa: E402,F401  (their tables are in Base.metadata)
