"""START to first verdict on the Live page with the pose model in the browser: cold (a fresh
browser profile: nothing cached) beside cached (the same profile after a reload: the wasm, the
bundle and the model from the HTTP cache) and a second START on the same page (the landmarker
kept from the first set), printed side by side with their targets (issue 22: <= 3 s cold,
<= 1 s cached, here: headless Chromium, CPU delegate, no GPU).

Each round: `streamlit run streamlit_app.py`, headless Chromium with a fake webcam from a real
clip, a new browser context (its own empty profile), the Live page, Glute bridge, START; the
component's own times (window.fcStats: camera open, bundle import, landmarker created, first
inference, first landmarks, first verdict, all from the click) say where the time goes. Then STOP
and START again on the same page, then a reload of the page and START; then (profiles on disk)
that set runs until the browser has kept the model's compiled wasm (its code cache, written
after a while of a set), and START at once after another reload.

    .venv/bin/python benchmarks/bench_live_start.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT.parent / "shared" / "media" / "bridge" / "darebee_bridge.mp4"
COLD_TARGET_S, CACHED_TARGET_S = 3.0, 1.0
CASES = ("cold", "cold, settled", "second START", "reload", "reload, settled", "reload, code kept")
# "code kept": START at once after a reload once the browser has kept the model's compiled wasm.
# Chromium writes that code cache only once enough of the wasm has been optimised, i.e. after
# a while of a set (never within the 2 s sets above: seen here, no v8.wasm.cachedModule trace
# event with its default flags); a patient's second visit after a first real set is this case.
CODE_CACHE_MIN_BYTES = 100_000   # Default/Code Cache/wasm of the profile (an empty one: ~72 bytes)
CODE_CACHE_WAIT_S = 240.0
# "settled": START once the page has loaded the model (as when the patient reads the page first);
# a page that loads it only at START (no modelReady: the component before it did) gets 8 s.
SETTLED_JS = "window.fcStats && window.fcStats.modelReady"
SETTLE_OLD_S = 8.0
FIRST_VERDICT_JS = """() => { const s = window.fcStats; return s && s.firstVerdictMs !== null ? {
  first_verdict_ms: s.firstVerdictMs, first_landmarks_ms: s.firstLandmarksMs, first_infer_ms: s.firstInferMs,
  transport: s.transport, ...s.load } : null; }"""
log = logging.getLogger("bench_live_start")
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]   # the tests' real-browser helpers


def _start_and_wait(page: Any, timeout_s: float = 90.0, settled: bool = False) -> dict[str, Any]:
    """START on the Live tab's component (``settled``: once its model is loaded, as when the
    patient reads the page first); its times once the first verdict is back."""
    live = page.get_by_role("tabpanel", name="Live")   # the Desk monitor tab has a component too
    live.locator("iframe[title*='pose_live']").first.wait_for(state="attached", timeout=90_000)
    if settled:
        frame = live.locator("iframe[title*='pose_live']").first.element_handle(timeout=10_000).content_frame()
        t = time.monotonic()
        while not frame.evaluate(SETTLED_JS):
            if frame.evaluate("window.fcStats && window.fcStats.modelReady === undefined"):
                time.sleep(SETTLE_OLD_S)
                break
            if time.monotonic() - t > timeout_s:
                raise RuntimeError("the model did not load")
            time.sleep(0.1)
    live.frame_locator("iframe[title*='pose_live']").first.get_by_role("button", name=re.compile("^start$", re.I)) \
        .click(timeout=60_000)
    frame = live.locator("iframe[title*='pose_live']").first.element_handle(timeout=10_000).content_frame()
    deadline = time.monotonic() + timeout_s
    while (got := frame.evaluate(FIRST_VERDICT_JS)) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no verdict {timeout_s:.0f} s after START")
        time.sleep(0.05)
    return dict(got)


def _open_live(page: Any, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Exercise").click(timeout=90_000)
    page.get_by_role("option", name="Glute bridge", exact=True).click()


def _stop(page: Any) -> None:
    frame = page.get_by_role("tabpanel", name="Live").frame_locator("iframe[title*='pose_live']").first
    frame.get_by_role("button", name=re.compile("^stop$", re.I)).click(timeout=30_000)
    page.get_by_text("Set summary").wait_for(timeout=60_000)


def wasm_code_cache_bytes(profile: Path) -> int:
    """Bytes in the browser profile's compiled-wasm cache."""
    d = profile / "Default" / "Code Cache" / "wasm"
    return sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) if d.is_dir() else 0


