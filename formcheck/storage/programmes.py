"""A patient's home programme in the database: prescribing it (the earlier one kept, inactive),
reading the active one, and adherence per week since it began. Same access rules as repo.py:
every call acts as a user and another patient's programme is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from formcheck.core.errors import FormcheckError
from formcheck.storage import audit
from formcheck.storage.access import PRESCRIBE, READ, Actor, acting
from formcheck.storage.database import Database
from formcheck.storage.models import Programme, ProgrammeItem
from formcheck.storage.records import SetRecord
from formcheck.storage.records import utc as _utc
from formcheck.storage.repo import ensure_patient, history, now, patient_id


@dataclass(frozen=True)
class Item:
    exercise: str
    sets: int = 1
    reps: int | None = 10
    hold_s: float | None = None
    rest_s: float = 60.0
    profile_version: int | None = None


def prescribe(db: Database, patient: str, items: list[Item], days_per_week: int = 7,
              notes: str = "", created_at: datetime | None = None, *, actor: Actor | None = None) -> int:
    """A new programme for the patient (the earlier one stays, inactive); ``created_at``
    (default now) is when it starts: adherence is counted from then."""
    if not items:
        raise FormcheckError("a programme needs at least one exercise")
    if not 1 <= days_per_week <= 7:
        raise FormcheckError(f"days per week must be 1-7, got {days_per_week}")
    for it in items:
        if it.sets < 1 or (it.reps is None and not it.hold_s) or (it.reps is not None and it.reps < 1):
            raise FormcheckError(f"{it.exercise}: give sets >= 1 and reps >= 1 or a hold in seconds")
    who = acting(db, actor)
    pid = ensure_patient(db, patient, actor=who, action=PRESCRIBE)
    with db.session() as s:
        for old in s.scalars(select(Programme).where(Programme.patient_id == pid, Programme.active)):
            old.active = False
        prog = Programme(patient_id=pid, created_at=created_at or now(), days_per_week=days_per_week, notes=notes,
                         active=True, items=[ProgrammeItem(position=i, exercise=it.exercise, sets=it.sets,
                                                           reps=it.reps, hold_s=it.hold_s, rest_s=it.rest_s,
                                                           profile_version=it.profile_version)
                                             for i, it in enumerate(items)])
        s.add(prog)
        audit.record(s, who, "change programme", pid, ", ".join(it.exercise for it in items))
        s.commit()
        return prog.id


@dataclass(frozen=True)
class ProgrammeView:
    id: int
    created_at: datetime
    days_per_week: int
    notes: str
    items: list[Item]


def programme(db: Database, patient: str, *, actor: Actor | None = None) -> ProgrammeView | None:
    """The patient's active programme, or None."""
    who = acting(db, actor)
    pid = patient_id(db, patient, READ, actor=who)
    if pid is None:
        return None
    with db.session() as s:
        audit.record(s, who, "view programme", pid, view=True)
        s.commit()
        prog = s.scalar(select(Programme).where(Programme.patient_id == pid, Programme.active)
                        .order_by(Programme.created_at.desc()))
        if prog is None:
            return None
        items = [Item(i.exercise, i.sets, i.reps, i.hold_s, i.rest_s, i.profile_version) for i in prog.items]
        return ProgrammeView(prog.id, _utc(prog.created_at), prog.days_per_week, prog.notes, items)


def counts(x: SetRecord, item: Item) -> bool:
    """Did set ``x`` reach the item's target: its reps, each held the item's hold (as the live
    page's "Set done" counts them)?"""
    if x.exercise != item.exercise:
        return False
    if not item.hold_s:
        return x.reps >= (item.reps or 1)
    return sum(1 for h in x.rep_holds_s if h >= item.hold_s) >= (item.reps or 1)


def todays_sets(db: Database, patient: str, *, actor: Actor | None = None) -> list[SetRecord]:
    """The patient's sets since this machine's local midnight (on a clinic server, the
    server's day), the day's own midnight on a daylight-saving change."""
    midnight = datetime.combine(date.today(), time()).astimezone()
    return history(db, patient, since=midnight.astimezone(UTC), actor=actor)


def sets_done(prog: ProgrammeView, today: list[SetRecord]) -> list[int]:
    """Per item of the programme, today's sets that reached its target, each set counted for
    one item only (in programme order, up to the item's sets): an exercise prescribed twice
    (2 x 10, then 1 x 10 held 5 s) needs its own sets for each."""
    used: set[int] = set()   # indices into ``today``
    out = []
    for item in prog.items:
        mine = [k for k, x in enumerate(today) if k not in used and counts(x, item)][:item.sets]
        used.update(mine)
        out.append(len(mine))
    return out


def next_item(prog: ProgrammeView, today: list[SetRecord]) -> Item | None:
    """The first item of the programme with sets still to do today, or None when all are done."""
    done = sets_done(prog, today)
    return next((i for i, n in zip(prog.items, done, strict=True) if n < i.sets), None)


@dataclass(frozen=True)
class WeekAdherence:
    week_start: date          # Monday
    days_done: int            # days with at least one set of a prescribed exercise
    days_prescribed: int


def adherence(db: Database, patient: str, weeks: int = 6, today: date | None = None,
              *, actor: Actor | None = None) -> list[WeekAdherence]:
    """Per week (oldest first, Monday to Sunday): days with a programme exercise done vs days
    prescribed. Weeks before the programme was prescribed are left out (they were never
    missed); in the week it started, only the days from its start can be prescribed."""
    who = acting(db, actor)
    prog = programme(db, patient, actor=who)
    if prog is None:
        return []
    today = today or now().date()
    begun = prog.created_at.date()
    monday = today - timedelta(days=today.weekday())
    first = max(monday - timedelta(weeks=weeks - 1), begun - timedelta(days=begun.weekday()))
    if first > monday:   # prescribed after ``today`` (a report dated in the past)
        return []
    wanted = {i.exercise for i in prog.items}
    since = datetime.combine(first, datetime.min.time(), UTC)
    days = {x.started_at.date() for x in history(db, patient, since=since, actor=who) if x.exercise in wanted}
    out = []
    start = first
    while start <= monday:
        open_days = 7 - max((begun - start).days, 0)   # the days of this week under the programme
        done = sum(1 for d in days if max(start, begun) <= d < start + timedelta(days=7))
        out.append(WeekAdherence(start, done, min(prog.days_per_week, open_days)))
        start += timedelta(weeks=1)
    return out
