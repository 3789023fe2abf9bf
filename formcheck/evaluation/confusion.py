"""Cross-exercise table: every labelled clip analysed as every exercise.

Each cell is the number of reps (holds reached, for hold exercises) that an exercise's rules
count on a clip. A clip's own exercise should count its labelled reps; every other exercise
should count none, so a look-alike that is counted stands out. Poses are computed once per
clip (or read from a cache) and re-used for every exercise: the rules, not the model, differ.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formcheck.core.errors import FormcheckError
from formcheck.core.pose import PoseSequence
from formcheck.engine.session import analyze_sequence
from formcheck.evaluation.evaluate import load_labels, pose_cache_file
from formcheck.rules.definition import Definition, available_exercises, get_definition
from formcheck.run.pipeline import extract_poses

log = logging.getLogger(__name__)


@dataclass
class ConfusionRow:
    path: str
    labelled: str                    # the entry's exercise
    expected: int | None             # labelled reps of that exercise (None: not labelled)
    counts: dict[str, int] = field(default_factory=dict)   # exercise id -> reps counted
    error: str = ""


def _poses(clip: Path, rel: str, cache_dir: Path | None, model: str | None) -> PoseSequence:
    cache = pose_cache_file(cache_dir, rel) if cache_dir else None
    if cache is not None and cache.is_file():
        return PoseSequence.load(cache)
    seq = extract_poses(clip, model=model)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        seq.save(cache)
    return seq


def _negative(e: dict[str, Any]) -> bool:
    """An entry that says what a clip is NOT (a cross-exercise negative)."""
    return e.get("form") == "not_performed" or (e.get("form") == "fault" and "reps" not in e
                                                 and "phase" not in e)


def _row(rel: str, es: list[dict[str, Any]]) -> ConfusionRow:
    """The clip's own exercise and labelled count, from its positive entry (if any)."""
    own = next((e for e in es if not _negative(e)), None)
    if own is None:
        return ConfusionRow(rel, "", None)
    reps = own.get("reps")
    if reps is None and own.get("phase") in ("top", "bottom"):
        reps = 1 if own["phase"] == "top" else 0
    return ConfusionRow(rel, str(own["exercise"]), reps)


def confusion(labels_paths: list[str | os.PathLike[str]], model: str | None = None,
              cache_dir: Path | None = None,
              exercises: list[Definition] | None = None) -> tuple[list[str], list[ConfusionRow]]:
    """(exercise ids, one row per distinct labelled clip or still)."""
    defs = exercises or [get_definition(e) for e in available_exercises()]
    entries: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for lp in labels_paths:
        labels = Path(lp)
        for _, e in load_labels(labels):
            entries.setdefault(str(e["path"]), []).append((labels.parent, e))
    rows: dict[str, ConfusionRow] = {}
    for rel, es in entries.items():
        row = _row(rel, [e for _, e in es])
        rows[rel] = row
        try:
            seq = _poses((es[0][0] / rel).resolve(), rel, cache_dir, model)
        except FormcheckError as err:
            row.error = str(err)
            continue
        for d in defs:
            row.counts[d.id] = len(analyze_sequence(seq, d).reps)
    return [d.id for d in defs], list(rows.values())


def format_confusion(ids: list[str], rows: list[ConfusionRow]) -> str:
    """The table: one line per clip, a column per exercise; ``*`` marks a look-alike counted
    (reps by an exercise other than the clip's own), ``!`` the clip's own exercise missing its
    labelled count."""
    short = {i: i[:10] for i in ids}
    head = f"{'clip':46} {'labelled as':18} " + " ".join(f"{short[i]:>10}" for i in ids)
    lines = [head]
    bad = 0
    for r in rows:
        cells = []
        for i in ids:
            n = r.counts.get(i)
            mark = ""
            if n is None:
                cells.append(f"{'err':>10}")
                continue
            if n and i != r.labelled:
                mark, bad = "*", bad + 1
            elif i == r.labelled and r.expected is not None and n != r.expected:
                mark = "!"
            cells.append(f"{str(n) + mark:>10}")
        lab = r.labelled or "(negative)"
        lines.append(f"{r.path[-46:]:46} {lab[:18]:18} " + " ".join(cells) + (f"  {r.error}" if r.error else ""))
    lines.append(f"{bad} look-alike count(s): reps counted by an exercise on another exercise's clip (*); "
                 "! = the clip's own exercise differs from its label")
    return "\n".join(lines)
