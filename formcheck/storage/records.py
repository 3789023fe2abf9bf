"""What reading a patient's history gives back, as plain dataclasses, built from plain rows
with no SQLAlchemy here: the repository (formcheck.storage.repo, checkins) and the quick
read-only path of ``formcheck history`` (formcheck.storage.read_only) build the same records
from the same columns."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from formcheck.engine.asymmetry import Asymmetry, from_dict
from formcheck.engine.monitor_events import DaySummary
from formcheck.rules.symptoms import Checkin

# (id, started_at, exercise, source, summary as JSON text) of a set, and
# (set_id, hold_ms, faults as JSON text, key_angles as JSON text) of a rep, in time order
SetCols = tuple[int, datetime, str, str, str | None]
RepTexts = tuple[int, float, str | None, str | None]


@dataclass(frozen=True)
class SetRecord:
    """One set as history shows it."""

    id: int
    started_at: datetime
    exercise: str
    source: str
    reps: int
    good_reps: int
    faults: dict[str, int]
    hold_s: float            # longest hold in the set
    key_angles: dict[str, float] = field(default_factory=dict)   # medians over its reps
    summary: dict[str, Any] = field(default_factory=dict, repr=False)   # the set's report summary
    rep_holds_s: tuple[float, ...] = field(default=(), repr=False)       # each rep's hold, in order

    @property
    def asymmetry(self) -> Asymmetry | None:
        """Left against right of a one-sided exercise's set (None for the others)."""
        stored = self.summary.get("asymmetry")
        return from_dict(stored) if stored else None

    @property
    def day(self) -> DaySummary | None:
        """A desk-monitor set's day (time seated, good posture, alerts, breaks); None for the
        others."""
        return DaySummary.from_json(self.summary) if self.source == "monitor" else None


def set_records(sets: Sequence[SetCols], reps: Sequence[RepTexts]) -> list[SetRecord]:
    """The sets' records from their columns and their reps' (reps ordered by set and index).
    The JSON columns come as their text, decoded in one json.loads: one decode per value
    (23 000 for a year of sets) was a third of `formcheck history`."""
    by_set: dict[int, list[_RepCols]] = {x[0]: [] for x in sets}
    decoded = json_texts([t for r in reps for t in (r[2], r[3])])
    for i, r in enumerate(reps):
        faults, angles = decoded[2 * i], decoded[2 * i + 1]
        by_set[r[0]].append(_RepCols(faults or [], r[1], angles or {}))
    summaries = json_texts([x[4] for x in sets])
    return [_record(x[0], x[1], x[2], x[3], summary or {}, by_set[x[0]])
            for x, summary in zip(sets, summaries, strict=True)]


def json_texts(texts: list[str | None]) -> list[Any]:
    """JSON column values from their text (SQL NULL: None), in one decode."""
    return list(json.loads("[" + ",".join(t or "null" for t in texts) + "]"))


class _RepCols(NamedTuple):
    faults: list[str]
    hold_ms: float
    key_angles: dict[str, float]


def _record(set_id: int, started_at: datetime, exercise: str, source: str, summary: dict[str, Any],
            reps: list[_RepCols]) -> SetRecord:
    faults = Counter(f for r in reps for f in r.faults)
    if not reps and summary.get("faults"):   # a continuous exercise (sitting) has no reps
        faults = Counter(summary["faults"])
    angles: dict[str, list[float]] = {}
    for r in reps:
        for k, v in r.key_angles.items():
            angles.setdefault(k, []).append(float(v))
    return SetRecord(set_id, utc(started_at), exercise, source, len(reps),
                     sum(1 for r in reps if not r.faults), dict(faults),
                     max((r.hold_ms for r in reps), default=0.0) / 1000.0,
                     {k: round(sorted(v)[len(v) // 2], 1) for k, v in angles.items()}, dict(summary),
                     tuple(r.hold_ms / 1000.0 for r in reps))


def utc(t: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoredCheckin:
    """A check-in as stored: the answers, when, and the red flags raised then."""

    id: int
    checkin: Checkin
    day: date
    level: str                      # one of checkins.LEVELS
    flags: list[dict[str, Any]] = field(default_factory=list)   # {rule, level, message, reason}
    confirmed_at: datetime | None = None

    @property
    def taken_at(self) -> datetime:
        assert self.checkin.taken_at is not None
        return self.checkin.taken_at


def stored_checkin(id_: int, answers: tuple[int, str, str, str, Any, Any, str], taken_at: datetime, day: date,
                   level: str, flags: list[dict[str, Any]] | None, confirmed_at: datetime | None) -> StoredCheckin:
    """A stored check-in from its columns; ``answers``: pain, reaches, numbness, weakness,
    bladder_bowel, saddle_numbness, moment (the booleans as stored: SQLite gives 0/1)."""
    pain, reaches, numbness, weakness, bladder_bowel, saddle, moment = answers
    c = Checkin(pain, reaches, numbness, weakness, bool(bladder_bowel), bool(saddle), moment, utc(taken_at))
    return StoredCheckin(id_, c, day, level, list(flags or []), utc(confirmed_at) if confirmed_at else None)
