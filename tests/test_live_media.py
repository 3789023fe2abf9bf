"""Real clips replayed into the browser live path (no browser): the pose model run at 5, 10, 15
and 30 frames a second as the patient's browser would (VIDEO mode, the newest frame each time),
batched in the component's protocol, judged by LandmarkLive. The reps and each rep's faults must
be those `formcheck analyze` gives for the clip.

Known gaps (measured 2026-12, strict xfail so a fix shows up): at some rates the engine's verdict
still depends on the frame rate; see the reasons below.
"""

from __future__ import annotations

import pytest

from formcheck.definition import get_definition
from formcheck.live_landmarks import LandmarkLive
from formcheck.live_replay import browser_frames, messages
from formcheck.models import default_model_path

pytestmark = [pytest.mark.media, pytest.mark.slow]
RATES = (5.0, 10.0, 15.0, 30.0)
CLIPS = {"bridge/darebee_bridge.mp4": "bridge", "birddog/polybag_bird_dog.mp4": "bird_dog",
         "birddog/lena_bird_dog_rear_oblique_close.mp4": "bird_dog"}
KNOWN = {
    ("birddog/polybag_bird_dog.mp4", 5.0): "measured after the round-3 verdict changes: analyze flags elbow_bent "
                                            "on the right rep (its elbow leaves the frame: the tracker's guess), "
                                            "the 5 fps replay does not",
    ("birddog/polybag_bird_dog.mp4", 10.0): "the replay's verdict differs from analyze's "
                                             "(an elbow out of frame on one rep); cause not yet found",
    ("birddog/lena_bird_dog_rear_oblique_close.mp4", 15.0): "the 15 fps replay's verdict differs from analyze's "
                                                              "(3 reps, the label) on this close rear-oblique clip, "
                                                              "where the knee leaves the frame; cause not yet found",
}


def _verdict(reps: list[dict]) -> list[tuple[str | None, list[str]]]:
    return [(r["side"], sorted(r["faults"])) for r in reps]


@pytest.fixture(scope="module")
def analysed(media):
    from formcheck.pipeline import analyze_clip

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
