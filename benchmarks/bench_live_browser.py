"""Server CPU per live stream with a real browser, the three live paths side by side in one
run: the landmark websocket (the default; with ``socket-timer`` also with the panel on a 1 s timer
instead of its watcher), the component values (its fallback) and the WebRTC video path (the
model on the server). Each path: `streamlit run streamlit_app.py`,
headless Chromium with a fake webcam from a real clip (looped), START on the Live page, then
the app server process's CPU (/proc, all threads) over a steady window; for the in-browser
paths the component's own figures too (judged fps, inference ms, capture-to-verdict latency
beyond inference p50/p95, START to first verdict). The browser here finds landmarks at
8-13 fps (CPU delegate, no GPU): the landmark paths are judged at that rate;
benchmarks/bench_live_load.py gives the socket path's server CPU at a full 30 Hz.

``--in-process`` adds the judging-only numbers (no Streamlit, no browser) of the last round.

    .venv/bin/python benchmarks/bench_live_browser.py [--window 20] [--paths socket component webrtc]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT.parent / "shared" / "media" / "bridge" / "darebee_bridge.mp4"
FPS = 30.0
CPU_TARGET_PCT, LATENCY_P95_TARGET_MS = 3.0, 150.0
PATHS: dict[str, tuple[str, dict[str, str]]] = {
    "socket": ("landmark websocket (default)", {}),
    # the set on a judging worker (one stream is judged in the app server's own process by default)
    "socket-on-worker": ("websocket, judged on a worker", {"FORMCHECK_LIVE_IN_SERVER": "0"}),
    # the panel beside the video on a 1 s timer, as before its watcher reran it only on news
    "socket-timer": ("websocket, panel on a 1 s timer", {"FORMCHECK_PANEL_REFRESH_S": "1"}),
    "component": ("component values (fallback)", {"FORMCHECK_LIVE_TRANSPORT": "component"}),
    "webrtc": ("WebRTC video, model on the server", {"FORMCHECK_LIVE_POSE": "server"}),
}
STATS_JS = """() => { const s = window.fcStats, q = (a, p) => { if (!a.length) return null;
  const x = [...a].sort((m, n) => m - n); return x[Math.min(x.length - 1, Math.floor(x.length * p))]; };
  return { transport: s.transport, frames: s.frames, infer_ms: q(s.inferMs, 0.5), beyond_p50: q(s.latencyMs, 0.5),
    beyond_p95: q(s.latencyMs, 0.95), verdict_p95: q(s.verdictMs, 0.95), first_verdict_ms: s.firstVerdictMs,
    fps: s.times.length > 1 ? (s.times.length - 1) * 1000 / (s.times[s.times.length - 1] - s.times[0]) : 0 }; }"""
log = logging.getLogger("bench_live_browser")
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]   # the tests' real-browser helpers
from browser import cpu_s, server_pid  # noqa: E402


def browser_path(pw: Any, y4m: Path, key: str, window_s: float, work: Path) -> dict[str, Any]:
    """One path's steady-state figures: START, first verdict, settle 3 s, then ``window_s``."""
    from browser import CHROMIUM, CHROMIUM_FLAGS, running_app

    chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    out: dict[str, Any] = {}
    try:
        with running_app(work, env={**PATHS[key][1], "FORMCHECK_BROWSER_MIN_FPS": "1"}) as url:
            page = chromium.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_test_id("stSidebar").get_by_role("combobox", name="Exercise").click(timeout=90_000)
            page.get_by_role("option", name="Glute bridge", exact=True).click()
            title = "streamlit_webrtc" if key == "webrtc" else "pose_live"
            page.locator(f"iframe[title*='{title}']").first.wait_for(state="attached", timeout=90_000)
            frame = page.frame_locator(f"iframe[title*='{title}'] >> visible=true").first
            frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
            page.locator("[data-testid='stMetric']", has_text="Reps").first.wait_for(timeout=90_000)
            time.sleep(3.0)   # START's page rerun and the model warm-up are over
            pid = server_pid(url)
            c0, t0 = cpu_s(pid), time.monotonic()
            time.sleep(window_s)
            out["cpu"] = 100.0 * (cpu_s(pid) - c0) / (time.monotonic() - t0)
            if key != "webrtc":
                # the Live tab's component (the Desk monitor tab has one too)
                live = page.get_by_role("tabpanel", name="Live").locator("iframe[title*='pose_live']")
                pose = live.first.element_handle(timeout=5000).content_frame()
                out.update(pose.evaluate(STATS_JS))
    finally:
        chromium.close()
    return out


