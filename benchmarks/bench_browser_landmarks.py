"""How closely the Live page's in-browser pose model matches the Python one on the same frames:
landmarks (px), key angles (deg) and the engine's verdict, side by side in one run.

A clip's frames (every ``--every``-th, up to ``--frames``) go through formcheck's PoseEstimator
(mediapipe, VIDEO mode) and, in headless Chromium, through the component's vendored
``@mediapipe/tasks-vision`` bundle (``install.sh`` fetches it; CPU delegate, VIDEO mode, the
same ``.task`` model and confidences as ``pose_worker.js``), each frame handed over as the same
RGBA pixels with the same timestamp. The page is served on loopback with the component's CSP
(``connect-src 'self'``). Needs Chromium and Playwright (``./install.sh --dev``). Usage:

    .venv/bin/python benchmarks/bench_browser_landmarks.py [CLIP] [--exercise bridge]
        [--every 2] [--frames 150] [--model full|lite]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import math
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from formcheck.core.pose import FramePose

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENDOR = ROOT / "formcheck" / "ui" / "pose_component" / "frontend" / "vendor"
DEFAULT_CLIP = ROOT.parent / "shared" / "media" / "bridge" / "darebee_bridge.mp4"
CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; worker-src 'self' blob:"
PAGE = f"""<!doctype html><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<script type="module" src="bench.js"></script>"""
# The landmarker as pose_worker.js makes it, on the page's thread (nothing else runs here).
SCRIPT = """import { FilesetResolver, PoseLandmarker } from "./vendor/vision_bundle.mjs";
window.ready = (async () => {
  const files = await FilesetResolver.forVisionTasks("./vendor/wasm");
  window.lmk = await PoseLandmarker.createFromOptions(files, {
    baseOptions: { modelAssetPath: "./model.task", delegate: "CPU" }, runningMode: "VIDEO", numPoses: 1,
    minPoseDetectionConfidence: 0.5, minPosePresenceConfidence: 0.5, minTrackingConfidence: 0.5 });
  return true;
})();
window.detect = async (name, w, h, ts) => {
  const px = new Uint8ClampedArray(await (await fetch(name)).arrayBuffer());
  const img = new ImageData(px, w, h);
  const t0 = performance.now();
  const r = window.lmk.detectForVideo(img, ts);
  const ms = performance.now() - t0;
  if (!r.landmarks.length) return { lm: null, wl: null, ms };
  return { lm: r.landmarks[0].flatMap((p) => [p.x, p.y, p.z, p.visibility ?? 0, p.presence ?? 0]),
           wl: r.worldLandmarks[0].flatMap((p) => [p.x, p.y, p.z]), ms };
};
"""
F = npt.NDArray[np.float64]


def _frames(clip: Path, every: int, limit: int) -> list[tuple[float, npt.NDArray[np.uint8]]]:
    from formcheck.media.video_reader import MediaReader

    out = []
    with MediaReader(clip) as reader:
        for k, fr in enumerate(reader):
            if k % every == 0:
                out.append((float(fr.t_ms), np.ascontiguousarray(fr.rgb)))
            if len(out) >= limit:
                break
    return out


def _python(frames: list[tuple[float, npt.NDArray[np.uint8]]],
            model: Path) -> tuple[list[FramePose | None], list[float]]:
    from formcheck.media.estimator import PoseEstimator

    poses: list[FramePose | None] = []
    ms: list[float] = []
    with PoseEstimator(model, mode="video") as est:
        for t, rgb in frames:
            t0 = time.perf_counter()
            poses.append(est.detect(rgb, t))
            ms.append((time.perf_counter() - t0) * 1000.0)
    return poses, ms


@contextlib.contextmanager
def _served(root: Path) -> Iterator[str]:
    """``root`` on a free loopback port, quietly, on a thread."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:   # (one line per frame otherwise)
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/"
    finally:
        srv.shutdown()
        srv.server_close()


