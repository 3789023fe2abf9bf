"""Server CPU per live stream, in-process: the browser path's server work (judging landmark
batches in the component's protocol: LandmarkLive.feed) next to the server-side video path's
(model + engine + drawing per frame: LiveProcessor.process), on the same real clip at 30 fps,
printed side by side with their ratio. Streamlit's own cost per component message (a fragment
rerun and its websocket traffic) is not in these numbers: tests/test_browser_pose.py prints the
app server's CPU with a real browser.

    .venv/bin/python benchmarks/bench_live_browser.py [--streams 1 10 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT.parent / "shared" / "media" / "bridge" / "darebee_bridge.mp4"
FPS = 30.0


def landmark_cpu_share(frames: list[dict], streams: int, clip_s: float) -> tuple[float, int]:
    """(share of one core, reps of the first stream) to judge ``streams`` patients' landmark
    streams of ``clip_s`` seconds each, one after another in this process."""
    from formcheck.definition import get_definition
    from formcheck.live_landmarks import LandmarkLive
    from formcheck.live_replay import messages
    from formcheck.models import default_model_path

    d = get_definition("bridge")
    reps = 0
    t = time.process_time()
    for k in range(streams):
        proc = LandmarkLive(d, default_model_path())
        for m in messages(frames, camera_fps=FPS):
            proc.feed(m)
        if k == 0:
            reps = proc.summary()["rep_count"]
    return (time.process_time() - t) / (clip_s * streams), reps


def video_cpu_share(clip: Path) -> tuple[float, float]:
    """(share of one core, clip seconds) for the server-side video path on every frame."""
    import av

    from formcheck.definition import get_definition
    from formcheck.live import LiveProcessor
    from formcheck.models import default_model_path

    with av.open(str(clip)) as c:
        rgb = [(f.to_ndarray(format="rgb24"), float(f.time or 0.0)) for f in c.decode(video=0)]
    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    proc.process(rgb[0][0], 0.0)   # the model loads outside the timing
    t = time.process_time()
    for img, s in rgb[1:]:
        proc.process(img, s)
    cpu = time.process_time() - t
    proc.close()
    clip_s = rgb[-1][1] - rgb[0][1]
    return cpu / clip_s, clip_s


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--streams", type=int, nargs="+", default=[1, 10, 50])
    args = ap.parse_args()
    if not CLIP.is_file():
        sys.exit(f"{CLIP}: real media not found")
    from formcheck.live_replay import browser_frames

    frames = browser_frames(CLIP, FPS)   # the browser's work, done here once
    clip_s = (frames[-1]["t"] - frames[0]["t"]) / 1000.0
    video, _ = video_cpu_share(CLIP)
    print(f"clip {CLIP.name}: {len(frames)} frames judged over {clip_s:.1f} s "
          f"({len(frames) / clip_s:.1f} fps: every frame of the clip, at most {FPS:.0f} fps)")
    print(f"{'path':52s} {'% of one core per stream':>26s}")
    print(f"{'server-side video (model + engine + overlay)':52s} {100 * video:26.1f}")
    for n in args.streams:
        share, reps = landmark_cpu_share(frames, n, clip_s)
        print(f"{f'browser landmarks, judged only ({n} streams)':52s} {100 * share:26.2f}"
              f"   ratio {video / share:5.0f}x   reps {reps}")


if __name__ == "__main__":
    main()
