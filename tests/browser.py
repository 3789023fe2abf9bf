"""Helpers for the real-browser tests: a fake-webcam y4m made from a real clip, the app
started on a free port, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
]


def make_y4m(clip: Path, out: Path, width: int = 640, height: int = 480, fps: int = 30) -> tuple[int, float]:
    """Convert ``clip`` to a raw I420 y4m webcam feed: ``width`` x ``height`` (letterboxed, so
    the aspect ratio and every angle are kept) at ``fps``, each output frame showing the clip
    frame current at its time (real speed). Returns (frames written, duration in s)."""
    import av

    n = 0
    with av.open(str(clip)) as c, open(out, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in c.decode(video=0):
            t_end = float(frame.time or 0.0) + 1.0 / float(c.streams.video[0].average_rate or fps)
            data = b"FRAME\n" + cv2.cvtColor(_letterbox(frame.to_ndarray(format="rgb24"), width, height),
                                              cv2.COLOR_RGB2YUV_I420).tobytes()
            while n / fps < t_end:     # repeat the frame until the next one is due
                fh.write(data)
                n += 1
    return n, n / fps


def _letterbox(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = min(width / w, height / h)
    nw, nh = int(round(w * s)) // 2 * 2, int(round(h * s)) // 2 * 2
    canvas = np.zeros((height, width, 3), np.uint8)
    y0, x0 = (height - nh) // 2, (width - nw) // 2
    canvas[y0:y0 + nh, x0:x0 + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    return canvas


def server_pid(url: str) -> int:
    """The streamlit process serving ``url`` (found by its --server.port argument)."""
    port = url.rsplit(":", 1)[1].split("/")[0]
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                args = (p / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(args) and port.encode() in args:
                return int(p.name)
    raise AssertionError(f"no streamlit process on port {port}")


def cpu_s(pid: int, descendants: bool = True) -> float:
    """User + system CPU seconds of ``pid`` (all its threads) and, with ``descendants``, of its
    live descendants (the app's judging workers: the server's CPU is theirs too)."""
    stats: dict[int, list[str]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stats[int(d.name)] = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:   # it exited meanwhile
                continue
    tree, todo = set(), [pid]
    while todo and descendants:
        p = todo.pop()
        tree.add(p)
        todo += [c for c, f in stats.items() if int(f[1]) == p and c not in tree]
    tree.add(pid)
    return sum(int(stats[p][11]) + int(stats[p][12]) for p in tree if p in stats) / os.sysconf("SC_CLK_TCK")


def child_commands(pid: int) -> list[str]:
    """The command lines of ``pid``'s live children (e.g. the app's judging workers)."""
    out = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append((d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:   # it exited meanwhile
            continue
    return out


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 90.0,
                 context: ssl.SSLContext | None = None) -> None:
    """Until ``url``/_stcore/health answers 200 (over TLS with ``context``); fails with the
    server's log when it exits first, or when it is not up in time."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", context=context, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"the server at {url} did not come up"
        time.sleep(0.3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(data_home: Path, timeout_s: float = 60.0, extra: tuple[str, ...] = (),
                env: dict[str, str] | None = None, script: Path = ROOT / "streamlit_app.py") -> Iterator[str]:
    """Start ``streamlit run streamlit_app.py`` (or a test app, ``script``) on 127.0.0.1:<free
    port> (plus ``extra`` server options and ``env`` variables); yield its URL."""
    port = free_port()
    env = {**os.environ, "FORMCHECK_HOME": str(data_home), "GLOG_minloglevel": "2", **(env or {})}
    log = open(data_home / "streamlit.log", "wb")   # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         *extra],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    passed = False
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited {proc.returncode}: {(data_home / 'streamlit.log').read_text()}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.3)
        try:
            yield url   # 127.0.0.1 is a secure origin: the browser allows the camera
        except BaseException:
            _print_log_tail(data_home / "streamlit.log")   # shown by pytest with the failure
            raise
        passed = True
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    # A test that got what it waited for can still have shown a user a traceback on the way
    # (read once the app has ended, so its last run's lines are all there)
    uncaught = _uncaught(data_home / "streamlit.log") if passed else ""
    assert not uncaught, "the app raised while the test ran:\n" + uncaught


def _uncaught(path: Path) -> str:
    """The first traceback Streamlit logged as "Uncaught app execution" (shown to the user as
    an exception box), or ""."""
    text = path.read_text(errors="replace") if path.is_file() else ""
    at = text.find("Uncaught app execution")
    return text[at:at + 6000] if at >= 0 else ""


def _print_log_tail(path: Path, lines: int = 40) -> None:
    """The app's own log lines (MediaPipe's C++ chatter left out)."""
    text = path.read_text(errors="replace").splitlines() if path.is_file() else []
    own = [t for t in text if not t.startswith(("INFO: [", "WARNING: [", "W0000", "I0000"))]
    print("--- streamlit log (tail) ---", *own[-lines:], sep="\n")
