"""The Desk monitor page in a real browser with a fake webcam (a real seated clip that goes
from upright to slouched): it calibrates, shows the posture state and the next break, and
sends a desktop notification when the slouch lasts (permission granted, notifications
recorded)."""

from __future__ import annotations

import re
import time

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, make_y4m, running_app
from test_browser import _the_streamer, browser  # noqa: F401  (fixture)

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


def test_desk_monitor_calibrates_and_notifies(browser, media, tmp_path):  # noqa: F811
    y4m = tmp_path / "sitting.y4m"
    make_y4m(media / "sitting" / "polybag_seated_cat_cow_side.mp4", y4m)
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True,
                                       args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    context.grant_permissions(["notifications", "camera"])
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    with running_app(tmp_path) as url:
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
