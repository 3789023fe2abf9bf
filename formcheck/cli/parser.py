"""The command line's arguments: one subparser per command, each with its defaults shown and an
example in ``--help``. ``-v`` works before or after the command name."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from formcheck import __version__
from formcheck.core import config
from formcheck.core.units import duration_s

Command = Callable[[argparse.Namespace], int]


class _Help(argparse.RawDescriptionHelpFormatter):
    """Shows each option's real default (not 'None'/'False') and keeps the example's lines."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = action.default not in (None, False, argparse.SUPPRESS) and "default" not in text
        if shown and action.option_strings:
            text += " (default: %(default)s)"
        return text


EXAMPLES = {
    "landmarks": "formcheck landmarks clip.mp4 -o poses.npz\n  formcheck landmarks --info poses.npz",
    "analyze": "formcheck analyze bridge.mp4 -e bridge --report r.json --video annotated.mp4\n"
               "  formcheck analyze desk.jpg -e sitting --patient \"Jane Doe\"",
    "batch": "formcheck batch clips/ -e bird_dog -o reports/ --workers 2",
    "evaluate": "formcheck evaluate ../shared/media/LABELS.toml --cache /tmp/poses",
    "models": "formcheck models",
    "monitor": "formcheck monitor --alert-after 30s --break-after 40m --patient \"Jane Doe\"",
    "history": "formcheck history --patient \"Jane Doe\" --exercise bridge --csv sets.csv",
    "checkin": "formcheck checkin --patient \"Jane Doe\"   (asks each question)\n"
               "  formcheck checkin --patient \"Jane Doe\" --pain 4 --reaches thigh --numbness no --weakness no "
               "--bladder-bowel no --saddle-numbness no\n"
               "exit status: 0 no red flag, 3 contact your doctor or therapist first, 4 emergency",
    "report": "formcheck report --patient \"Jane Doe\" -o jane.pdf",
    "app": "formcheck app --port 8502",
    "serve": "formcheck serve --address 0.0.0.0 --cert cert.pem --key key.pem --data-dir /srv/formcheck",
    "users": "formcheck users add-therapist terry --as admin\n  formcheck users invite \"Jane Doe\" --as terry",
    "backup": "formcheck backup",
    "export": "formcheck export --patient \"Jane Doe\" -o jane.zip --as terry",
    "delete-patient": "formcheck delete-patient --patient \"Jane Doe\" --yes --as terry",
    "restore": "formcheck restore ~/.local/share/formcheck/backups/formcheck-20261201-090000.db",
}


def _sub(sub: Any, name: str, **kw: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, formatter_class=_Help,
                                                epilog=f"example:\n  {EXAMPLES[name]}", **kw)
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                   help="log details, including MediaPipe's native messages")
    return p


FULL_RATE_HELP = ("run the pose model on every frame (default: adaptive sampling, the same verdicts "
                  "from fewer frames; the report's per-frame rows are then the frames analysed)")
MODEL_HELP = "pose model: a .task path or lite/full/heavy (default: bundled full model)"
DATA_DIR_HELP = "data folder (default: $FORMCHECK_HOME or ~/.local/share/formcheck)"


def _run_options(p: argparse.ArgumentParser) -> None:
    """--model and -q, for the commands that run the pose model over a clip."""
    p.add_argument("--model", help=MODEL_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _patient_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", help="patient profile .toml with threshold overrides")
    p.add_argument("--patient", help="use this patient's saved profile (from the app's data folder)")
    p.add_argument("--data-dir", help=DATA_DIR_HELP)


def _login_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_user", metavar="USERNAME",
                   help="on a clinic server's database: act as this account, with its permissions "
                        "(password from $FORMCHECK_PASSWORD or a prompt)")


def _exercise_help() -> str:
    # The file names, as definition.available_exercises lists them, without importing the
    # definition models (pydantic): every command builds this parser, `history` included.
    ids = sorted(p.stem for p in config.EXERCISES_DIR.glob("*.toml"))
    return "an exercise id (" + ", ".join(ids) + ") or a definition .toml"


