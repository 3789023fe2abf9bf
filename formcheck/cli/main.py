"""`formcheck` command line: landmarks, analyze, batch, evaluate, models, app (history and report:
history.py; whom it acts as: access.py).

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

from formcheck.cli.access import database, profile_path
from formcheck.cli.history import cmd_history, cmd_report
from formcheck.cli.parser import build_parser
from formcheck.core.errors import FormcheckError
from formcheck.core.logs import cli_logging

if TYPE_CHECKING:
    from formcheck.engine.session import SessionResult
    from formcheck.run.pipeline import Progress

log = logging.getLogger("formcheck")
EXIT_USAGE_ERROR = 2
EXIT_FAILED = 1


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
    from formcheck.core.pose import PoseSequence
    from formcheck.run.pipeline import extract_poses

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


def cmd_analyze(a: argparse.Namespace) -> int:
    from formcheck.core.pose import PoseSequence
    from formcheck.engine.report import write_csv, write_report
    from formcheck.rules.definition import get_definition
    from formcheck.rules.profile import apply_profile, load_profile
    from formcheck.run.pipeline import analyze_clip

    d = get_definition(a.exercise)
    prof_path = profile_path(a, a.exercise)
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
        from formcheck.storage.repo import record_result

        set_id = record_result(database(a), a.patient, r, source="clip")
        print(f"saved as set {set_id} in {a.patient}'s history")
    if a.report:
        write_report(r, a.report)
    if a.csv:
        write_csv(r, a.csv)
    _print_result(a.clip, r)
    return 0


def cmd_batch(a: argparse.Namespace) -> int:
    from tqdm import tqdm

    from formcheck.rules.definition import get_definition
    from formcheck.rules.profile import apply_profile, load_profile
    from formcheck.run.batch import BatchJob, find_clips, format_summary, run_batch

    d = get_definition(a.exercise)      # fail fast on a bad definition or profile
    prof_path = profile_path(a, a.exercise)
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
        from formcheck.engine.asymmetry import rows

        a = s.asymmetry
        print("  left / right: " + "; ".join(f"{w} {lt} / {rt} ({ap})" for w, lt, rt, ap in rows(a)))
    if s.faults and d.phases.kind == "continuous":
        print("  sustained faults: " + ", ".join(f"{d.fault_text(k)[0]} x{v}" for k, v in s.faults.items()))


def cmd_evaluate(a: argparse.Namespace) -> int:
    from formcheck.evaluation.evaluate import accuracy_table, evaluate, format_table, margin_table

    cache = Path(a.cache) if a.cache else None
    if a.confusion:
        from formcheck.evaluation.confusion import confusion, format_confusion

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
        from formcheck.evaluation.skeletons import evaluate_folder, format_skeletons

        print()
        print(format_skeletons(evaluate_folder(Path(a.skeletons))))
    return 0 if all(x.passed is not False for x in results) else EXIT_FAILED


def cmd_models(a: argparse.Namespace) -> int:
    from formcheck.media import bundles as models

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
    from formcheck.cli.serve import serve_command

    args, env = serve_command(a.address, a.port, None, None, None)
    os.execve(args[0], args, env)   # streamlit replaces this process (signals reach it directly)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "landmarks": cmd_landmarks, "analyze": cmd_analyze, "batch": cmd_batch, "evaluate": cmd_evaluate,
    "models": cmd_models, "app": cmd_app, "history": cmd_history, "report": cmd_report,
    "monitor": lambda a: _monitor(a), "checkin": lambda a: _checkin(a),
}


def _checkin(a: argparse.Namespace) -> int:
    from formcheck.cli.checkin import cmd_checkin

    return cmd_checkin(a)


def _monitor(a: argparse.Namespace) -> int:
    from formcheck.monitor.run import cmd_monitor

    return cmd_monitor(a)


BLAS_THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")   # OpenBLAS reads these


def process_settings() -> None:
    """Settings of every command's process, made before numpy loads (after, they would do
    nothing: in-process callers such as the tests keep their environment).

    One BLAS thread unless the user set a count: formcheck's arrays are a few landmarks a
    frame, and OpenBLAS starting a thread per core at numpy's import cost every command
    0.2-0.3 s of CPU (a still's whole process: median 0.95 -> 0.63 s on 2 cores). The app
    started by ``app``/``serve`` inherits it."""
    if "numpy" in sys.modules or any(k in os.environ for k in BLAS_THREAD_SETTINGS):
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


def main(argv: Sequence[str] | None = None) -> int:
    process_settings()
    a = build_parser(COMMANDS).parse_args(argv)
    with cli_logging(a.verbose):
        return _run(a)


def _run(a: argparse.Namespace) -> int:
    from formcheck.core.errors import FormcheckError

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
