"""`formcheck` command line: landmarks, analyze, evaluate, models, app.

Every user-facing failure is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__, config

log = logging.getLogger("formcheck")
EXIT_USAGE_ERROR = 2
EXIT_FAILED = 1


def _progress(desc: str, enabled: bool) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    if not enabled:
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
    from .extract import extract_poses
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


def _profile_path(a: argparse.Namespace, exercise: str) -> Path | None:
    """--profile FILE, or --patient NAME resolved in the data folder (the app's profiles)."""
    from .errors import FormcheckError
    from .store import Store

    if a.profile:
        return Path(a.profile)
    if not a.patient:
        return None
    path = Store(a.data_dir).profile_path(a.patient, Path(exercise).stem)
    if not path.is_file():
        raise FormcheckError(f"patient {a.patient!r} has no saved {exercise} profile in {Store(a.data_dir).root}")
    return path


def cmd_analyze(a: argparse.Namespace) -> int:
    from .definition import get_definition
    from .pipeline import analyze_clip
    from .pose import PoseSequence
    from .profile import apply_profile, load_profile
    from .report import build_report, write_csv, write_report

    d = get_definition(a.exercise)
    prof_path = _profile_path(a, a.exercise)
    profile = load_profile(prof_path) if prof_path else None
    d = apply_profile(d, profile, where=str(prof_path))
    cached = PoseSequence.load(a.landmarks) if a.landmarks else None
    update, close = _progress(Path(a.clip).name, not a.quiet)
    try:
        r = analyze_clip(a.clip, d, profile, model=a.model, landmarks=cached,
                         video_out=a.video, progress=update)
    finally:
        close()
    rep = write_report(r, a.report) if a.report else build_report(r)
    if a.csv:
        write_csv(r, a.csv)
    s = rep["summary"]
    print(f"{a.clip}: {d.name}, view {s['view']}, reps {rep['rep_count']}, "
          f"good form {s['good_form_fraction']:.0%} of judged frames")
    if s.get("camera_message"):
        print(f"  camera: {s['camera_message']}")
    if s.get("position_message"):
        print(f"  not judged for most of the clip: {s['position_message']}")
    for key in ("people_message", "missing_message"):
        if s.get(key):
            print(f"  {s[key]}")
    for x in rep["reps"]:
        side = f" {x['side']}" if x["side"] else ""
        verdict = "ok" if x["ok"] else "faults: " + ", ".join(x["faults"])
        notes = "".join(f" ({n})" for n in x["notes"])
        print(f"  rep {x['index']}{side} at {x['top_ms'] / 1000:.1f} s, "
              f"hold {x['hold_ms'] / 1000:.1f} s: {verdict}{notes}")
    if s["faults"] and d.phases.kind == "continuous":
        print("  sustained faults: " + ", ".join(f"{k} x{v}" for k, v in s["faults"].items()))
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
                   video=a.video, force=a.force)
    with tqdm(total=len(clips), unit="clip", disable=a.quiet, dynamic_ncols=True) as bar:
        def done(o):  # type: ignore[no-untyped-def]
            bar.update(1)
            if o.status == "failed":
                bar.write(f"failed: {o.error}")
        outcomes = run_batch(clips, job, workers=a.workers, on_result=done)
    print(format_summary(outcomes))
    print(f"reports and summary.csv in {a.out}")
    return EXIT_FAILED if any(o.status == "failed" for o in outcomes) else 0


