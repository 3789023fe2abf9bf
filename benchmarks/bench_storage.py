"""Storage benchmark (``python benchmarks/bench_storage.py [--postgres]``), measured in this run:

- writing one rep (its own transaction, as the live page does) on SQLite: p50 / p99 ms
  (target p99 <= 5 ms); with --postgres also on a throwaway local PostgreSQL server;
- a patient with a year of daily sets (generated: 3 exercises a day, 10 reps each): the
  Progress page's data and charts (target <= 1 s) and ``formcheck history`` (<= 0.5 s), both
  in process, plus ``formcheck history`` as a whole new process for reference.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from targets import target

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def rep_writes(url: str | None, data_dir: Path, n: int = 400) -> tuple[float, float]:
    from formcheck.engine.reps import Rep
    from formcheck.storage import open_database, repo

    db = open_database(data_dir, url)
    sid = repo.start_set(db, "Bench Patient", "bridge", "live", "1.1")
    times = []
    for i in range(1, n + 1):
        rep = Rep(i, None, i * 1000.0, i * 1000.0 + 400, i * 1000.0 + 800, 300.0, [],
                  key_angles={"hip_extension_deg": 175.0})
        t = time.perf_counter()
        repo.add_rep(db, sid, rep)
        times.append((time.perf_counter() - t) * 1000.0)
    db.dispose()
    times.sort()
    return statistics.median(times), times[int(0.99 * len(times)) - 1]


def year_of_sets(data_dir: Path) -> None:
    """365 days x 3 exercises x 10 reps, written in bulk (core inserts)."""
    from sqlalchemy import insert

    from formcheck.storage import open_database, repo
    from formcheck.storage.models import ExerciseSet, RepRow

    db = open_database(data_dir)
    pid = repo.ensure_patient(db, "Year Patient")
    start = datetime.now(UTC) - timedelta(days=365)
    with db.engine.begin() as c:
        for d in range(365):
            for k, ex in enumerate(("bridge", "bird_dog", "sitting")):
                t0 = start + timedelta(days=d, hours=8 + k)
                sid = c.execute(insert(ExerciseSet).values(
                    patient_id=pid, exercise=ex, source="live", started_at=t0, ended_at=t0 + timedelta(minutes=3),
                    definition_version="1.1", clip="webcam", summary={"faults": {}})).inserted_primary_key[0]
                c.execute(insert(RepRow), [
                    {"set_id": sid, "index": i, "side": None, "start_ms": i * 3000.0, "top_ms": i * 3000.0 + 1000,
                     "end_ms": i * 3000.0 + 2000, "hold_ms": 500.0, "faults": ["hips_too_low"] if i == 10 else [],
                     "key_angles": {"hip_extension_deg": 160.0 + d / 30}} for i in range(1, 11)])
    db.dispose()


def progress_and_history(data_dir: Path) -> tuple[float, float, float, float]:
    from formcheck.cli.main import main
    from formcheck.storage import open_database, repo
    from formcheck.ui.progress_page import _by_day, day_chart

    db = open_database(data_dir)
    t = time.perf_counter()
    sets = repo.history(db, "Year Patient")
    days = _by_day(sets)
    for ex in days["exercise"].unique():
        mine = days[days["exercise"] == ex]
        for col in ("reps", "good_share", "hip_extension_deg", "hold_s"):
            day_chart(mine, col, col).to_dict()   # the Vega-Lite spec Streamlit sends
    page_s = time.perf_counter() - t
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):   # 365 lines
        main(["history", "--patient", "Year Patient", "--data-dir", str(data_dir), "--exercise", "bridge"])
    history_s = time.perf_counter() - t
    import resource

    t, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "formcheck", "history", "--patient", "Year Patient", "--data-dir",
                    str(data_dir)], capture_output=True, check=True)
    process_s = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    db.dispose()   # CPU beside wall: on a shared machine the wall time is mostly the others' load
    return page_s, history_s, process_s, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", action="store_true", help="also time rep writes on a local PostgreSQL")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        p50, p99 = rep_writes(None, Path(tmp) / "w")
        print(f"rep write, SQLite (WAL): p50 {p50:.2f} ms, p99 {p99:.2f} ms "
              f"{target('rep write p99, SQLite', p99, 5, ' ms')}")
        if a.postgres:
            from dbserver import pg_bin, postgres_server

            if pg_bin() is None:
                print("rep write, PostgreSQL: skipped (not installed)")
            else:
                with postgres_server() as url:
                    p50, p99 = rep_writes(url, Path(tmp) / "pg")
                print(f"rep write, PostgreSQL (loopback): p50 {p50:.2f} ms, p99 {p99:.2f} ms")
        year = Path(tmp) / "year"
        year_of_sets(year)
        page_s, history_s, process_s, process_cpu_s = progress_and_history(year)
        print(f"a year of daily sets (1095 sets, 10950 reps): progress data + charts {page_s * 1000:.0f} ms "
              f"{target('Progress page data + charts', page_s * 1000, 1000, ' ms')}, history "
              f"{history_s * 1000:.0f} ms in process {target('history in process', history_s * 1000, 500, ' ms')}, "
              f"{process_s * 1000:.0f} ms as a new process ({process_cpu_s * 1000:.0f} ms CPU) "
              f"{target('history as a new process', process_s * 1000, 500, ' ms')}")


if __name__ == "__main__":
    main()