def _until_code_kept(profile: Path) -> float:
    """Seconds of the running set until the browser has kept the compiled wasm (NaN: not within
    CODE_CACHE_WAIT_S)."""
    t = time.monotonic()
    while wasm_code_cache_bytes(profile) < CODE_CACHE_MIN_BYTES:
        if time.monotonic() - t > CODE_CACHE_WAIT_S:
            return float("nan")
        time.sleep(1.0)
    return time.monotonic() - t


def one_round(new_context: Any, url: str, server_cpu: Any) -> dict[str, dict[str, Any]]:
    """A fresh profile, START once the page has loaded; another: cold START at once, a second
    START on the same page, START at once after a reload, START after a reload once settled,
    then (a profile on disk) that set until the browser keeps the compiled wasm and START at
    once after a reload. ``new_context()``: (a browser context with a fresh profile, its folder
    or None); ``server_cpu()``: the app server's CPU seconds so far (each case's page load to
    first verdict)."""
    context, _ = new_context()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        c0 = server_cpu()
        _open_live(page, url)
        settled = _start_and_wait(page, settled=True)
        settled["server_cpu_s"] = server_cpu() - c0
    finally:
        context.close()
    context, profile = new_context()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        c0 = server_cpu()
        _open_live(page, url)
        out = {"cold": _start_and_wait(page), "cold, settled": settled}
        out["cold"]["server_cpu_s"] = server_cpu() - c0
        time.sleep(2.0)
        _stop(page)
        out["second START"] = _start_and_wait(page)
        time.sleep(2.0)
        _stop(page)
        c0 = server_cpu()
        _open_live(page, url)   # the same profile: its HTTP cache (and compiled wasm code cache)
        out["reload"] = _start_and_wait(page)
        out["reload"]["server_cpu_s"] = server_cpu() - c0
        time.sleep(2.0)
        _stop(page)
        _open_live(page, url)
        out["reload, settled"] = _start_and_wait(page, settled=True)
        if profile is not None:
            kept_after_s = _until_code_kept(profile)
            _stop(page)
            _open_live(page, url)
            out["reload, code kept"] = {**_start_and_wait(page), "kept_after_s": kept_after_s,
                                        "code_cache_bytes": wasm_code_cache_bytes(profile)}
        return out
    finally:
        context.close()


def fmt(v: Any) -> str:
    return f"{v / 1000:.2f}" if isinstance(v, int | float) else "-"