def _browser(frames: list[tuple[float, npt.NDArray[np.uint8]]],
             model: Path) -> tuple[list[FramePose | None], list[float], list[str]]:
    """(poses or None per frame, inference ms per frame, hosts other than loopback asked for)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="fc-bench-") as tmp:
        root = Path(tmp)
        (root / "index.html").write_text(PAGE)
        (root / "bench.js").write_text(SCRIPT)
        (root / "vendor").symlink_to(VENDOR)
        (root / "model.task").symlink_to(model.resolve())
        for k, (_, rgb) in enumerate(frames):   # the same pixels, RGBA (alpha opaque)
            rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
            (root / f"{k:05d}.rgba").write_bytes(rgba.tobytes())
        foreign: list[str] = []
        poses: list[FramePose | None] = []
        ms: list[float] = []
        chromium = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
        with _served(root) as url, sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = b.new_page()
            page.on("request", lambda r: None if r.url.startswith(url) else foreign.append(r.url))
            page.goto(url + "index.html")
            page.wait_for_function("window.ready !== undefined")
            page.evaluate("window.ready")
            for k, (t, rgb) in enumerate(frames):
                h, w = rgb.shape[:2]
                r = page.evaluate("([n, w, h, t]) => window.detect(n, w, h, t)", [f"{k:05d}.rgba", w, h, int(t)])
                ms.append(float(r["ms"]))
                if r["lm"] is None:
                    poses.append(None)
                    continue
                lm = np.asarray(r["lm"], np.float32).reshape(33, 5)
                lm[:, 0] *= w
                lm[:, 1] *= h
                lm[:, 2] *= w
                poses.append(FramePose(lm, np.asarray(r["wl"], np.float32).reshape(33, 3)))
            b.close()
    return poses, ms, foreign


def _angle(a: F, b: F, c: F) -> float:
    u, v = a - b, c - b
    return math.degrees(math.acos(float(np.clip(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), -1.0, 1.0))))


def _verdict(poses: list[FramePose | None], frames: list[tuple[float, npt.NDArray[np.uint8]]],
             exercise: str) -> list[tuple[str | None, list[str]]]:
    from formcheck.core.pose import ClipInfo
    from formcheck.engine.session import Session
    from formcheck.rules.definition import get_definition

    h, w = frames[0][1].shape[:2]
    step = frames[1][0] - frames[0][0] if len(frames) > 1 else 33.3
    s = Session(get_definition(exercise), info=ClipInfo(fps=1000.0 / step, width=w, height=h))
    for (t, _), pose in zip(frames, poses, strict=True):
        s.update(t, pose)
    return [(r.side, sorted(r.faults)) for r in s.finish().reps]


def _q(a: list[float]) -> str:
    if not a:
        return "-"
    return f"median {np.median(a):.2f}, p95 {np.percentile(a, 95):.2f}, max {np.max(a):.2f}"


def main(argv: list[str] | None = None) -> None:
    from formcheck.core.landmarks import Landmark
    from formcheck.media.bundles import resolve_model

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", nargs="?", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--exercise", default="bridge")
    ap.add_argument("--every", type=int, default=2, help="every Nth frame of the clip (2: 15 fps of 30)")
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--model", default="full")
    a = ap.parse_args(argv)
    if not VENDOR.is_dir():
        sys.exit(f"{VENDOR}: the browser bundle is not installed (./install.sh fetches it)")
    if not a.clip.is_file():
        sys.exit(f"{a.clip}: no such clip")
    model = resolve_model(a.model)
    frames = _frames(a.clip, max(1, a.every), max(2, a.frames))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    py, py_ms = _python(frames, model)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    web, web_ms, foreign = _browser(frames, model)
    px: list[float] = []
    per_lm: dict[int, list[float]] = {}
    ang: dict[str, list[float]] = {"hip (shoulder-hip-knee)": [], "knee (hip-knee-ankle)": []}
    both = 0
    for p, q in zip(py, web, strict=True):
        if p is None or q is None:
            continue
        both += 1
        lp, lq = p.landmarks.astype(np.float64), q.landmarks.astype(np.float64)
        seen = lp[:, 3] >= 0.5
        d = np.hypot(*(lp[:, :2] - lq[:, :2]).T)
        px += d[seen].tolist()
        for li in np.flatnonzero(seen).tolist():
            per_lm.setdefault(li, []).append(float(d[li]))
        side = "LEFT" if lp[Landmark.LEFT_HIP, 3] >= lp[Landmark.RIGHT_HIP, 3] else "RIGHT"
        idx = {n: Landmark[f"{side}_{n}"].value for n in ("SHOULDER", "HIP", "KNEE", "ANKLE")}
        for name, (i, j, k) in (("hip (shoulder-hip-knee)", ("SHOULDER", "HIP", "KNEE")),
                                ("knee (hip-knee-ankle)", ("HIP", "KNEE", "ANKLE"))):
            pts = [idx[i], idx[j], idx[k]]
            ang[name].append(abs(_angle(*lp[pts, :2]) - _angle(*lq[pts, :2])))
    h, w = frames[0][1].shape[:2]
    print(f"clip {a.clip.name} ({w}x{h}), {len(frames)} frames (every {a.every}), model {model.name}; "
          f"load {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"person found: Python {sum(x is not None for x in py)}, browser {sum(x is not None for x in web)}, "
          f"both {both}")
    print(f"landmark distance, px (landmarks Python sees, visibility >= 0.5): {_q(px)}")
    worst = sorted(per_lm, key=lambda i: -float(np.percentile(per_lm[i], 95)))[:3]
    print("  widest apart (p95 px): " + ", ".join(
        f"{Landmark(i).name.lower()} {np.percentile(per_lm[i], 95):.1f}" for i in worst))
    for name, v in ang.items():
        print(f"{name} angle difference, deg: {_q(v)}")
    py_cpu_ms = ((cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)) * 1000.0 / len(frames)
    print(f"inference ms/frame, median: Python {np.median(py_ms):.1f} (process CPU {py_cpu_ms:.1f}), "
          f"browser CPU delegate {np.median(web_ms):.1f}")
    print(f"engine verdict ({a.exercise}): Python {_verdict(py, frames, a.exercise)}")
    print(f"                        browser {_verdict(web, frames, a.exercise)}")
    print(f"requests to any other host: {len(foreign)}" + (f" ({foreign[:3]})" if foreign else ""))


if __name__ == "__main__":
    main()
