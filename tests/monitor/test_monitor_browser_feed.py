"""The desk monitor's in-browser path without a browser: a real seated clip's landmarks, made
as the browser would make them (the lite model at the component's 2 frames a second, in its
protocol: formcheck.run.live.replay), fed to MonitorLandmarks as the landmark socket feeds them.
The same Monitor calibrates and alerts as on the video path."""

from __future__ import annotations

import pytest

from formcheck.engine.monitor_events import MonitorSettings
from formcheck.media.bundles import monitor_model, resolve_model
from formcheck.monitor.browser_feed import BROWSER_FPS, MonitorLandmarks
from formcheck.rules.definition import get_definition
from formcheck.run.live.replay import browser_frames, messages

CLIP = "sitting/polybag_seated_cat_cow_side.mp4"   # upright / slouched every few seconds


@pytest.fixture(scope="module")
def frames(media):
    return browser_frames(media / CLIP, BROWSER_FPS, monitor_model())


def _proc() -> MonitorLandmarks:
    return MonitorLandmarks(get_definition("sitting"), resolve_model(monitor_model()),
                            MonitorSettings(alert_after_s=3.0))


@pytest.mark.media
def test_browser_landmarks_calibrate_the_monitor_and_raise_an_alert(frames):
    proc = _proc()
    for _loop in range(3):   # START, the clip, STOP, three times: one clock across the sets
        for m in messages(frames, batch_ms=500.0):
            proc.feed(m)
            reply = proc.reply()
            assert reply["ack"] >= -1 and reply["state"] in ("calibrating", "seated", "standing", "away")
        assert not proc.playing
    snap = proc.snapshot()
    kinds = [e.kind for e in snap.events]
    assert "calibrated" in kinds and "posture_bad" in kinds, kinds
    assert kinds.index("calibrated") < kinds.index("posture_bad")
    times = [e.t_s for e in snap.events]
    assert times == sorted(times)
    # every frame the browser sent is one sample (it paces itself at BROWSER_FPS)
    assert snap.samples >= 3 * len(frames) * 0.9, (snap.samples, len(frames))
    assert snap.error is None


@pytest.mark.media
def test_resent_frames_are_judged_once_and_a_faster_browser_is_sampled_down(frames):
    proc = _proc()
    for m in messages(frames, batch_ms=500.0):
        proc.feed(m)
        proc.feed(m)   # a batch sent twice (a reconnect re-sends the unacknowledged frames)
    once = proc.snapshot().samples
    assert once <= len(frames)
    fast = _proc()
    doubled = [{**f, "i": 2 * f["i"] + k, "t": f["t"] + k * 100.0} for f in frames for k in (0, 1)]
    for m in messages(doubled):
        fast.feed(m)
    assert fast.snapshot().samples <= len(frames) + 1


def test_a_bad_message_is_shown_not_raised():
    proc = _proc()
    proc.feed({"running": True, "frames": [{"i": 0, "t": 0, "w": 640, "h": 480, "lm": [1, 2], "wl": []}]})
    assert "Bad landmark message" in (proc.snapshot().error or "")
    assert proc.playing
