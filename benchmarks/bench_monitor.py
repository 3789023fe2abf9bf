"""Desk monitor benchmark (``python benchmarks/bench_monitor.py [--seconds 60]``), in one run:

- CPU of ``formcheck monitor`` playing a real sitting clip at real time, 2 samples per second
  (target <= 5% of one core), with its default lite model and with ``--model full``: the
  clip is the seated cat-cow clip letterboxed to 640x480 MJPEG (what a USB webcam sends: every
  frame its own JPEG, so, as with ``camera_samples``, which reads one frame a sample, the frames
  between samples are never decoded) and repeated to ``--seconds``; CPU = the process's CPU
  time / wall time while it monitors (after start-up), and over its whole life; the same on
  the clip as H.264 (every frame between two samples must be decoded) for comparison;
- next to it, the 30 fps live path on the same frames (every frame through the pose model and
  the session, as the live page does), CPU time / wall time;
- memory: peak RSS of a simulated 10 minutes and a simulated hour (the clip looped, as fast as
  it runs): growth (target <= 20 MB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from targets import target

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import cpu_s  # noqa: E402

CLIP = ROOT.parent / "shared" / "media" / "sitting" / "polybag_seated_cat_cow_side.mp4"


def webcam_clip(src: Path, out: Path, seconds: float) -> Path:
    """``src`` letterboxed to 640x480 at its own frame rate, repeated to ``seconds``: MJPEG
    (quality 3, as a webcam's) for a ``.mkv`` ``out``, else H.264 (formcheck's writer)."""
    from fractions import Fraction

    import av
    from browser import _letterbox

    from formcheck.media.video_reader import MediaReader
    from formcheck.media.video_writer import VideoWriter

    with MediaReader(src) as r:
        frames = [(_letterbox(f.rgb, 640, 480), f.t_ms) for f in r]
        fps = r.info.fps or 30.0
    span = frames[-1][1] + 1000.0 / fps
    times = [k * span + t for k in range(int(seconds * 1000.0 // span) + 1) for _, t in frames]
    if out.suffix != ".mkv":
        with VideoWriter(out, 640, 480, fps) as w:
            for i, t in enumerate(times):
                w.write(frames[i % len(frames)][0], t)
        return out
    with av.open(str(out), "w") as c:
        s = c.add_stream("mjpeg", rate=round(fps))
        s.width, s.height, s.pix_fmt, s.options = 640, 480, "yuvj420p", {"q:v": "3"}
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        for i, t in enumerate(times):
            vf = av.VideoFrame.from_ndarray(frames[i % len(frames)][0], format="rgb24").reformat(format="yuvj420p")
            vf.pts, vf.time_base = round(t), Fraction(1, 1000)
            c.mux(s.encode(vf))
        c.mux(s.encode())
    return out


def monitor_cpu(clip: Path, seconds: float, model: str | None = None) -> tuple[float, float]:
    """(steady CPU share while monitoring, CPU share over the whole process life)."""
    cmd = [sys.executable, "-m", "formcheck", "monitor", str(clip), "--realtime", "--sample-fps", "2", "--jsonl"]
    cmd += ["--model", model] if model else []
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert p.stdout is not None
    p.stdout.readline()   # the first event: start-up is over, monitoring runs
    a_cpu, a_t = cpu_s(p.pid, descendants=False), time.monotonic()
    time.sleep(max(seconds - (a_t - t0) - 3.0, 5.0))
    b_cpu, b_t = cpu_s(p.pid, descendants=False), time.monotonic()
    p.communicate()
    import resource

    total_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = (total_cpu.ru_utime + total_cpu.ru_stime) / (time.monotonic() - t0)
    return (b_cpu - a_cpu) / (b_t - a_t), total


def live_cpu(clip: Path, seconds: float) -> float:
    """The live path at 30 fps on the same frames: CPU time / wall time."""
    from formcheck.media.bundles import default_model_path
    from formcheck.media.video_reader import MediaReader
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor

    proc = LiveProcessor(get_definition("sitting"), default_model_path())
    c0, t0 = time.process_time(), time.monotonic()
    with MediaReader(clip) as r:
        for f in r:
            if f.t_ms / 1000.0 > seconds:
                break
            delay = t0 + f.t_ms / 1000.0 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            proc.process(f.rgb)
    proc.close()
    return (time.process_time() - c0) / (time.monotonic() - t0)


def peak_rss_mb(clip: Path, loops: int) -> float:
    code = ("import resource, sys; from formcheck.cli.main import main; "
            f"main(['monitor', {str(clip)!r}, '--loop', '{loops}', '--jsonl']); "
            "print('HWM', open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return int(p.stderr.rsplit("HWM", 1)[1].split()[0]) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60.0, help="real-time monitoring to measure")
    a = ap.parse_args()
    if not CLIP.is_file():
        print(f"no clip at {CLIP}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = webcam_clip(CLIP, Path(tmp) / "sitting-640x480.mkv", a.seconds + 15)
        steady, total = monitor_cpu(clip, a.seconds)
        print(f"monitor (default: bundled lite model), 2 samples/s at real time, webcam MJPEG: {steady:.1%} of "
              f"one core while monitoring ({total:.1%} including start-up) "
              f"{target('desk monitor CPU', steady * 100, 5, '%')}", flush=True)
        h264 = webcam_clip(CLIP, Path(tmp) / "sitting-640x480.mp4", a.seconds + 15)
        steady_h264, _ = monitor_cpu(h264, a.seconds)
        steady_full, _ = monitor_cpu(clip, a.seconds, "full")
        live = live_cpu(h264, 20.0)
        print(f"monitor on the clip as H.264 (15 frames decoded a sample): {steady_h264:.1%}; with --model full "
              f"(MJPEG): {steady_full:.1%}; live path at 30 fps (full model): {live:.0%}")
        short = webcam_clip(CLIP, Path(tmp) / "one-pass.mp4", 16.0)
        m10, m60 = peak_rss_mb(short, 38), peak_rss_mb(short, 225)   # ~10 min and ~60 min simulated
        print(f"monitor memory: peak RSS {m10:.0f} MB after a simulated 10 min, {m60:.0f} MB after a simulated "
              f"hour: growth {m60 - m10:+.1f} MB {target('desk monitor memory growth', m60 - m10, 20, ' MB')}")


if __name__ == "__main__":
    main()
