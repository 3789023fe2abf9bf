"""The Desk monitor page in a real browser with a fake webcam (a real seated clip that goes
from upright to slouched): it calibrates, shows the posture state and the next break, and
sends a desktop notification when the slouch lasts (permission granted, notifications
recorded). Both paths: the default one (the lite model in the browser, only landmarks sent,
with the privacy checks of test_browser_pose.py) and the WebRTC video fallback, chosen by its
setting or when the browser cannot run the model."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, cpu_s, make_y4m, running_app, server_pid
from test_browser import _the_streamer, browser  # noqa: F401  (fixture)
from test_browser_pose import (
    COUNT_PEER_CONNECTIONS,
    assert_cues_fit,
    assert_no_video_left,
    component_stats,
    pose_frame_of,
)

from formcheck.ui.pose_component.assets import assets_problem

pytestmark = [pytest.mark.browser, pytest.mark.media]

RECORD_NOTIFICATIONS = """
window.__notes = [];
const Real = window.Notification;
class Recorded {
  constructor(title, options) {
    window.__notes.push([title, options && options.body]);
    try { return new Real(title, options); } catch (e) { return this; }
  }
  static get permission() { return 'granted'; }
  static requestPermission() { return Promise.resolve('granted'); }
}
window.Notification = Recorded;
"""


@contextmanager
def monitor_tab(pw: Any, media: Any, tmp_path: Any, env: dict[str, str] | None = None,
                init: str = "") -> Iterator[tuple[Any, Any, str, list[str], list[str]]]:
    """The app with a seated clip as the webcam, on the Desk monitor tab with alerts after 3 s:
    (page, the tab's panel, the app's URL, the requests made, the websockets opened)."""
    y4m = tmp_path / "sitting.y4m"
    make_y4m(media / "sitting" / "polybag_seated_cat_cow_side.mp4", y4m)
    chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    context.grant_permissions(["notifications", "camera"])
    context.add_init_script(RECORD_NOTIFICATIONS + COUNT_PEER_CONNECTIONS + init)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.method + " " + r.url))
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        with running_app(tmp_path, env=env) as url:
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_role("tab", name="Desk monitor").click(timeout=90_000)
            panel = page.get_by_role("tabpanel", name="Desk monitor")
            alert = panel.get_by_label("Alert after (s) of bad posture")
            alert.fill("3")
            alert.press("Enter")
            time.sleep(2)
            yield page, panel, url, requests, sockets
    finally:
        chromium.close()


def calibrated_and_alerted(page: Any, panel: Any, url: str, timeout_s: float = 90.0) -> tuple[float, float, float]:
    """Wait for the calibration and then the first notification: (seconds to each, the app
    server process's CPU over that time in % of one core)."""
    pid = server_pid(url)
    t0, cpu0 = time.monotonic(), cpu_s(pid)
    panel.get_by_text(re.compile("Calibrated to your good posture")).wait_for(timeout=timeout_s * 1000)
    t_calibrated = time.monotonic() - t0
    deadline = time.monotonic() + timeout_s
    while page.evaluate("window.__notes.length") == 0:
        assert time.monotonic() < deadline, f"no notification within {timeout_s:.0f} s of calibrating"
        time.sleep(0.5)
    title, body = page.evaluate("window.__notes[0]")
    assert title == "formcheck" and re.search("Slouching|Head forward", body), body
    assert panel.get_by_text("Next break").count() >= 1
    t_alert = time.monotonic() - t0
    return t_calibrated, t_alert, 100.0 * (cpu_s(pid) - cpu0) / t_alert


def _screenshot(page: Any, name: str) -> None:
    shots = os.environ.get("FORMCHECK_SCREENSHOTS")
    if shots:
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)


def test_desk_monitor_over_webrtc_calibrates_and_notifies(browser, media, tmp_path):  # noqa: F811
    """The fallback, chosen here by the setting the Live page shares ($FORMCHECK_LIVE_POSE=server):
    the video goes to the server, which runs the lite model."""
    with monitor_tab(browser, media, tmp_path, env={"FORMCHECK_LIVE_POSE": "server"}) as (page, panel, url, *_):
        frame = _the_streamer(page)
        frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
        state = panel.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile("Seated|Calibrating"))
        state.first.wait_for(timeout=60_000)
        t_calibrated, t_alert, cpu = calibrated_and_alerted(page, panel, url, 60.0)
        print(f"desk monitor over WebRTC: calibrated after {t_calibrated:.1f} s, first alert after "
              f"{t_alert:.1f} s; app server CPU {cpu:.1f}% of one core")
        _screenshot(page, "desk-monitor")


def test_desk_monitor_in_the_browser_calibrates_notifies_sends_no_video(browser, media, tmp_path):  # noqa: F811
    """The default path: the lite model runs in the page at 2 frames a second, landmarks go on
    the app's landmark websocket, the server's Monitor calibrates and alerts; no
    RTCPeerConnection, no upload, nothing to another host."""
    problem = assets_problem()
    if problem:
        pytest.skip(problem)
    # a busy 2-core machine: the browser path itself is under test (not its too-slow fallback)
    env = {"FORMCHECK_BROWSER_MIN_FPS": "0.3"}
    with monitor_tab(browser, media, tmp_path, env=env) as (page, panel, url, requests, sockets):
        panel.locator("iframe[title*='pose_live']").wait_for(state="attached", timeout=60_000)
        assert panel.locator("iframe[title*='streamlit_webrtc']").count() == 0
        frame = panel.frame_locator("iframe[title*='pose_live']").first
        frame.get_by_role("button", name="START").wait_for(timeout=60_000)
        assert not [u for u in sockets if u.endswith("/formcheck/landmarks")], "a landmark socket before START"
        frame.get_by_role("button", name="START").click(timeout=60_000)
        t_calibrated, t_alert, cpu = calibrated_and_alerted(page, panel, url)
        stats = component_stats(page, "Desk monitor")
        assert_cues_fit(pose_frame_of(page, "Desk monitor"))
        print(f"desk monitor in the browser: calibrated after {t_calibrated:.1f} s, first alert after "
              f"{t_alert:.1f} s; app server CPU {cpu:.1f}% of one core; {stats}")
        assert stats.get("transport") == "websocket", stats.get("transport")
        assert 0 < float(stats.get("fps") or 0) <= 2.5, stats   # the monitor's low rate, not the camera's
        assert_no_video_left(page, requests, url)
        origin = urlsplit(url).netloc
        assert [u for u in sockets if u.endswith("/formcheck/landmarks")], sockets
        assert all(urlsplit(u).netloc == origin for u in sockets), sockets
        _screenshot(page, "desk-monitor-browser")


def test_without_webassembly_the_desk_monitor_falls_back_and_says_why(browser, media, tmp_path):  # noqa: F811
    """A browser that cannot run the model gets the WebRTC path, with the Live page's wording."""
    if assets_problem():
        pytest.skip(assets_problem())
    with monitor_tab(browser, media, tmp_path, init="delete window.WebAssembly;") as (_, panel, *_):
        panel.locator("iframe[title*='pose_live']").wait_for(state="attached", timeout=60_000)
        panel.frame_locator("iframe[title*='pose_live']").first.get_by_role("button", name="START").click(
            timeout=60_000)
        panel.get_by_text(re.compile("desk monitor uses the server-side video path: .*no WebAssembly")).wait_for(
            timeout=60_000)
        panel.locator("iframe[title*='streamlit_webrtc']").first.wait_for(state="attached", timeout=60_000)
        assert panel.locator("iframe[title*='pose_live']").count() == 0
