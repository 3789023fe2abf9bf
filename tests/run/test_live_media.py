"""Real clips replayed into the browser live path (no browser): the pose model run at 5, 10, 15
and 30 frames a second as the patient's browser would (VIDEO mode, the newest frame each time),
batched in the component's protocol, judged by LandmarkLive. The reps and each rep's faults must
be those `formcheck analyze` gives for the clip.

Known gaps (measured 2026-12, strict xfail so a fix shows up): where the model guesses a limb out
of the frame its guess differs between rates (the landmarks, not the engine); see the reasons below.
"""

from __future__ import annotations

import pytest

from formcheck.media.bundles import default_model_path
from formcheck.rules.definition import get_definition
from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.replay import browser_frames, messages

pytestmark = [pytest.mark.media, pytest.mark.slow]
RATES = (5.0, 10.0, 15.0, 30.0)
CLIPS = {"bridge/darebee_bridge.mp4": "bridge", "birddog/polybag_bird_dog.mp4": "bird_dog",
         "birddog/lena_bird_dog_rear_oblique_close.mp4": "bird_dog"}
# The reaching hand of polybag's first rep is out of the frame (LABELS.toml: "limbs cut off at
# full extension") and the model draws the wrist back inside it, a guess that the tracker makes
# differently at each rate: over that top's frames (2.0-4.6 s, raw landmarks) the elbow reads
# 152.8 / 150.8 / 151.4 / 152.9 deg (median) at 5 / 10 / 15 / 30 fps, with 43 / 48 / 40 / 37% of
# frames under elbow_bent's 150; the upper arm reads -27.5 / -41.0 / -27.1 / -36.1 deg, under the
# shape's -45 on 21 / 37 / 15 / 14% of frames. Its 3D upper arm shrinks to 0.3-0.4 trunk lengths
# (0.55 elsewhere in the clip), but seen arms of another clip read 0.35-0.48: no limit found that
# tells the guess from a seen arm. A landmark difference, not the engine's timing: on the same
# pixels the browser's runtime puts that wrist 90 px (p95) from Python's and gives the rep no
# fault (benchmarks/bench_browser_landmarks.py).
KNOWN = {
    ("birddog/polybag_bird_dog.mp4", 5.0): "the hand out of frame: the 5 fps tracker's wrist guess fails elbow_bent "
                                            "in no 250 ms run of settled top frames (analyze's: one, a fault)",
    ("birddog/polybag_bird_dog.mp4", 10.0): "the hand out of frame: the 10 fps tracker's elbow guess sits lower "
                                             "(upper arm -41 deg median, under the shape's -45 on 37% of frames) "
                                             "and breaks the first rep in two",
}


def _verdict(reps: list[dict]) -> list[tuple[str | None, list[str]]]:
    return [(r["side"], sorted(r["faults"])) for r in reps]


@pytest.fixture(scope="module")
def analysed(media):
    from formcheck.run.pipeline import analyze_clip

    out = {}
    for rel, ex in CLIPS.items():
        r = analyze_clip(media / rel, get_definition(ex))
        out[rel] = ([(x.side, sorted(x.faults)) for x in r.reps], r.info.fps)
    return out


CASES = [pytest.param(rel, fps, marks=[pytest.mark.xfail(reason=KNOWN[(rel, fps)], strict=True)]
                      if (rel, fps) in KNOWN else []) for rel in CLIPS for fps in RATES]


@pytest.mark.parametrize("rel,fps", CASES, ids=lambda v: str(v))
def test_live_from_browser_landmarks_gives_the_clip_verdict(media, analysed, rel, fps):
    want, clip_fps = analysed[rel]
    proc = LandmarkLive(get_definition(CLIPS[rel]), default_model_path())
    for m in messages(browser_frames(media / rel, fps), camera_fps=clip_fps):
        proc.feed(m)
    got = proc.summary()
    assert proc.snapshot().error is None
    assert _verdict(got["reps"]) == want, f"{rel} at {fps} fps"
    # the set's summary (what the page and the saved set say) names exactly the reps' faults
    assert set(got["summary"]["faults"]) == {f for r in got["reps"] for f in r["faults"]}
