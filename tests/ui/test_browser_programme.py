"""The programme loop in a real browser: a patient with two prescribed exercises does both
live in front of a fake webcam (real clips), each set is recorded as it happens, and the
Progress page and ``formcheck history`` then show both."""

from __future__ import annotations

import re
import time

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, make_y4m, running_app
from test_browser import _exercise_picker, _metric, _the_streamer, browser  # noqa: F401  (fixture)

from formcheck.rules.symptoms import Checkin
from formcheck.storage import checkins, open_database, programmes, repo

pytestmark = [pytest.mark.browser, pytest.mark.media]
PATIENT = "Jane Doe"


def _live_set(pw, url: str, y4m, exercise_name: str, reps: int, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """One set in a fresh browser whose webcam plays ``y4m``: choose the patient, go to the
    programme's next exercise, START, wait for 'Set done', STOP."""
    chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    page = chromium.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("combobox", name="Patient").click(timeout=90_000)
    page.get_by_role("option", name=PATIENT).click()
    page.get_by_text("Today's programme").wait_for(timeout=30_000)
    if _exercise_picker(page).input_value() != exercise_name:
        page.get_by_role("button", name=f"Next: {exercise_name}").click()
    page.wait_for_function(f"() => [...document.querySelectorAll('input[aria-label=Exercise]')]"
                           f".some(e => e.value === {exercise_name!r})", timeout=30_000)
    frame = _the_streamer(page)
    frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
    deadline = time.monotonic() + 90
    while int(_metric(page, "Reps")) < reps:
        assert time.monotonic() < deadline, f"{exercise_name}: reps stuck at {_metric(page, 'Reps')}"
        time.sleep(0.5)
    page.get_by_text(re.compile("Set done!")).wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / f"set-{exercise_name}.png"), full_page=True)
    frame.get_by_role("button", name=re.compile("^stop$", re.I)).click()
    page.get_by_text("Set summary").wait_for(timeout=30_000)
    page.get_by_text(re.compile(f"Recorded in {PATIENT}'s history")).wait_for(timeout=30_000)
    chromium.close()


def test_prescribe_two_exercises_do_both_live_and_see_them_in_progress(browser, media, tmp_path):  # noqa: F811
    db = open_database(tmp_path)
    programmes.prescribe(db, PATIENT, [programmes.Item("bridge", 1, 3), programmes.Item("bird_dog", 1, 1, rest_s=20)],
                         days_per_week=5)
    checkins.record(db, PATIENT, Checkin(2, "back"))   # checked in today: the Live page opens
    db.dispose()
    bridge = tmp_path / "bridge.y4m"
    make_y4m(media / "bridge" / "darebee_bridge.mp4", bridge)
    bird = tmp_path / "bird.y4m"
    make_y4m(media / "birddog" / "chloe_bird_dog.gif", bird)
    # the WebRTC path (the in-browser pose path has its own browser test, test_browser_pose.py)
    with running_app(tmp_path, env={"FORMCHECK_LIVE_POSE": "server"}) as url:
        _live_set(browser, url, bridge, "Glute bridge", 3, tmp_path)
        _live_set(browser, url, bird, "Bird-dog", 1, tmp_path)
        chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = chromium.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("combobox", name="Patient").click(timeout=90_000)
        page.get_by_role("option", name=PATIENT).click()
        try:
            page.get_by_text("Today's programme is done").wait_for(timeout=30_000)
        except Exception:   # show what was recorded and what the page says
            print("history:", repo.history(open_database(tmp_path), PATIENT))
            print(page.locator("body").inner_text()[:3000])
            raise
        page.get_by_role("tab", name="Progress").click()
        panel = page.get_by_role("tabpanel", name="Progress")
        panel.get_by_text("Days practised").wait_for(timeout=30_000)
        panel.get_by_role("combobox", name="Exercise").click()
        options = [o.inner_text() for o in page.get_by_role("option").all()]
        assert "Glute bridge" in options and "Bird-dog" in options, options
        page.screenshot(path=str(tmp_path / "progress.png"), full_page=True)
        chromium.close()
    db = open_database(tmp_path)
    done = {x.exercise: x for x in repo.history(db, PATIENT)}
    assert done["bridge"].reps >= 3 and done["bird_dog"].reps >= 1 and done["bridge"].source == "live"
    db.dispose()
