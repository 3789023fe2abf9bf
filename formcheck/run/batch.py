"""Batch analysis: many clips (folders, files, globs) in parallel worker processes.

Each worker process analyses one clip at a time with its own pose landmarker (MediaPipe's
VIDEO mode needs strictly increasing timestamps per landmarker, so one is never shared). The
report of a clip is written last and atomically, so its presence means "done": a re-run skips
finished clips (resumable) unless ``force``. A failing clip is recorded and the rest go on.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import io
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from formcheck.core import atomic
from formcheck.core.config import MEDIA_SUFFIXES
from formcheck.core.errors import FormcheckError

log = logging.getLogger(__name__)



@dataclass
class ClipOutcome:
    clip: str
    status: str                      # done | skipped | failed
    reps: int | None = None
    faults: dict[str, int] = field(default_factory=dict)
    good_form: float | None = None
    seconds: float = 0.0
    report: str = ""
    error: str = ""


@dataclass(frozen=True)
class BatchJob:
    exercise: str
    out_dir: Path
    profile: Path | None = None
    model: str | None = None
    video: bool = False
    csv: bool = True
    force: bool = False
    full_rate: bool = False   # the pose model on every frame (default: adaptive sampling)


def find_clips(inputs: Iterable[str]) -> list[Path]:
    """Expand folders (recursively), globs and files into a sorted list of media files."""
    found: set[Path] = set()
    for item in inputs:
        paths = [Path(p) for p in glob.glob(item, recursive=True)] if glob.has_magic(item) else [Path(item)]
        if not paths:
            raise FormcheckError(f"{item}: no file matches")
        for p in paths:
            if p.is_dir():
                found.update(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in MEDIA_SUFFIXES)
            elif p.is_file():
                found.add(p)
            else:
                raise FormcheckError(f"{p}: no such file or folder")
    return sorted(found)


def output_stem(clip: Path) -> str:
    """A stable, unique output name per clip: ``name_ext-<hash of its absolute path>``, the
    same on every run (so finished clips are recognised) and distinct for same-named clips
    in different folders."""
    digest = hashlib.sha256(os.path.abspath(clip).encode()).hexdigest()[:8]
    ext = clip.suffix[1:].lower()
    return f"{clip.stem}_{ext}-{digest}" if ext else f"{clip.stem}-{digest}"


def _worker_init() -> None:
    os.environ.setdefault("GLOG_minloglevel", "2")


def analyze_one(clip: str, stem: str, job: BatchJob, shown_as: str | None = None) -> ClipOutcome:
    """Run in a worker process: analyse one clip and write its outputs (report last).
    ``shown_as``: the clip's name in the report when it was copied here (a Ray worker)."""
    from formcheck.engine.report import write_csv, write_report
    from formcheck.rules.definition import get_definition
    from formcheck.rules.profile import apply_profile, load_profile
    from formcheck.run.pipeline import analyze_clip

    t0 = time.perf_counter()
    out = job.out_dir / f"{stem}.json"
    try:
        d = get_definition(job.exercise)
        profile = load_profile(job.profile) if job.profile else None
        d = apply_profile(d, profile, where=str(job.profile))
        r = analyze_clip(clip, d, profile, model=job.model,
                         video_out=job.out_dir / f"{stem}.mp4" if job.video else None,
                         full_rate=job.full_rate)
        if shown_as is not None:
            r.info.path = shown_as
        if job.csv:
            write_csv(r, job.out_dir / f"{stem}.csv")
        write_report(r, out)
    except (FormcheckError, OSError, MemoryError) as e:
        return ClipOutcome(clip, "failed", seconds=time.perf_counter() - t0, error=str(e))
    except Exception as e:   # one bad clip must not stop the batch; keep the reason
        log.exception("unexpected error on %s", clip)
        return ClipOutcome(clip, "failed", seconds=time.perf_counter() - t0,
                           error=f"{e.__class__.__name__}: {e}")
    return ClipOutcome(clip, "done", len(r.reps), dict(r.summary.faults), r.summary.good_form_fraction,
                       time.perf_counter() - t0, str(out))


def run_batch(clips: list[Path], job: BatchJob, workers: int = 1,
              on_result: Callable[[ClipOutcome], None] | None = None,
              ray_address: str | None = None) -> list[ClipOutcome]:
    """Analyse ``clips`` with ``workers`` processes (or, with ``ray_address``, on that Ray
    cluster: see :mod:`formcheck.run.cluster`); returns one outcome per clip (input order) and
    writes ``summary.csv`` in the output folder."""
    job.out_dir.mkdir(parents=True, exist_ok=True)
    stems = {c: output_stem(c) for c in clips}
    outcomes: dict[Path, ClipOutcome] = {}
    todo = []
    for c in clips:
        if not job.force and (job.out_dir / f"{stems[c]}.json").is_file():
            outcomes[c] = ClipOutcome(str(c), "skipped", report=str(job.out_dir / f"{stems[c]}.json"))
            if on_result:
                on_result(outcomes[c])
        else:
            todo.append(c)
    if todo and ray_address is not None:
        from formcheck.run.cluster import run_on_ray

        outcomes.update(run_on_ray(todo, stems, job, ray_address, on_result=on_result))
    elif todo:
        ctx = multiprocessing.get_context("spawn")   # no forked MediaPipe/thread state
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, initializer=_worker_init) as pool:
            futures: dict[Future[ClipOutcome], Path] = {
                pool.submit(analyze_one, str(c), stems[c], job): c for c in todo}
            for fut in as_completed(futures):
                c = futures[fut]
                try:
                    outcomes[c] = fut.result()
                except Exception as e:   # a worker died (e.g. killed): report, go on
                    outcomes[c] = ClipOutcome(str(c), "failed", error=f"worker failed: {e}")
                if on_result:
                    on_result(outcomes[c])
    result = [outcomes[c] for c in clips]
    atomic.write_text(job.out_dir / "summary.csv", summary_csv(result))
    return result


def summary_csv(outcomes: list[ClipOutcome]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(asdict(outcomes[0]).keys()) if outcomes else ["clip"])
    w.writeheader()
    for o in outcomes:
        row = asdict(o)
        row["faults"] = ";".join(f"{k}={v}" for k, v in o.faults.items())
        w.writerow(row)
    return buf.getvalue()


def format_summary(outcomes: list[ClipOutcome]) -> str:
    """The table printed at the end of a batch."""
    lines = [f"{'clip':50s} {'status':8s} {'reps':>4s} {'good':>5s} {'s':>6s}  faults / error"]
    for o in outcomes:
        good = f"{o.good_form:.0%}" if o.good_form is not None else "-"
        reps = str(o.reps) if o.reps is not None else "-"
        detail = o.error or ", ".join(f"{k} x{v}" for k, v in o.faults.items())
        lines.append(f"{o.clip[-50:]:50s} {o.status:8s} {reps:>4s} {good:>5s} {o.seconds:6.1f}  {detail}")
    n = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    lines.append(f"{len(outcomes)} clips: {n['done']} done, {n['skipped']} skipped (already done), "
                 f"{n['failed']} failed")
    return "\n".join(lines)
