"""Load curve of the landmark websocket: N patients streaming a real clip's landmarks (every frame,
24-30 Hz) against one server, no browser. The landmarks are the clip's own
(formcheck.live_replay runs the pose model as the browser would, once, cached); each client
speaks the component's socket protocol as pose.js does (hello with its token; each frame as soon
as it is "found", but at most one message per 60 ms, so at 24-30 fps two frames a message; a
reply per message; STOP at the end) and times every frame from the moment it was found (its time
in the clip) to the reply that acknowledges it: the verdict latency beyond inference, waiting
for the next send included. The server (benchmarks/live_load_server.py, the app's own handler
without Streamlit) runs in its own process; its CPU is read from /proc (CPU ms per frame: what
the machine's other load cannot change). After it stops, the patients' histories must hold every
rep the clip has (one set each).

    .venv/bin/python benchmarks/bench_live_load.py [--patients 1 10 25 50 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]
from bench_live_browser import CLIP  # noqa: E402
from browser import cpu_s, free_port  # noqa: E402
from targets import target  # noqa: E402

log = logging.getLogger("bench_live_load")
FPS = 30.0
P95_TARGET_MS, AT_PATIENTS = 250.0, 50
CPU_TARGET_PCT = 3.0
SEND_MIN_MS = 60.0   # pose.js SOCKET_MIN_MS
Encoded = list[tuple[list[tuple[int, float]], str]]   # ((frame index, ms since START) per frame, message)


def clip_frames() -> list[dict]:
    """The clip's landmarks at 30 fps in the component's protocol (cached in the temp dir)."""
    cache = Path(tempfile.gettempdir()) / f"formcheck-bench-{CLIP.stem}-{FPS:.0f}fps.json"
    if cache.is_file():
        return list(json.loads(cache.read_text()))
    from formcheck.live_replay import browser_frames

    frames = browser_frames(CLIP, FPS)
    cache.write_text(json.dumps(frames))
    return frames


def expected_reps(frames: list[dict]) -> int:
    """The reps the same frames give in process (the clip's count through the live path)."""
    from formcheck.definition import get_definition
    from formcheck.live_landmarks import LandmarkLive
    from formcheck.models import default_model_path

    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    for f in frames:
        proc.feed({"batch": f["i"], "running": True, "frames": [f]})
    proc.feed({"batch": len(frames), "running": False, "frames": []})
    return int(proc.summary()["rep_count"])


async def patient(url: str, token: str, encoded: Encoded, lat_ms: list[float],
                  late_ms: list[float]) -> bool:
    """One patient's set; True when the server closed it as stopped."""
    import websockets

    found: dict[int, float] = {}
    async with websockets.connect(url, max_size=None, compression=None, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        if json.loads(await ws.recv()).get("type") != "ready":
            return False

        async def replies() -> None:
            async for raw in ws:
                ack = json.loads(raw).get("ack", -1)
                now = time.perf_counter()
                for i in [i for i in found if i <= ack]:
                    lat_ms.append((now - found.pop(i)) * 1000.0)

        reader = asyncio.create_task(replies())
        t0 = time.perf_counter()
        for batch, text in encoded:
            delay = t0 + batch[-1][1] / 1000.0 - time.perf_counter()   # when its newest frame is found
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                late_ms.append(-delay * 1000.0)
            for i, t_ms in batch:
                found[i] = t0 + t_ms / 1000.0
            await ws.send(text)
        await ws.send(json.dumps({"batch": len(encoded) + 1, "running": False, "frames": []}))
        await reader
        return ws.close_code == 1000


async def drive(url: str, tokens: list[str], encoded: Encoded) -> tuple[list[float], list[float], int]:
    lat: list[float] = []
    late: list[float] = []
    starts = [k / len(tokens) * (1000.0 / FPS) / 1000.0 for k in range(len(tokens))]   # spread over a frame

    async def one(k: int) -> bool:
        await asyncio.sleep(starts[k])
        return await patient(url, tokens[k], encoded, lat, late)
    ok = await asyncio.gather(*(one(k) for k in range(len(tokens))), return_exceptions=True)
    return lat, late, sum(1 for x in ok if x is True)


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))] if s else float("nan")


