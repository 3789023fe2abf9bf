"""`formcheck` command line: landmarks, analyze, evaluate, models, app.

Every user-facing failure is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import config
from .cli_parser import build_parser
from .errors import FormcheckError
from .logs import cli_logging

if TYPE_CHECKING:
    from .db import Database
    from .db.repo import SetRecord
    from .engine.session import SessionResult
    from .pipeline import Progress

log = logging.getLogger("formcheck")
EXIT_USAGE_ERROR = 2
EXIT_FAILED = 1
PASSWORD_ENV = "FORMCHECK_PASSWORD"


def _progress(desc: str, enabled: bool) -> tuple[Progress, Callable[[], None]]:
    """A progress bar on stderr, only when it is a terminal (not in logs, pipes or CI)."""
    if not enabled or not sys.stderr.isatty():
        return (lambda done, total: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(desc=desc, unit="frame", leave=False, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = max(total, done)
        bar.n = done
        bar.refresh() if done % 10 == 0 else None

    return update, bar.close


def cmd_landmarks(a: argparse.Namespace) -> int:
    from .pipeline import extract_poses
    from .pose import PoseSequence

    if a.info:
        seq = PoseSequence.load(a.clip)
        i = seq.info
        det = seq.detected
        vis = seq.landmarks[det, :, 3]
        print(f"{a.clip}: {len(seq)} frames, person in {int(det.sum())} "
              f"({det.mean():.0%}); source {i.path or '?'}; {i.width}x{i.height} "
              f"@ {i.fps:.2f} fps, {i.duration_s:.2f} s; model {i.model or '?'}; "
              f"mean visibility {float(vis.mean()) if vis.size else 0:.2f}")
        return 0
    if a.output is None:
        raise SystemExit("formcheck landmarks: -o/--output POSES.npz is required (or use --info)")
    update, close = _progress(Path(a.clip).name, not a.quiet)
    try:
        seq = extract_poses(a.clip, a.model, update)
    finally:
        close()
    seq.save(a.output)
    print(f"{a.output}: {len(seq)} frames, person in {int(seq.detected.sum())} "
          f"({seq.detected.mean():.0%})")
    return 0


def _database(a: argparse.Namespace) -> Database:
    """The database, as the account of ``--as USERNAME`` when given (its password from
    $FORMCHECK_PASSWORD or a prompt); opened and logged in once per command."""
    if getattr(a, "db_", None) is not None:
        return a.db_  # type: ignore[no-any-return]
    from .db import open_database

    db = open_database(getattr(a, "data_dir", None))
    user = getattr(a, "as_user", None)
    if user:
        import getpass

        from .auth import verify

        password = os.environ.get(PASSWORD_ENV) or getpass.getpass(f"password for {user}: ")
        db = db.for_actor(verify(db, user, password))
    a.db_ = db
    return db


def _profile_path(a: argparse.Namespace, exercise: str) -> Path | None:
    """--profile FILE, or --patient NAME resolved in the data folder (the app's profiles;
    with --as, only a profile that account may read)."""
    from .store import Store

    if a.profile:
        return Path(a.profile)
    if not a.patient:
        return None
    if getattr(a, "as_user", None):
        from .db.profiles import store_for

        store = store_for(a.data_dir, _database(a))
    else:
        store = Store(a.data_dir)
    path = store.profile_path(a.patient, Path(exercise).stem)
    if not path.is_file() and getattr(a, "save", False):
        return None   # recording a new patient's set: default thresholds until a profile is saved
    if not path.is_file():
        raise FormcheckError(f"patient {a.patient!r} has no saved {exercise} profile in {store.root}")
    return path


def cmd_analyze(a: argparse.Namespace) -> int:
    from .definition import get_definition
    from .pipeline import analyze_clip
    from .pose import PoseSequence
    from .profile import apply_profile, load_profile
    from .report import write_csv, write_report

    d = get_definition(a.exercise)
    prof_path = _profile_path(a, a.exercise)
    profile = load_profile(prof_path) if prof_path else None
    d = apply_profile(d, profile, where=str(prof_path))
    cached = PoseSequence.load(a.landmarks) if a.landmarks else None
    update, close = _progress(Path(a.clip).name, not a.quiet)
    try:
        r = analyze_clip(a.clip, d, profile, model=a.model, landmarks=cached,
                         video_out=a.video, progress=update, full_rate=a.full_rate)
    finally:
        close()
    if a.save:
        if not a.patient:
            raise FormcheckError("--save needs --patient NAME (whose history the set goes into)")
        from .db.repo import record_result

        set_id = record_result(_database(a), a.patient, r, source="clip")
        print(f"saved as set {set_id} in {a.patient}'s history")
    if a.report:
        write_report(r, a.report)
    if a.csv:
        write_csv(r, a.csv)
    _print_result(a.clip, r)
    return 0


def cmd_batch(a: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .batch import BatchJob, find_clips, format_summary, run_batch
    from .definition import get_definition
    from .profile import apply_profile, load_profile

    d = get_definition(a.exercise)      # fail fast on a bad definition or profile
    prof_path = _profile_path(a, a.exercise)
    if prof_path:
        apply_profile(d, load_profile(prof_path), where=str(prof_path))
    clips = find_clips(a.inputs)
    if not clips:
        raise SystemExit("formcheck batch: no video or image files found in the inputs")
    job = BatchJob(a.exercise, Path(a.out), prof_path, a.model,
                   video=a.video, force=a.force, full_rate=a.full_rate)
    with tqdm(total=len(clips), unit="clip", disable=a.quiet, dynamic_ncols=True) as bar:
        def done(o):  # type: ignore[no-untyped-def]
            bar.update(1)
            if o.status == "failed":
                bar.write(f"failed: {o.error}")
        outcomes = run_batch(clips, job, workers=a.workers, on_result=done, ray_address=a.ray)
    print(format_summary(outcomes))
    print(f"reports and summary.csv in {a.out}")
    return EXIT_FAILED if any(o.status == "failed" for o in outcomes) else 0


def _print_result(clip: str, r: SessionResult) -> None:
    """The analysis in a few plain lines: summary, messages, one line per rep."""
    d, s = r.definition, r.summary
    print(f"{clip}: {d.name}, view {s.view}, reps {len(r.reps)}, "
          f"good form {s.good_form_fraction:.0%} of judged frames")
    if s.camera_message:
        print(f"  camera: {s.camera_message}")
    if s.position_message:
        print(f"  not judged for most of the clip: {s.position_message}")
    for note in (s.people_message, s.missing_message):
        if note:
            print(f"  {note}")
    for x in r.reps:
        side = f" {x.side}" if x.side else ""
        verdict = "ok" if x.ok else "to fix: " + ", ".join(d.fault_text(f)[0] for f in x.faults)
        notes = "".join(f" ({n})" for n in x.notes)
        print(f"  rep {x.index}{side} at {x.top_ms / 1000:.1f} s, hold {x.hold_ms / 1000:.1f} s: {verdict}{notes}")
    if s.asymmetry is not None:
        from .asymmetry import rows

        a = s.asymmetry
        print("  left / right: " + "; ".join(f"{w} {lt} / {rt} ({ap})" for w, lt, rt, ap in rows(a)))
    if s.faults and d.phases.kind == "continuous":
        print("  sustained faults: " + ", ".join(f"{d.fault_text(k)[0]} x{v}" for k, v in s.faults.items()))


def cmd_history(a: argparse.Namespace) -> int:
    from .cli_checkin import print_symptoms
    from .db.repo import history

    db = _database(a)
    rows = history(db, a.patient, a.exercise)
    if a.csv:
        _history_csv(rows, Path(a.csv))
    if not rows:
        print(f"no sets recorded for {a.patient}" + (f" ({a.exercise})" if a.exercise else ""))
        print_symptoms(db, a.patient)
        return 0
    names: dict[str, str] = {}
    for x in rows:
        if x.exercise not in names:
            names[x.exercise] = _exercise_name(x.exercise)
        when = f"{x.started_at.astimezone():%Y-%m-%d %H:%M}  {names[x.exercise]:<16} {x.source:<7}"
        if x.source == "monitor":   # a day at the desk: time seated, posture, alerts, breaks
            m = x.summary
            print(f"{when} seated {m.get('seated_s', 0) / 60:.0f} min, good posture "
                  f"{m.get('good_posture_share', 0):.0%}, {m.get('alerts', 0)} alerts, "
                  f"{m.get('breaks_due', 0)} break reminders")
            continue
        faults = ", ".join(f"{k} x{v}" for k, v in sorted(x.faults.items(), key=lambda kv: -kv[1])) or "none"
        print(f"{when} reps {x.reps:>3}  good {x.good_reps:>3}  faults: {faults}")
    _history_sides(rows, names)
    print_symptoms(db, a.patient)
    return 0


def _history_sides(sets: list[SetRecord], names: dict[str, str]) -> None:
    """Left against right over every set of each one-sided exercise, as Progress and the PDF
    show it (formcheck.asymmetry.combine: reps summed, longest hold, median key angle)."""
    from .asymmetry import combine, rows

    for ex in sorted({x.exercise for x in sets}):
        a = combine(x.summary["asymmetry"] for x in sets if x.exercise == ex and x.summary.get("asymmetry"))
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

    from .atomic import write_text

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["set", "started_utc", "exercise", "source", "reps", "good_reps", "longest_hold_s", "faults"])
    for x in rows:
        w.writerow([x.id, x.started_at.isoformat(timespec="seconds"), x.exercise, x.source, x.reps, x.good_reps,
                    round(x.hold_s, 1), ";".join(f"{k}={v}" for k, v in sorted(x.faults.items()))])
    write_text(path, buf.getvalue())


def cmd_report(a: argparse.Namespace) -> int:
    from .db.profiles import store_for
    from .pdf import clinician_report

    db = _database(a)
    path = clinician_report(db, a.patient, Path(a.output), weeks=a.weeks, store=store_for(a.data_dir, db))
    print(f"wrote {path}")
    return 0


def cmd_evaluate(a: argparse.Namespace) -> int:
    from .evaluate import accuracy_table, evaluate, format_table, margin_table

    cache = Path(a.cache) if a.cache else None
    if a.confusion:
        from .confusion import confusion, format_confusion

        print(format_confusion(*confusion(a.labels, model=a.model, cache_dir=cache)))
        return 0
    results = [r for labels in a.labels
               for r in evaluate(labels, model=a.model, cache_dir=cache, full_rate=a.full_rate)]
    print(format_table(results))
    print()
    print("Margins of every limit on these labels:")
    print(margin_table(results))
    print()
    print("Accuracy of every check on these labels:")
    print(accuracy_table(results))
    if a.skeletons:
        from .skeletons import evaluate_folder, format_skeletons

        print()
        print(format_skeletons(evaluate_folder(Path(a.skeletons))))
    return 0 if all(x.passed is not False for x in results) else EXIT_FAILED


def cmd_models(a: argparse.Namespace) -> int:
    from . import models

    if a.download:
        path = models.download(a.download)
        print(f"downloaded {a.download} -> {path}")
        return 0
    default = models.default_model_path()
    found = models.installed_models()
    if not found:
        print("no pose models installed")
    for m in found:
        mark = "*" if m.path.resolve() == default.resolve() else " "
        print(f"{mark} {m.name:28s} {m.size_bytes / 1e6:6.1f} MB  {m.origin:10s} {m.path}  sha256 {m.sha256[:16]}")
    print(f"variants available online: {', '.join(models.VARIANTS)} "
          "(formcheck models --download NAME); * = default")
    return 0


def cmd_app(a: argparse.Namespace) -> int:
    """The app; an address beyond loopback gets the clinic server's checks (formcheck serve)."""
    from .serve import serve_command

    args, env = serve_command(a.address, a.port, None, None, None)
    os.execve(args[0], args, env)   # streamlit replaces this process (signals reach it directly)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "landmarks": cmd_landmarks, "analyze": cmd_analyze, "batch": cmd_batch, "evaluate": cmd_evaluate,
    "models": cmd_models, "app": cmd_app, "history": cmd_history, "report": cmd_report,
    "monitor": lambda a: _monitor(a), "checkin": lambda a: _checkin(a),
}


def _checkin(a: argparse.Namespace) -> int:
    from .cli_checkin import cmd_checkin

    return cmd_checkin(a)


def _monitor(a: argparse.Namespace) -> int:
    from .monitor.run import cmd_monitor

    return cmd_monitor(a)


def main(argv: Sequence[str] | None = None) -> int:

    a = build_parser(COMMANDS).parse_args(argv)
    with cli_logging(a.verbose):
        return _run(a)


def _run(a: argparse.Namespace) -> int:
    from .errors import FormcheckError

    try:
        return int(a.func(a))
    except FormcheckError as e:
        print(f"formcheck: {e}", file=sys.stderr)
        return EXIT_USAGE_ERROR
    except KeyboardInterrupt:
        print("formcheck: interrupted", file=sys.stderr)
        return 130
    except (OSError, MemoryError) as e:
        print(f"formcheck: {e.__class__.__name__}: {e}", file=sys.stderr)
        return EXIT_USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