def build_parser(commands: dict[str, Command]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="formcheck", description="Exercise and posture form checking.",
                                formatter_class=_Help)
    p.add_argument("--version", action="version", version=f"formcheck {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log details, including MediaPipe's native messages")
    sub = p.add_subparsers(dest="command", required=True)

    lm = _sub(sub, "landmarks", help="extract and cache a clip's pose sequence")
    lm.add_argument("clip", help="video or image (or, with --info, a poses .npz)")
    lm.add_argument("-o", "--output", help="where to write the .npz pose file")
    lm.add_argument("--info", action="store_true", help="summarise a poses .npz file")
    _run_options(lm)
    lm.set_defaults(func=commands["landmarks"])

    an = _sub(sub, "analyze", help="judge the form in a clip or image")
    an.add_argument("clip")
    an.add_argument("--exercise", "-e", required=True, help=_exercise_help())
    an.add_argument("--report", help="write the JSON report here")
    an.add_argument("--video", help="write an annotated H.264 mp4 here")
    an.add_argument("--csv", help="write per-frame angles and checks here")
    _patient_options(an)
    an.add_argument("--save", action="store_true", help="record the set in --patient's history (database)")
    _login_option(an)
    an.add_argument("--landmarks", help="reuse a cached poses .npz instead of running the model")
    an.add_argument("--full-rate", action="store_true", help=FULL_RATE_HELP)
    _run_options(an)
    an.set_defaults(func=commands["analyze"])

    ba = _sub(sub, "batch", help="analyse many clips (folders, files, globs) in parallel")
    ba.add_argument("inputs", nargs="+", help="clips, folders (searched recursively) or quoted globs")
    ba.add_argument("--exercise", "-e", required=True, help=_exercise_help())
    ba.add_argument("--out", "-o", required=True, help="folder for per-clip reports and summary.csv")
    ba.add_argument("--workers", "-j", type=int, default=max(1, min(2, os.cpu_count() or 1)),
                    help="worker processes, one pose model each (default: 2 or the CPU count)")
    ba.add_argument("--video", action="store_true", help="also write annotated videos")
    _patient_options(ba)
    ba.add_argument("--force", action="store_true", help="re-analyse clips that already have a report")
    ba.add_argument("--full-rate", action="store_true", help=FULL_RATE_HELP)
    ba.add_argument("--ray", metavar="auto|ADDRESS",
                    help="run the clips on a Ray cluster instead of local processes: 'auto' (the cluster "
                         "this machine joined with 'ray start'), or its address; needs formcheck[cluster]")
    _run_options(ba)
    ba.set_defaults(func=commands["batch"])

    ev = _sub(sub, "evaluate", help="check the analysis against a LABELS.toml")
    ev.add_argument("labels", nargs="+", help="one or more labels files (LABELS.toml format)")
    ev.add_argument("--confusion", action="store_true",
                    help="instead: analyse every labelled clip as every exercise and print how many "
                         "reps each one counts (look-alikes counted stand out)")
    ev.add_argument("--model", help=MODEL_HELP)
    ev.add_argument("--cache", help="folder to cache pose files between runs (poses of every frame: "
                                    "implies --full-rate for clips not yet cached)")
    ev.add_argument("--full-rate", action="store_true", help=FULL_RATE_HELP)
    ev.add_argument("--skeletons", help="also judge the sitting rules on a folder of labelled side-camera "
                                        "sitting keypoint CSVs (MoveNet 17, e.g. ../shared/media/skeletons/"
                                        "nelsonak47_sidecam_sitting_movenet)")
    ev.set_defaults(func=commands["evaluate"])

    hi = _sub(sub, "history", help="list a patient's recorded sets, one line per set")
    hi.add_argument("--patient", required=True, help="the patient's name (as saved)")
    hi.add_argument("--exercise", "-e", help="only this exercise")
    hi.add_argument("--csv", help="also write every set as CSV here")
    hi.add_argument("--data-dir", help=DATA_DIR_HELP)
    _login_option(hi)
    hi.set_defaults(func=commands["history"])

    from formcheck.cli.checkin import add_parser as add_checkin

    add_checkin(sub, _sub, DATA_DIR_HELP, commands["checkin"])

    rp = _sub(sub, "report", help="a one-page clinician report (PDF) of a patient's programme and progress")
    rp.add_argument("--patient", required=True, help="the patient's name (as saved)")
    rp.add_argument("-o", "--output", required=True, help="where to write the PDF")
    rp.add_argument("--weeks", type=int, default=6, help="how many weeks back")
    rp.add_argument("--data-dir", help=DATA_DIR_HELP)
    _login_option(rp)
    rp.set_defaults(func=commands["report"])

    mn = _sub(sub, "monitor", help="watch sitting posture for hours at a low frame rate; alerts and breaks")
    src = mn.add_mutually_exclusive_group()
    src.add_argument("clip", nargs="?", help="a clip instead of the camera (tests, demos)")
    src.add_argument("--camera", type=int, default=0, help="camera index")
    mn.add_argument("--sample-fps", type=float, default=2.0, help="frames analysed per second")
    mn.add_argument("--model", help="pose model: a .task path or lite/full/heavy (default: the bundled lite model)")
    mn.add_argument("--alert-after", type=duration_s, default=30.0, help="bad posture this long before an alert")
    mn.add_argument("--break-after", type=duration_s, default=2400.0, help="sitting this long before a break")
    mn.add_argument("--calibrate", type=duration_s, default=5.0, help="seconds of good posture to calibrate on")
    mn.add_argument("--recalibrate", action="store_true", help="ignore the patient's saved calibration")
    mn.add_argument("--patient", help="keep the calibration and the day's summary for this patient")
    mn.add_argument("--data-dir", help=DATA_DIR_HELP)
    mn.add_argument("--jsonl", action="store_true", help="events as JSON lines")
    mn.add_argument("--realtime", action="store_true", help="play a clip at real speed")
    mn.add_argument("--loop", type=int, default=1, help="play a clip this many times (simulate hours)")
    mn.set_defaults(func=commands["monitor"])

    mo = _sub(sub, "models", help="list installed pose models, download official ones")
    mo.add_argument("--download", choices=("lite", "full", "heavy"))
    mo.set_defaults(func=commands["models"])

    ap = _sub(sub, "app", help="start the Streamlit app (127.0.0.1 by default)")
    ap.add_argument("--address", default="127.0.0.1",
                    help="bind address; anything but 127.0.0.1 exposes the camera page (see README)")
    ap.add_argument("--port", type=int, default=8501)
    ap.set_defaults(func=commands["app"])

    from formcheck.cli.clinic import add_parsers

    add_parsers(sub, _sub, DATA_DIR_HELP)
    return p


