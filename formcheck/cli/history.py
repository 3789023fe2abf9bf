"""`formcheck history` and `formcheck report`: what the database holds for a patient, as lines
in a terminal (one per set, left against right per one-sided exercise, then the check-ins), as
CSV, and as the one-page clinician PDF."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.cli.access import database
from formcheck.core import config

if TYPE_CHECKING:
    from formcheck.storage.records import SetRecord, StoredCheckin


def cmd_history(a: argparse.Namespace) -> int:
    if not getattr(a, "as_user", None):
        from formcheck.storage.read_only import open_quick

        quick = open_quick(a.data_dir)   # a plain read of a database at this schema: no SQLAlchemy
        if quick is not None:
            with quick:
                return _show_history(a, quick.history(a.patient, a.exercise), quick.checkins(a.patient))
    from formcheck.storage import checkins
    from formcheck.storage.repo import history

    db = database(a)
    return _show_history(a, history(db, a.patient, a.exercise), checkins.checkins(db, a.patient))


def _show_history(a: argparse.Namespace, rows: list[SetRecord], checkins: list[StoredCheckin]) -> int:
    from formcheck.cli.checkin import print_symptoms

    if a.csv:
        _history_csv(rows, Path(a.csv))
    if not rows:
        print(f"no sets recorded for {a.patient}" + (f" ({a.exercise})" if a.exercise else ""))
        print_symptoms(checkins)
        return 0
    names: dict[str, str] = {}
    for x in rows:
        if x.exercise not in names:
            names[x.exercise] = _exercise_name(x.exercise)
        when = f"{x.started_at.astimezone():%Y-%m-%d %H:%M}  {names[x.exercise]:<16} {x.source:<7}"
        if (day := x.day) is not None:   # a day at the desk: time seated, posture, alerts, breaks
            print(f"{when} seated {day.seated_s / 60:.0f} min, good posture {day.good_share:.0%}, "
                  f"{day.alerts} alerts, {day.breaks_due} break reminders")
            continue
        faults = ", ".join(f"{k} x{v}" for k, v in sorted(x.faults.items(), key=lambda kv: -kv[1])) or "none"
        print(f"{when} reps {x.reps:>3}  good {x.good_reps:>3}  faults: {faults}")
    _history_sides(rows, names)
    print_symptoms(checkins)
    return 0


def _history_sides(sets: list[SetRecord], names: dict[str, str]) -> None:
    """Left against right over every set of each one-sided exercise, as Progress and the PDF
    show it (formcheck.engine.asymmetry.combine: reps summed, longest hold, median key angle)."""
    from formcheck.engine.asymmetry import combine, rows

    for ex in sorted({x.exercise for x in sets}):
        a = combine(a for x in sets if x.exercise == ex and (a := x.asymmetry) is not None)
        if a is None:
            continue
        lines = rows(a)
        width = max(len(w) for w, *_ in lines)
        print(f"left and right, {names[ex]}, all sets (flagged above {a.flag_share:.0%}):")
        print(f"  {'':<{width}}  {'left':>6}  {'right':>6}  apart (|L - R| / larger side)")
        for w, lt, rt, ap in lines:
            print(f"  {w:<{width}}  {lt:>6}  {rt:>6}  {ap}")
        if a.message():
            print(f"  {a.message()}")


def _exercise_name(exercise: str) -> str:
    """The definition's name, read straight from its TOML (no validation: a quick command
    stays quick; a file that does not read keeps the id)."""
    import tomllib

    try:
        with open(config.EXERCISES_DIR / f"{exercise}.toml", "rb") as fh:
            return str(tomllib.load(fh).get("name", exercise))
    except (OSError, tomllib.TOMLDecodeError):
        return exercise


def _history_csv(rows: list[SetRecord], path: Path) -> None:
    import csv
    import io

    from formcheck.core.atomic import write_text

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["set", "started_utc", "exercise", "source", "reps", "good_reps", "longest_hold_s", "faults"])
    for x in rows:
        w.writerow([x.id, x.started_at.isoformat(timespec="seconds"), x.exercise, x.source, x.reps, x.good_reps,
                    round(x.hold_s, 1), ";".join(f"{k}={v}" for k, v in sorted(x.faults.items()))])
    write_text(path, buf.getvalue())


def cmd_report(a: argparse.Namespace) -> int:
    from formcheck.pdf.clinician import clinician_report
    from formcheck.storage.profiles import store_for

    db = database(a)
    path = clinician_report(db, a.patient, Path(a.output), weeks=a.weeks, store=store_for(a.data_dir, db))
    print(f"wrote {path}")
    return 0
