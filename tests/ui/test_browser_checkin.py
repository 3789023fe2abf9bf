"""The check-in in a real browser: a patient answers the six questions by clicking; a calm
answer opens the camera; a bladder/bowel change shows the emergency screen and no camera, also
after reloading the page."""

from __future__ import annotations

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, running_app
from test_browser import browser  # noqa: F401  (fixture)

from formcheck.rules.symptoms import QUESTIONS
from formcheck.storage import checkins, open_database, repo

pytestmark = [pytest.mark.browser]
STREAMER = "iframe[title*='streamlit_webrtc']"


def _live_camera(page):  # type: ignore[no-untyped-def]
    """The Live tab's webrtc component (the Desk monitor tab has its own)."""
    return page.get_by_role("tabpanel", name="Live").locator(STREAMER).first


def _answer(page, answers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for name, label in answers.items():
        group = page.get_by_role("radiogroup", name=QUESTIONS[name])
        group.get_by_text(label, exact=True).click()
    page.get_by_role("button", name="Save my answers").click()


def _choose(page, url: str, patient: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("combobox", name="Patient").click(timeout=90_000)
    page.get_by_role("option", name=patient).click()
    page.get_by_text("Before you start: how are you today?").wait_for(timeout=30_000)
    page.get_by_role("radiogroup", name=QUESTIONS["saddle_numbness"]).wait_for(timeout=30_000)
    # no camera before the check-in (the free-practice page's one goes when the run ends)
    _live_camera(page).wait_for(state="detached", timeout=30_000)


CALM = {"pain": "3", "reaches": "Thigh", "numbness": "No", "weakness": "No", "bladder_bowel": "No",
        "saddle_numbness": "No"}


def test_check_in_then_the_camera_and_the_emergency_screen(browser, tmp_path):  # noqa: F811
    db = open_database(tmp_path)
    repo.ensure_patient(db, "Calm Patient")
    repo.ensure_patient(db, "Flag Patient")
    db.dispose()
    # the WebRTC path's camera (the in-browser pose path has its own browser test)
    with running_app(tmp_path, env={"FORMCHECK_LIVE_POSE": "server"}) as url:
        chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = chromium.new_page(viewport={"width": 1400, "height": 1100})
        _choose(page, url, "Calm Patient")
        page.screenshot(path=str(tmp_path / "checkin-form.png"), full_page=True)
        _answer(page, CALM)
        # no exercise is preselected (the programme's, or the patient chooses): choose one
        page.get_by_test_id("stSidebar").get_by_role("combobox", name="Exercise").click(timeout=30_000)
        page.get_by_role("option", name="Glute bridge", exact=True).click()
        _live_camera(page).wait_for(state="attached", timeout=60_000)   # the camera is offered
        page.screenshot(path=str(tmp_path / "after-checkin.png"), full_page=True)

        _choose(page, url, "Flag Patient")
        _answer(page, {**CALM, "bladder_bowel": "Yes"})
        alert = page.get_by_test_id("fc-emergency")
        alert.wait_for(timeout=30_000)
        assert alert.inner_text() == "This is a medical emergency: call emergency services now."
        page.get_by_text("Do not exercise today.").wait_for()
        page.screenshot(path=str(tmp_path / "emergency.png"), full_page=True)
        _live_camera(page).wait_for(state="detached", timeout=30_000)
        page.reload(wait_until="domcontentloaded")
        page.get_by_role("combobox", name="Patient").click(timeout=90_000)
        page.get_by_role("option", name="Flag Patient").click()
        page.get_by_test_id("fc-emergency").wait_for(timeout=30_000)   # still blocked today
        _live_camera(page).wait_for(state="detached", timeout=30_000)
        chromium.close()
    db = open_database(tmp_path)
    assert [x.level for x in checkins.checkins(db, "Flag Patient")] == ["emergency"]
    assert [x.level for x in checkins.checkins(db, "Calm Patient")] == ["none"]
    db.dispose()
