"""The Desk monitor page in a real browser with a fake webcam (a real seated clip that goes
from upright to slouched): it calibrates, shows the posture state and the next break, and
sends a desktop notification when the slouch lasts (permission granted, notifications
recorded). Both paths: the default one (the lite model in the browser, only landmarks sent,
with the privacy checks of test_browser_pose.py) and the WebRTC video fallback."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, make_y4m, running_app
from test_browser import _the_streamer, browser  # noqa: F401  (fixture)
from test_browser_pose import COUNT_PEER_CONNECTIONS, component_stats

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


def test_desk_monitor_over_webrtc_calibrates_and_notifies(browser, media, tmp_path):  # noqa: F811
    """The fallback, chosen here by the setting the Live page shares ($FORMCHECK_LIVE_POSE=server):
    the video goes to the server, which runs the lite model."""
    y4m = tmp_path / "sitting.y4m"
    make_y4m(media / "sitting" / "polybag_seated_cat_cow_side.mp4", y4m)
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True,
                                       args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    context.grant_permissions(["notifications", "camera"])
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    with running_app(tmp_path, env={"FORMCHECK_LIVE_POSE": "server"}) as url:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("tab", name="Desk monitor").click(timeout=90_000)
        panel = page.get_by_role("tabpanel", name="Desk monitor")
        alert = panel.get_by_label("Alert after (s) of bad posture")
        alert.fill("3")
        alert.press("Enter")
        time.sleep(2)
        frame = _the_streamer(page)
        frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
        state = panel.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile("Seated|Calibrating"))
        state.first.wait_for(timeout=60_000)
        panel.get_by_text(re.compile("Calibrated to your good posture")).wait_for(timeout=60_000)
        deadline = time.monotonic() + 60
        while page.evaluate("window.__notes.length") == 0:
            assert time.monotonic() < deadline, "no notification within 60 s of a lasting slouch"
            time.sleep(0.5)
        title, body = page.evaluate("window.__notes[0]")
        assert title == "formcheck" and re.search("Slouching|Head forward", body), body
        assert panel.get_by_text("Next break").count() >= 1
        page.screenshot(path=str(tmp_path / "desk-monitor.png"), full_page=True)
        shots = __import__("os").environ.get("FORMCHECK_SCREENSHOTS")
        if shots:
            page.screenshot(path=f"{shots}/desk-monitor.png", full_page=True)
    chromium.close()


def test_desk_monitor_in_the_browser_calibrates_notifies_sends_no_video(browser, media, tmp_path):  # noqa: F811
    """The default path: the lite model runs in the page at 2 frames a second, landmarks go on
    the app's landmark websocket, the server's Monitor calibrates and alerts; no
    RTCPeerConnection, no upload, nothing to another host."""
    problem = assets_problem()
    if problem:
        pytest.skip(problem)
    y4m = tmp_path / "sitting.y4m"
    make_y4m(media / "sitting" / "polybag_seated_cat_cow_side.mp4", y4m)
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True,
                                       args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    context.grant_permissions(["notifications", "camera"])
    context.add_init_script(RECORD_NOTIFICATIONS)
    context.add_init_script(COUNT_PEER_CONNECTIONS)
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.method + " " + r.url))
    page = context.new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    # a busy 2-core machine: the browser path itself is under test (not its too-slow fallback)
    with running_app(tmp_path, env={"FORMCHECK_BROWSER_MIN_FPS": "0.3"}) as url:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("tab", name="Desk monitor").click(timeout=90_000)
        panel = page.get_by_role("tabpanel", name="Desk monitor")
        alert = panel.get_by_label("Alert after (s) of bad posture")
        alert.fill("3")
        alert.press("Enter")
        time.sleep(2)
        panel.locator("iframe[title*='pose_live']").wait_for(state="attached", timeout=60_000)
        assert panel.locator("iframe[title*='streamlit_webrtc']").count() == 0
        frame = panel.frame_locator("iframe[title*='pose_live']").first
        frame.get_by_role("button", name="START").click(timeout=60_000)
        t0 = time.monotonic()
        panel.get_by_text(re.compile("Calibrated to your good posture")).wait_for(timeout=90_000)
        t_calibrated = time.monotonic() - t0
        deadline = time.monotonic() + 90
        while page.evaluate("window.__notes.length") == 0:
            assert time.monotonic() < deadline, "no notification within 90 s of calibrating"
            time.sleep(0.5)
        t_alert = time.monotonic() - t0
        title, body = page.evaluate("window.__notes[0]")
        assert title == "formcheck" and re.search("Slouching|Head forward", body), body
        assert panel.get_by_text("Next break").count() >= 1
        stats = component_stats(page, "Desk monitor")
        print(f"desk monitor in the browser: calibrated after {t_calibrated:.1f} s, first alert after "
              f"{t_alert:.1f} s; {stats}")
        assert stats.get("transport") == "websocket", stats.get("transport")
        assert 0 < float(stats.get("fps") or 0) <= 2.5, stats   # the monitor's low rate, not the camera's
        pcs = sum(f.evaluate("window.__fcPeerConnections || 0") for f in page.frames)
        assert pcs == 0, f"{pcs} RTCPeerConnection(s) created: video would leave the page"
        origin = urlsplit(url).netloc
        foreign = [r for r in requests if urlsplit(r.split(" ", 1)[1]).netloc not in (origin, "")]
        assert not foreign, foreign
        assert not [r for r in requests if "upload_file" in r], "a file upload was sent"
        assert [u for u in sockets if u.endswith("/formcheck/landmarks")], sockets
        assert all(urlsplit(u).netloc == origin for u in sockets), sockets
        shots = __import__("os").environ.get("FORMCHECK_SCREENSHOTS")
        if shots:
            page.screenshot(path=f"{shots}/desk-monitor-browser.png", full_page=True)
    chromium.close()
