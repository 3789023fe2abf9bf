"""Live path in a real browser: processed fps, capture-to-result latency and time from START to
the first processed frame, with the CPU each process used meanwhile (the profile that says
where a 2-core machine's time goes), next to the same frames processed in-process.

    .venv/bin/python benchmarks/bench_live.py [--seconds 20]     (needs ./install.sh --browser)
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from targets import target

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CLIP = ROOT.parent / "shared" / "media" / "bridge" / "darebee_bridge.mp4"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds_by_process() -> dict[str, float]:
    """CPU seconds (user + system) so far, summed per command name, for this user's processes."""
    out: dict[str, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        secs = (int(fields[11]) + int(fields[12])) / TICKS
        exe = Path(cmd[0].decode(errors="replace")).name if cmd and cmd[0] else "?"
        name = "streamlit (app + aiortc + model)" if b"streamlit" in b" ".join(cmd) else \
            "chromium (capture, codecs, page)" if "chrom" in exe else None
        if name:
            out[name] = out.get(name, 0.0) + secs
    return out


def debug_values(page) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Numbers from the app's live performance details (must be open)."""
    out: dict[str, float] = {}
    for name in ("frames processed", "capture-to-result latency ms", "stale frames dropped"):
        for _ in range(20):   # the panel re-renders twice a second: retry a read caught mid-way
            text = page.get_by_text(re.compile(f"{name}: ")).first.text_content() or ""
            m = re.search(f"{name}: (-?[0-9.]+)", text)
            if m:
                out[name] = float(m.group(1))
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"cannot read {name!r} from the debug panel")
    return out


def in_process_ms(y4m_frames: int) -> float:
    """The live processor alone on 640x480 frames of the same clip (no browser, no WebRTC)."""
    import av
    from browser import _letterbox

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor

    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    with av.open(str(CLIP)) as c:
        frames = [_letterbox(f.to_ndarray(format="rgb24"), 640, 480) for f in c.decode(video=0)]
    proc.process(frames[0], 0.0)
    t0 = time.perf_counter()
    for i, f in enumerate(frames[1:], 1):
        proc.process(f, i / 30)
    proc.close()
    return (time.perf_counter() - t0) * 1000 / (len(frames) - 1)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    a = ap.parse_args()
    from browser import CHROMIUM, CHROMIUM_FLAGS, make_y4m, running_app
    from playwright.sync_api import sync_playwright

    if not CLIP.is_file() or not Path(CHROMIUM).exists():
        print("needs ../shared/media and Chromium (./install.sh --browser)")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        y4m = Path(tmp) / "cam.y4m"
        n, _ = make_y4m(CLIP, y4m)
        # the server-side video path (WebRTC): the fallback, chosen by its setting; the in-browser
        # default is measured by bench_live_browser.py
        with sync_playwright() as pw, running_app(Path(tmp), env={"FORMCHECK_LIVE_POSE": "server"}) as url:
            b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                   args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            bar = page.get_by_test_id("stSidebar")
            bar.get_by_text("Settings").click(timeout=90_000)
            bar.get_by_text("Details for your therapist").click()   # the performance figures
            bar.get_by_role("combobox", name="Exercise").click()
            page.get_by_role("option", name="Glute bridge", exact=True).click()
            page.get_by_text(re.compile("lie side-on to it")).first.wait_for()
            frame = page.frame_locator("iframe[title*='streamlit_webrtc'] >> visible=true").first
            frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
            t0 = time.monotonic()
            video = frame.locator("video").first
            while not video.evaluate("v => v.readyState >= 2 && v.videoWidth > 0 && v.currentTime > 0"):
                time.sleep(0.02)
            first_s = time.monotonic() - t0
            page.get_by_text("Details for your therapist: live performance").click()
            time.sleep(2.0)
            before, cpu0, w0 = debug_values(page), cpu_seconds_by_process(), time.monotonic()
            time.sleep(a.seconds)
            after, cpu1, w1 = debug_values(page), cpu_seconds_by_process(), time.monotonic()
            b.close()
    frames = after["frames processed"] - before["frames processed"]
    dropped = after["stale frames dropped"] - before["stale frames dropped"]
    print(f"live page, full model, 640x480 fake webcam at 30 fps on {os.cpu_count()} CPUs:")
    first = target("live START to first frame", first_s, 1.5, " s")
    print(f"- START to first processed frame: {first_s:.2f} s {first}")
    fps = frames / (w1 - w0)
    print(f"- processed fps over {w1 - w0:.0f} s: {fps:.1f} {target('live processed fps', fps, 25, at_least=True)}; "
          "capture-to-result "
          f"latency {before['capture-to-result latency ms']:.0f} ms at the start, "
          f"{after['capture-to-result latency ms']:.0f} ms at the end; stale frames dropped: {dropped:.0f} "
          f"(processed {frames:.0f})")
    print(f"- CPU used over {w1 - w0:.0f} s (100% = one core):")
    for k in sorted(cpu1):
        print(f"  - {k}: {(cpu1[k] - cpu0.get(k, 0.0)) / (w1 - w0) * 100:.0f}%")
    server = next((k for k in cpu1 if k.startswith("streamlit")), None)
    if server and frames > 0:   # a figure less bound to the machine's load than the fps
        ms_frame = (cpu1[server] - cpu0.get(server, 0.0)) * 1000 / frames
        print(f"- the server's CPU per processed frame: {ms_frame:.1f} ms "
              f"(its VP8 decoding of the {frames + dropped:.0f} frames received included)")
    ms = in_process_ms(n)
    print(f"- the same frames in-process (model + engine + drawing, no browser): {ms:.1f} ms/frame = "
          f"{1000 / ms:.0f} fps capacity")
    return 0


if __name__ == "__main__":
    sys.exit(main())