def fmt(v: Any, spec: str = "{:.0f}") -> str:
    return spec.format(v) if isinstance(v, int | float) else "-"


def run_browser(paths: list[str], window_s: float) -> None:
    from browser import make_y4m
    from playwright.sync_api import sync_playwright
    from targets import target

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        y4m = Path(tmp) / "clip.y4m"
        make_y4m(CLIP, y4m)
        runs: list[tuple[str, dict[str, Any]]] = []   # a path may be named twice: interleaved A/B runs
        for k, key in enumerate(paths):
            work = Path(tmp) / f"{k}-{key}"
            work.mkdir()
            log.info("measuring: %s ...", PATHS[key][0])
            runs.append((key, browser_path(pw, y4m, key, window_s, work)))
        results = {key: r for key, r in reversed(runs)}   # the first run of each path for the targets
        log.info("clip %s looped by the fake webcam at 30 fps; %.0f s window; app server process CPU", CLIP.name,
                 window_s)
        log.info("%-36s %12s %10s %9s %22s %14s %12s", "path", "server CPU %", "judged fps", "infer ms",
                 "beyond inference p50/p95", "verdict p95", "first verdict")
        for key, r in runs:
            log.info("%-36s %12.1f %10s %9s %22s %14s %12s", PATHS[key][0], r["cpu"], fmt(r.get("fps"), "{:.1f}"),
                     fmt(r.get("infer_ms")), f"{fmt(r.get('beyond_p50'))} / {fmt(r.get('beyond_p95'))} ms",
                     fmt(r.get("verdict_p95")), fmt(r.get("first_verdict_ms")))
        if "socket" in results:
            r = results["socket"]
            log.info("landmarks travelled by: %s", r.get("transport"))
            log.info("socket path: server CPU per stream %.1f%% %s", r["cpu"],
                     target("server CPU per stream (socket, browser)", r["cpu"], CPU_TARGET_PCT, "%"))
            p95 = r.get("beyond_p95")
            if isinstance(p95, int | float):
                log.info("socket path: capture-to-verdict beyond inference p95 %.0f ms %s", p95,
                         target("latency beyond inference p95 (socket)", p95, LATENCY_P95_TARGET_MS, " ms"))
        for other in ("socket-on-worker", "socket-timer", "component", "webrtc"):
            if other in results and "socket" in results and results["socket"]["cpu"] > 0:
                ratio = results[other]["cpu"] / results["socket"]["cpu"]
                log.info("%s / socket server CPU: %.1fx", PATHS[other][0], ratio)


def run_in_process() -> None:
    """Judging only (no Streamlit, no browser): LandmarkLive.feed vs LiveProcessor.process."""
    import av
    import numpy as np

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.landmarks import LandmarkLive
    from formcheck.run.live.replay import browser_frames, messages
    from formcheck.run.live.video import LiveProcessor

    frames = browser_frames(CLIP, FPS)
    clip_s = (frames[-1]["t"] - frames[0]["t"]) / 1000.0
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    t = time.process_time()
    for m in messages(frames, camera_fps=FPS):
        proc.feed(m)
    judged = (time.process_time() - t) / clip_s
    with av.open(str(CLIP)) as c:
        rgb = [(np.asarray(f.to_ndarray(format="rgb24"), np.uint8), float(f.time or 0.0)) for f in c.decode(video=0)]
    video = LiveProcessor(get_definition("bridge"), default_model_path())
    video.process(rgb[0][0], 0.0)   # the model loads outside the timing
    t = time.process_time()
    for img, s in rgb[1:]:
        video.process(img, s)
    model = (time.process_time() - t) / (rgb[-1][1] - rgb[0][1])
    video.close()
    log.info("in process, %d frames over %.1f s: judging landmarks %.2f%% of a core per stream, "
             "server-side video (model + engine + overlay) %.1f%% (%.0fx)", len(frames), clip_s, 100 * judged,
             100 * model, model / judged)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--window", type=float, default=20.0, help="steady-state seconds measured per path")
    ap.add_argument("--paths", nargs="+", choices=list(PATHS), default=list(PATHS))
    ap.add_argument("--in-process", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not CLIP.is_file():
        sys.exit(f"{CLIP}: real media not found")
    if args.in_process:
        run_in_process()
    run_browser(args.paths, args.window)


if __name__ == "__main__":
    main()