def report(rounds: list[dict[str, dict[str, Any]]]) -> None:
    from targets import target

    cols = ("camera_ms", "socket_ms", "ready_ms", "first_infer_ms", "first_landmarks_ms", "first_verdict_ms",
            "bundle_ms", "landmarker_ms", "wasm_ms", "warmup_ms", "total_ms")
    log.info("camera, socket (the landmark socket ready), ready (camera and model), first landmarks, first "
             "verdict: seconds from the START click; first infer: the first frame's detect call; bundle, "
             "landmarker (of it wasm: compiling the wasm), "
             "warmup, total: the model's own load, wherever it ran (at START, or before it once the page showed "
             "the component); median of %d round(s)", len(rounds))
    log.info("%-17s %s %8s", "case", " ".join(f"{c.removesuffix('_ms'):>15}" for c in cols), "ahead")
    medians: dict[str, float] = {}
    for case in CASES:
        if not any(case in r for r in rounds):
            continue
        row = []
        for c in cols:
            vals = [r[case][c] for r in rounds if isinstance(r.get(case, {}).get(c), int | float)]
            row.append(statistics.median(vals) if vals else None)
        verdict = row[cols.index("first_verdict_ms")]
        medians[case] = verdict if verdict is not None else float("nan")
        ahead = sum(bool(r.get(case, {}).get("ahead")) for r in rounds)
        log.info("%-17s %s %8s", case, " ".join(f"{fmt(v):>15}" for v in row), f"{ahead}/{len(rounds)}")
    for case in CASES:
        log.info("  %s, each round: %s s", case,
                 ", ".join(fmt(r[case]["first_verdict_ms"]) for r in rounds if case in r))
    kept = [r["reload, code kept"] for r in rounds if "reload, code kept" in r]
    if kept:
        log.info("  the browser kept the compiled wasm after %s s of the set (%s bytes)",
                 ", ".join(f"{k['kept_after_s']:.0f}" for k in kept),
                 ", ".join(str(k["code_cache_bytes"]) for k in kept))
    for case in ("cold, settled", "cold", "reload"):
        log.info("  %s: app server CPU from opening the page to the first verdict, each round: %s s", case,
                 ", ".join(f"{r[case]['server_cpu_s']:.2f}" for r in rounds))
    for case in CASES:
        log.info("  %s, landmarks travelled by: %s", case,
                 sorted({str(r[case].get("transport")) for r in rounds if case in r}))
    cold = medians["cold"] / 1000
    log.info("START to first verdict: cold %.2f s %s", cold,
             target("START to first verdict, cold", cold, COLD_TARGET_S, " s"))
    worst = [medians["second START"], medians["reload"]] + ([medians["reload, code kept"]] if kept else [])
    cached = max(worst) / 1000
    log.info("START to first verdict, cached (worst of a second START, START at once after a reload%s) %.2f s %s",
             " and the same once the browser kept the compiled wasm" if kept else "", cached,
             target("START to first verdict, cached", cached, CACHED_TARGET_S, " s"))
    cold_s, settled = medians["cold, settled"] / 1000, medians["reload, settled"] / 1000
    log.info("START once the page has loaded the model: cold %.2f s %s | cached %.2f s %s",
             cold_s, target("START to first verdict, cold, page settled", cold_s, COLD_TARGET_S, " s"),
             settled, target("START to first verdict, cached, page settled", settled, CACHED_TARGET_S, " s"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=3, help="fresh profiles (each: cold, second START, reload)")
    ap.add_argument("--incognito", action="store_true",
                    help="in-memory browser contexts (Playwright's default), which keep no compiled-wasm code "
                         "cache; by default each profile is on disk, as a patient's browser's is")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not CLIP.is_file():
        sys.exit(f"{CLIP}: real media not found")
    from browser import CHROMIUM, CHROMIUM_FLAGS, cpu_s, make_y4m, running_app, server_pid
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        y4m = Path(tmp) / "clip.y4m"
        make_y4m(CLIP, y4m)
        flags = [*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"]
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
        viewport: Any = {"width": 1400, "height": 1100}
        profiles = iter(range(1_000_000))

        def new_context() -> tuple[Any, Path | None]:
            if args.incognito:
                return chromium.new_context(viewport=viewport), None
            profile = Path(tmp) / f"profile-{next(profiles)}"
            return pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                         args=flags, viewport=viewport), profile
        try:
            with running_app(Path(tmp), env={"FORMCHECK_BROWSER_MIN_FPS": "1"}) as url:
                rounds = []
                pid = server_pid(url)
                log.info("browser profiles: %s", "in memory (--incognito)" if args.incognito else "on disk")
                for k in range(args.rounds):
                    rounds.append(one_round(new_context, url, lambda: cpu_s(pid)))
                    log.info("round %d: first verdict %s", k + 1,
                             {c: fmt(r["first_verdict_ms"]) for c, r in rounds[-1].items()})
        finally:
            chromium.close()
    log.info("load average (1, 5, 15 min): %s", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    report(rounds)


if __name__ == "__main__":
    main()
