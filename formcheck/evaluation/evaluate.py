"""Check the analysis against a labels file in the ../shared/media/LABELS.toml format.

Per entry: rep counts, labelled faults flagged, no faults on good form, 0 reps when not
performed, "cannot judge" where limbs leave the frame, the camera message on a front view,
slouched/upright frame ranges for sitting. Works on any folder in that format.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.core.errors import FormcheckError
from formcheck.core.pose import PoseSequence
from formcheck.engine.session import SessionResult
from formcheck.evaluation.accuracy import format_accuracy, tally
from formcheck.evaluation.margins import SLOUCH_IDS, Samples, collect, format_margins, labelled_frames
from formcheck.rules.definition import get_definition, load_toml
from formcheck.run.pipeline import analyze_clip

log = logging.getLogger(__name__)
SLOUCH_MIN_FRACTION = 0.90
UPRIGHT_MAX_FRACTION = 0.10


@dataclass
class EntryResult:
    path: str
    exercise: str
    expected: str
    found: str
    passed: bool | None  # None = informational (nothing to check)
    problems: list[str] = field(default_factory=list)
    samples: Samples | None = field(default=None, repr=False)   # for the margin table
    # for the per-check accuracy table (formcheck.evaluation.accuracy)
    label_form: str = ""
    label_faults: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    check_ids: list[str] = field(default_factory=list)


def _frames_flagged(r: SessionResult, ranges: list[list[int]]) -> tuple[int, int]:
    """Frames in ``ranges`` with a posture failure: sitting's slouch checks (the labels' slouched
    / upright ranges are about slouching), any check for another posture (standing)."""
    ids = SLOUCH_IDS if r.definition.id == "sitting" else {c.id for c in r.definition.checks}
    flagged = total = 0
    for lo, hi in ranges:
        for f in (r.frames[i] for i in labelled_frames(r, lo, hi)):
            total += 1
            flagged += any(c.status == "fail" and c.id in ids for c in f.checks)
    return flagged, total


def judge_entry(entry: dict[str, Any], kind: str, r: SessionResult) -> EntryResult:
    """Compare one labelled entry with its analysis."""
    exp: list[str] = []
    found: list[str] = []
    problems: list[str] = []
    checked = False
    reps = len(r.reps)
    all_faults = sorted({fid for x in r.reps for fid in x.faults} | set(r.episodes))
    view_cue = r.definition.view_cue
    main_view = r.summary.view
    form = entry.get("form", "")
    found.append(f"reps={reps}")
    if "reps" in entry:
        checked = True
        exp.append(f"reps={entry['reps']}")
        if reps != entry["reps"]:
            problems.append(f"expected {entry['reps']} reps, found {reps}")
    # An unscored entry's form and camera are informational (labels' schema); its counts
    # (reps, still phase) are still checked.
    if entry.get("view") == "front" and r.definition.view == "side" and form != "unscored":
        checked = True
        exp.append("camera message")
        judged = [f for f in r.frames if any(c.status != "skipped" for c in f.checks)]
        said = any(f.cue == view_cue for f in r.frames)
        found.append(f"view={main_view}")
        if judged or not said:
            problems.append(f"front view: {len(judged)} frames judged, camera message "
                            f"{'shown' if said else 'missing'}")
    if form == "good" or (kind == "image" and entry.get("phase") == "top" and form == "good"):
        checked = True
        exp.append("no faults")
        if all_faults:
            problems.append(f"good form but flagged {all_faults}")
    if form == "fault":
        checked = True
        want = list(entry.get("faults", []))
        exp.append(f"faults {want}")
        missing = [w for w in want if w not in all_faults]
        if missing:
            problems.append(f"not flagged: {missing}")
    if form == "not_performed" and "reps" not in entry:
        checked = True
        exp.append("reps=0")
        if reps:
            problems.append(f"not performed but {reps} reps")
    if form == "unjudgeable_in_part":
        checked = True
        exp.append("says cannot judge")
        skipped = sum(1 for f in r.frames for c in f.checks if c.status == "skipped"
                      and c.message and c.message.startswith("Cannot judge"))
        found.append(f"cannot-judge checks={skipped}")
        if not skipped:
            problems.append("limbs leave the frame but no check said it cannot judge")
    if kind == "image" and entry.get("phase") in ("top", "bottom"):
        checked = True
        want_top = entry["phase"] == "top"
        exp.append(f"phase {entry['phase']}")
        if want_top != (reps == 1):
            problems.append(f"expected the {entry['phase']} position, found reps={reps}")
    if "frames" in entry and kind == "image":
        labels = entry["frames"]
        for i, lab in enumerate(labels):
            if lab == "extended_good":
                checked = True
                exp.append(f"frame {i} extended, no faults")
                phase = r.frames[i].phase if i < len(r.frames) else None
                top = [x for x in r.reps if x.start_ms <= r.frames[i].t_ms <= x.end_ms] if i < len(r.frames) else []
                if not r.definition.phases.is_active(phase) or any(x.faults for x in top):
                    problems.append(f"frame {i}: phase {phase}, faults {[x.faults for x in top]}")
    for key, want_flag in (("slouched_frames", True), ("upright_frames", False)):
        if key in entry:
            checked = True
            flagged, total = _frames_flagged(r, entry[key])
            frac = flagged / total if total else 0.0
            exp.append(f"{key.split('_')[0]} {'>=' if want_flag else '<='}"
                       f"{(SLOUCH_MIN_FRACTION if want_flag else UPRIGHT_MAX_FRACTION):.0%}")
            found.append(f"{key.split('_')[0]} {frac:.0%}")
            if want_flag and frac < SLOUCH_MIN_FRACTION:
                problems.append(f"slouched frames flagged {frac:.0%} < 90%")
            if not want_flag and frac > UPRIGHT_MAX_FRACTION:
                problems.append(f"upright frames flagged {frac:.0%} > 10%")
    if all_faults:
        found.append(f"faults {all_faults}")
    return EntryResult(entry["path"], entry.get("exercise", ""), ", ".join(exp) or "-",
                       ", ".join(found), (not problems) if checked else None, problems,
                       label_form=form, label_faults=list(entry.get("faults", [])),
                       flagged=all_faults, check_ids=r.definition.check_ids())


def load_labels(path: Path) -> list[tuple[str, dict[str, Any]]]:
    data = load_toml(path)
    entries = [("clip", e) for e in data.get("clip", [])] + [("image", e) for e in data.get("image", [])]
    if not entries:
        raise FormcheckError(f"{path}: no [[clip]] or [[image]] entries")
    for kind, e in entries:
        if "path" not in e or "exercise" not in e:
            raise FormcheckError(f"{path}: every [[{kind}]] needs path and exercise (entry {e})")
    return entries


def pose_cache_file(cache_dir: Path, rel: str) -> Path:
    """Where a labelled file's poses are cached (one flat folder: ``bridge/x.mp4`` ->
    ``bridge__x.mp4.npz``); shared by evaluate and the cross-exercise table."""
    return cache_dir / (rel.replace("/", "__") + ".npz")


def evaluate(labels_path: str | os.PathLike[str], model: str | None = None,
             cache_dir: Path | None = None, exercises: set[str] | None = None,
             full_rate: bool = False) -> list[EntryResult]:
    """Analyse every entry of a labels file (or those of ``exercises``) and judge it; a broken
    entry fails, the rest go on. Clips are analysed as ``formcheck analyze`` does (adaptive
    sampling unless ``full_rate``); with ``cache_dir`` the model's poses of every frame are
    cached and re-used (a pose file serves any exercise, so it is always full rate)."""
    labels = Path(labels_path)
    out = []
    for kind, e in load_labels(labels):
        if exercises is not None and e.get("exercise") not in exercises:
            continue
        clip = (labels.parent / e["path"]).resolve()
        try:
            d = get_definition(e["exercise"])
            cached = None
            cache = pose_cache_file(cache_dir, str(e["path"])) if cache_dir else None
            if cache is not None and cache.is_file():
                cached = PoseSequence.load(cache)
            r = analyze_clip(clip, d, model=model, landmarks=cached,
                             poses_out=cache if cache is not None and cached is None else None,
                             full_rate=full_rate)
            res = judge_entry(e, kind, r)
            res.samples = collect(e, r)
            out.append(res)
        except FormcheckError as err:
            out.append(EntryResult(e["path"], e["exercise"], "-", "error", False, [str(err)]))
    return out


def margin_table(results: list[EntryResult]) -> str:
    """The margin table over every entry (see :mod:`formcheck.evaluation.margins`)."""
    total = Samples()
    for x in results:
        if x.samples is not None:
            total.merge(x.samples)
    return format_margins(total)


def accuracy_table(results: list[EntryResult]) -> str:
    """The per-check accuracy table over every entry judged (see :mod:`formcheck.evaluation.accuracy`)."""
    return format_accuracy(tally([x for x in results if x.check_ids]))


def format_table(results: list[EntryResult]) -> str:
    rows = [("entry", "exercise", "expected", "found", "result")]
    for x in results:
        res = "info" if x.passed is None else "PASS" if x.passed else "FAIL: " + "; ".join(x.problems)
        rows.append((x.path, x.exercise, x.expected, x.found, res))
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(4)]
    lines = ["  ".join(r[i][:60].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    passed = sum(1 for x in results if x.passed)
    failed = sum(1 for x in results if x.passed is False)
    info = sum(1 for x in results if x.passed is None)
    lines.append(f"{passed} passed, {failed} failed, {info} informational")
    return "\n".join(lines)
