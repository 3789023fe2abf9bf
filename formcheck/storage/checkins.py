"""Symptom check-ins in the database: stored with the red flags they raised, read back in time
order, the day's decision (may the patient exercise today?), the patient's confirmation on the
contact-your-doctor path, and the link to the day's sets (same patient, same local day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from formcheck.core.errors import FormcheckError
from formcheck.rules.symptoms import Checkin
from formcheck.storage import audit, repo
from formcheck.storage.access import READ, RECORD, acting, require
from formcheck.storage.database import Database
from formcheck.storage.models import CheckinRow, Patient
from formcheck.storage.records import StoredCheckin, stored_checkin

if TYPE_CHECKING:
    from formcheck.rules.red_flags import RedFlags

LEVELS = ("none", "contact", "emergency")   # weakest first
# The rules look back at most this far ("new" numbness compares with the previous check-in;
# rising pain needs a few): a check-in months ago says nothing about today.
HISTORY_FOR_RULES = timedelta(days=28)


def local_day(t: datetime) -> date:
    """The calendar day of ``t`` where this formcheck runs (the patient's day at home)."""
    return t.astimezone().date()


def save(db: Database, patient: str, c: Checkin, flags: list[dict[str, Any]] | None = None,
         rules_version: str = "", taken_at: datetime | None = None) -> StoredCheckin:
    """Store one check-in (one transaction); the level is the strongest of ``flags``."""
    flags = list(flags or [])
    bad = [f.get("level") for f in flags if f.get("level") not in LEVELS[1:]]
    if bad:
        raise FormcheckError(f"red flag level must be contact or emergency, got {bad[0]!r}")
    level = max((f["level"] for f in flags), key=LEVELS.index, default="none")
    when = taken_at or c.taken_at or repo.now()
    pid = repo.ensure_patient(db, patient)   # refuses another patient's record (access layer)
    row = CheckinRow(patient_id=pid, taken_at=when, day=local_day(when), moment=c.moment, pain=c.pain,
                     reaches=c.reaches, numbness=c.numbness, weakness=c.weakness, bladder_bowel=c.bladder_bowel,
                     saddle_numbness=c.saddle_numbness, level=level, flags=flags, rules_version=rules_version)
    with db.session() as s:
        s.add(row)
        audit.record(s, acting(db, None), "check-in", pid, detail=level)
        s.commit()
        return _stored(row)


def record(db: Database, patient: str, c: Checkin, rules: RedFlags | None = None,
           taken_at: datetime | None = None) -> StoredCheckin:
    """Judge ``c`` against the red-flag rules (with the patient's earlier check-ins: new
    symptoms, rising pain) and store it with the flags it raised."""
    # here, not at the top: reading check-ins (`formcheck history`) needs no rules, and the
    # rules' validation models cost a new process ~0.1 s of imports
    from formcheck.rules.red_flags import evaluate, load_rules

    rules = rules or load_rules()
    when = taken_at or c.taken_at or repo.now()
    earlier = [x.checkin for x in checkins(db, patient, since=when - HISTORY_FOR_RULES) if x.taken_at <= when]
    flags = [f.as_dict() for f in evaluate(c, earlier, rules)]
    return save(db, patient, c, flags, rules.version, when)


def checkins(db: Database, patient: str, since: datetime | None = None) -> list[StoredCheckin]:
    """The patient's check-ins, oldest first (refused for a patient the acting user may not read)."""
    pid = repo.patient_id(db, patient, READ)
    if pid is None:
        return []
    with db.session() as s:
        audit.record(s, acting(db, None), "view check-ins", pid, view=True)
        s.commit()
        q = select(CheckinRow).where(CheckinRow.patient_id == pid)
        if since is not None:
            q = q.where(CheckinRow.taken_at >= since)
        return [_stored(r) for r in s.scalars(q.order_by(CheckinRow.taken_at, CheckinRow.id))]


def flagged_patients(db: Database, since: datetime) -> dict[str, StoredCheckin]:
    """Patient name -> their latest check-in with a red flag since ``since`` (an emergency
    wins over a later contact flag), for the therapist's patient list: only the patients the
    acting user may see."""
    visible = set(repo.patients(db))
    with db.session() as s:
        q = (select(Patient.name, CheckinRow).join(CheckinRow, CheckinRow.patient_id == Patient.id)
             .where(CheckinRow.level != "none", CheckinRow.taken_at >= since)
             .order_by(CheckinRow.taken_at, CheckinRow.id))
        out: dict[str, StoredCheckin] = {}
        for name, row in s.execute(q):
            if name not in visible:
                continue
            x = _stored(row)
            if name not in out or LEVELS.index(x.level) >= LEVELS.index(out[name].level):
                out[name] = x
        return out


def confirm(db: Database, checkin_id: int, at: datetime | None = None) -> None:
    """The patient confirms they have spoken to their doctor or therapist (contact path only:
    an emergency cannot be confirmed away)."""
    with db.session() as s:
        row = s.get(CheckinRow, checkin_id)
        if row is None:
            raise FormcheckError(f"no check-in {checkin_id} in the database")
        require(s, acting(db, None), row.patient_id, RECORD)
        if row.level == "emergency":
            raise FormcheckError("an emergency red flag cannot be confirmed: no exercise today")
        row.confirmed_at = at or repo.now()
        s.commit()


@dataclass(frozen=True)
class DayStatus:
    """May the patient exercise today? ``level``: the strongest red flag still in force
    ("emergency" holds all day; "contact" until confirmed; a later check-in replaces it)."""

    level: str
    checkin: StoredCheckin | None      # the check-in that decides (None: no check-in today)
    checked_in: bool                   # a "before" check-in exists today

    @property
    def may_exercise(self) -> bool:
        return self.checked_in and self.level == "none"


def day_status(db: Database, patient: str, day: date | None = None) -> DayStatus:
    day = day or local_day(repo.now())
    todays = [c for c in checkins(db, patient, since=_start_of(day) - timedelta(days=1)) if c.day == day]
    emergency = next((c for c in reversed(todays) if c.level == "emergency"), None)
    before = any(c.checkin.moment == "before" for c in todays)
    if emergency is not None:
        return DayStatus("emergency", emergency, before)
    if not todays:
        return DayStatus("none", None, False)
    last = todays[-1]
    level = "contact" if last.level == "contact" and last.confirmed_at is None else "none"
    return DayStatus(level, last, before)


def day_sets(db: Database, patient: str, day: date) -> list[repo.SetRecord]:
    """The sets the patient did on ``day`` (local), which its check-ins belong to."""
    start = _start_of(day)
    return [x for x in repo.history(db, patient, since=start) if local_day(x.started_at) == day]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


def _stored(r: CheckinRow) -> StoredCheckin:
    return stored_checkin(r.id, (r.pain, r.reaches, r.numbness, r.weakness, r.bladder_bowel, r.saddle_numbness,
                                 r.moment), r.taken_at, r.day, r.level, r.flags, r.confirmed_at)