def run(n: int, frames: list[dict], reps: int, work: Path) -> dict[str, float]:
    from formcheck.live_replay import messages

    port = free_port()
    tokens_file, db_file = work / f"tokens-{n}.json", work / f"load-{n}.db"
    env = {**os.environ, "FC_LOAD_PATIENTS": str(n), "FC_LOAD_DB": str(db_file), "FC_LOAD_TOKENS": str(tokens_file),
           "GLOG_minloglevel": "2"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "benchmarks.live_load_server:app",
                               "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio",
                               "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while not tokens_file.is_file():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the load server did not start")
            time.sleep(0.2)
        tokens = json.loads(tokens_file.read_text())
        encoded = [([(f["i"], f["t"]) for f in m["frames"]], json.dumps(m))
                   for m in messages(frames, batch_ms=SEND_MIN_MS) if m["running"]]
        c0, w0, me0 = cpu_s(server.pid), time.monotonic(), time.process_time()
        lat, late, closed = asyncio.run(drive(f"ws://127.0.0.1:{port}/formcheck/landmarks", tokens, encoded))
        wall = time.monotonic() - w0
        cpu_pct = 100.0 * (cpu_s(server.pid) - c0) / wall
        client_pct = 100.0 * (time.process_time() - me0) / wall
    finally:
        server.terminate()
        server.wait(60)
    recorded = sets_with_all_reps(db_file, n, reps)
    return {"n": n, "cpu": cpu_pct, "p50": pct(lat, 0.5), "p95": pct(lat, 0.95), "replies": len(lat),
            "late_p95": pct(late, 0.95) if late else 0.0, "closed": closed, "recorded": recorded,
            "client": client_pct, "wall": wall, "ms_per_frame": cpu_pct / 100.0 * wall / max(len(lat), 1) * 1000.0}


def sets_with_all_reps(db_file: Path, n: int, reps: int) -> int:
    from benchmarks.live_load_server import patient as name
    from formcheck.db import repo
    from formcheck.db.database import Database

    db = Database(f"sqlite:///{db_file}")
    try:
        return sum(1 for k in range(n) if [s.reps for s in repo.history(db, name(k))] == [reps])
    finally:
        db.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, nargs="+", default=[1, 10, 25, 50, 100])
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    frames = clip_frames()
    reps = expected_reps(frames)
    clip_s = (frames[-1]["t"] - frames[0]["t"]) / 1000.0
    log.info("clip %s: %d frames over %.1f s (%.1f Hz per patient: every frame of the clip, at most %.0f), %d reps",
             CLIP.name, len(frames), clip_s, len(frames) / clip_s, FPS, reps)
    log.info("%9s %14s %16s %15s %16s %8s %10s %15s %10s %8s %13s", "patients", "server CPU %", "CPU % / patient",
             "CPU ms / frame", "verdict ms p50", "p95", "frames", "sends late p95", "client %", "wall s",
             "all reps kept")
    with tempfile.TemporaryDirectory() as work:
        for n in args.patients:
            r = run(n, frames, reps, Path(work))
            note = ""
            if n == 1:
                note += " " + target("server CPU per stream (socket, one patient)", r["cpu"], CPU_TARGET_PCT, "%")
            if n == AT_PATIENTS:
                note += " " + target(f"p95 verdict latency at {n} patients", r["p95"], P95_TARGET_MS, " ms")
            log.info("%9d %14.1f %16.2f %15.2f %16.1f %8.1f %10d %15.1f %10.0f %8.1f %9d / %d%s", n, r["cpu"],
                     r["cpu"] / n, r["ms_per_frame"], r["p50"], r["p95"], r["replies"], r["late_p95"], r["client"],
                     r["wall"], r["recorded"], n, note)
            if r["recorded"] < n or r["closed"] < n:
                log.info("target missed: every rep recorded at %d patients (%d of %d sets complete, "
                         "%d closed as stopped)", n, r["recorded"], n, r["closed"])


if __name__ == "__main__":
    main()
