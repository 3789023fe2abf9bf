"""Batches on a Ray cluster (``formcheck batch ... --ray auto|ADDRESS``; extra ``formcheck[cluster]``).

The only module that imports ray. Each worker is a Ray actor that analyses one clip at a time
with its own pose landmarker (MediaPipe's VIDEO mode needs one per clip stream), exactly as a
local worker process does (:func:`formcheck.run.batch.analyze_one`). Clips travel to the workers as
bytes and the outputs come back as bytes, so the cluster's machines need formcheck installed
but no shared folder; the driver writes every output atomically, the report last, so resume
("a report present means done") and failure isolation are the local pool's.
"""

from __future__ import annotations

import logging
import socket
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from formcheck.core import atomic
from formcheck.core.errors import FormcheckError
from formcheck.run.batch import BatchJob, ClipOutcome, analyze_one

log = logging.getLogger(__name__)

Staged = tuple[ClipOutcome, dict[str, bytes]]


def analyze_staged(clip: str, data: bytes, stem: str, job: BatchJob, profile_text: str | None) -> Staged:
    """On a worker: analyse a clip given as bytes in a private folder; return the outcome and
    the output files (name -> bytes). The report names the clip by its driver-side path."""
    with tempfile.TemporaryDirectory(prefix="formcheck-ray-") as tmp:
        root = Path(tmp)
        src = root / ("clip" + Path(clip).suffix)
        src.write_bytes(data)
        profile = None
        if profile_text is not None and job.profile is not None:
            profile = root / job.profile.name
            profile.write_text(profile_text, encoding="utf-8")
        staged = replace(job, out_dir=root / "out", profile=profile, force=True)
        staged.out_dir.mkdir()
        outcome = analyze_one(str(src), stem, staged, shown_as=clip)
        files = {p.name: p.read_bytes() for p in staged.out_dir.iterdir() if p.is_file()}
    outcome.clip = clip
    return outcome, files


def _check_reachable(address: str, timeout_s: float = 3.0) -> None:
    """Fail fast on a HOST:PORT (or ray://HOST:PORT) nobody answers: Ray itself retries for
    minutes. "auto" is Ray's own lookup, which fails fast when this machine joined none."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise FormcheckError(f"Ray address {address!r}: give auto, HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as e:
        raise FormcheckError(f"cannot connect to the Ray cluster at {address!r}: {e}") from None


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise FormcheckError("--ray needs Ray: pip install 'formcheck[cluster]' (on every machine of "
                             "the cluster)") from None
    return ray


def run_on_ray(todo: list[Path], stems: dict[Path, str], job: BatchJob, address: str,
               workers: int | None = None,
               on_result: Callable[[ClipOutcome], None] | None = None) -> dict[Path, ClipOutcome]:
    """Analyse ``todo`` on the Ray cluster at ``address`` ("auto": the one this machine is part
    of); returns one outcome per clip. Outputs land in ``job.out_dir`` on this machine."""
    ray = _ray()
    _check_reachable(address)
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False,
                 ignore_reinit_error=True)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise FormcheckError(f"cannot connect to the Ray cluster at {address!r}: {e}") from None
    try:
        n = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        worker = ray.remote(num_cpus=1, max_restarts=0)(_Worker)
        actors = [worker.remote() for _ in range(min(n, len(todo)))]
        profile_text = job.profile.read_text(encoding="utf-8") if job.profile else None
        pending: dict[Any, tuple[Path, Any]] = {}
        queue = list(todo)
        outcomes: dict[Path, ClipOutcome] = {}

        def submit(actor: Any) -> None:
            """Give ``actor`` the next clip that can be read (an unreadable one is failed here)."""
            while queue:
                clip = queue.pop(0)
                try:
                    data = clip.read_bytes()
                except OSError as e:
                    outcomes[clip] = ClipOutcome(str(clip), "failed", error=f"cannot read the clip: {e}")
                    if on_result:
                        on_result(outcomes[clip])
                    continue
                pending[actor.analyze.remote(str(clip), data, stems[clip], job, profile_text)] = (clip, actor)
                return

        for a in actors:
            submit(a)
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            clip, actor = pending.pop(ref)
            try:
                outcome, files = ray.get(ref)
                outcomes[clip] = _land(outcome, files, stems[clip], job)
            except Exception as e:   # the actor died (killed, out of memory): report, go on
                outcomes[clip] = ClipOutcome(str(clip), "failed", error=f"worker failed: {e}")
                actor = worker.remote()
            if on_result:
                on_result(outcomes[clip])
            submit(actor)
        return outcomes
    finally:
        ray.shutdown()


class _Worker:
    """A Ray actor: one clip at a time (its own landmarker per clip)."""

    def __init__(self) -> None:
        import os

        os.environ.setdefault("GLOG_minloglevel", "2")

    def analyze(self, clip: str, data: bytes, stem: str, job: BatchJob, profile_text: str | None) -> Staged:
        return analyze_staged(clip, data, stem, job, profile_text)


def _land(outcome: ClipOutcome, files: dict[str, bytes], stem: str, job: BatchJob) -> ClipOutcome:
    """Write a worker's outputs here, atomically, the report last (its presence means done)."""
    report = f"{stem}.json"
    for name in sorted(files, key=lambda n: n == report):
        atomic.write_bytes(job.out_dir / name, files[name])
    if outcome.status == "done":
        outcome.report = str(job.out_dir / report)
    return outcome