def cmd_evaluate(a: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_table, margin_table

    results = evaluate(a.labels, model=a.model, cache_dir=Path(a.cache) if a.cache else None)
    print(format_table(results))
    print()
    print("Margins of every limit on these labels:")
    print(margin_table(results))
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
    args = [sys.executable, "-m", "streamlit", "run", str(config.PROJECT_ROOT / "streamlit_app.py"),
            "--server.address", a.address, "--server.port", str(a.port)]
    return subprocess.call(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="formcheck", description="Exercise and posture form checking.")
    p.add_argument("--version", action="version", version=f"formcheck {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = p.add_subparsers(dest="command", required=True)
    model_help = "pose model: a .task path or lite/full/heavy (default: bundled full model)"

    lm = sub.add_parser("landmarks", help="extract and cache a clip's pose sequence")
    lm.add_argument("clip", help="video or image (or, with --info, a poses .npz)")
    lm.add_argument("-o", "--output", help="where to write the .npz pose file")
    lm.add_argument("--info", action="store_true", help="summarise a poses .npz file")
    lm.add_argument("--model", help=model_help)
    lm.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    lm.set_defaults(func=cmd_landmarks)

    an = sub.add_parser("analyze", help="judge the form in a clip or image")
    an.add_argument("clip")
    an.add_argument("--exercise", "-e", required=True, help="bridge, bird_dog, sitting or a .toml")
    an.add_argument("--report", help="write the JSON report here")
    an.add_argument("--video", help="write an annotated H.264 mp4 here")
    an.add_argument("--csv", help="write per-frame angles and checks here")
    an.add_argument("--profile", help="patient profile .toml with threshold overrides")
    an.add_argument("--patient", help="use this patient's saved profile (from the app's data folder)")
    an.add_argument("--data-dir", help="data folder (default: $FORMCHECK_HOME or ~/.local/share/formcheck)")
    an.add_argument("--landmarks", help="reuse a cached poses .npz instead of running the model")
    an.add_argument("--model", help=model_help)
    an.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    an.set_defaults(func=cmd_analyze)

    ba = sub.add_parser("batch", help="analyse many clips (folders, files, globs) in parallel")
    ba.add_argument("inputs", nargs="+", help="clips, folders (searched recursively) or quoted globs")
    ba.add_argument("--exercise", "-e", required=True, help="bridge, bird_dog, sitting or a .toml")
    ba.add_argument("--out", "-o", required=True, help="folder for per-clip reports and summary.csv")
    ba.add_argument("--workers", "-j", type=int, default=max(1, min(2, os.cpu_count() or 1)),
                    help="worker processes, one pose model each (default: 2 or the CPU count)")
    ba.add_argument("--video", action="store_true", help="also write annotated videos")
    ba.add_argument("--profile", help="patient profile .toml with threshold overrides")
    ba.add_argument("--patient", help="use this patient's saved profile (from the app's data folder)")
    ba.add_argument("--data-dir", help="data folder (default: $FORMCHECK_HOME or ~/.local/share/formcheck)")
    ba.add_argument("--force", action="store_true", help="re-analyse clips that already have a report")
    ba.add_argument("--model", help=model_help)
    ba.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ba.set_defaults(func=cmd_batch)

    ev = sub.add_parser("evaluate", help="check the analysis against a LABELS.toml")
    ev.add_argument("labels")
    ev.add_argument("--model", help=model_help)
    ev.add_argument("--cache", help="folder to cache pose files between runs")
    ev.add_argument("--skeletons", help="also judge the sitting rules on a folder of labelled side-camera "
                                        "sitting keypoint CSVs (MoveNet 17, e.g. ../shared/media/skeletons/"
                                        "nelsonak47_sidecam_sitting_movenet)")
    ev.set_defaults(func=cmd_evaluate)

    mo = sub.add_parser("models", help="list installed pose models, download official ones")
    mo.add_argument("--download", choices=("lite", "full", "heavy"))
    mo.set_defaults(func=cmd_models)

    ap = sub.add_parser("app", help="start the Streamlit app (127.0.0.1 by default)")
    ap.add_argument("--address", default="127.0.0.1",
                    help="bind address; anything but 127.0.0.1 exposes the camera page (see README)")
    ap.add_argument("--port", type=int, default=8501)
    ap.set_defaults(func=cmd_app)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from .errors import FormcheckError

    a = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GLOG_minloglevel", "2")
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
