"""Every page in a real browser, as a patient and a therapist see it: screenshots of Live
(before, during and after a set), Clip review, Therapist tuning, Programme, Progress and the
Desk monitor (kept in FORMCHECK_SCREENSHOTS when set, else in the test's folder), and the text
of each patient page scanned for definition ids and long decimal tails."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, make_y4m, running_app
from test_browser import _analyse_in_clip_review, _exercise_picker, _metric, _the_streamer, browser  # noqa: F401

from formcheck.engine.reps import Rep
from formcheck.rules.definition import available_exercises, get_definition
from formcheck.rules.symptoms import Checkin
from formcheck.storage import checkins, open_database, programmes, repo

pytestmark = [pytest.mark.browser, pytest.mark.media]
PATIENT = "Jane Doe"
DECIMAL_TAIL = re.compile(r"\d\.\d{3,}")


def definition_ids() -> set[str]:
    """Ids a patient must never read: exercise, check, measure and phase ids with an
    underscore (one-word ids such as "bridge" are ordinary words)."""
    ids: set[str] = set()
    for ex in available_exercises():
        d = get_definition(ex)
        ids |= {ex, *(c.id for c in d.checks), *d.measures, *d.phase_names(), d.hold.check_id}
    return {i for i in ids if "_" in i}


def _scan(text: str, where: str) -> None:
    found = sorted(i for i in definition_ids() if re.search(rf"\b{re.escape(i)}\b", text))
    assert not found, f"{where}: definition ids on a patient page: {found}"
    tail = DECIMAL_TAIL.search(text)
    context = text[max(tail.start() - 60, 0):tail.end() + 20] if tail else ""
    assert tail is None, f"{where}: a decimal tail on a patient page: {context!r}"


def _shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    shots = os.environ.get("FORMCHECK_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def _patient_page_text(page, tab: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.get_by_role("tabpanel", name=tab).inner_text() + "\n"
               + page.get_by_test_id("stSidebar").inner_text())


def _history(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    start = datetime.now(UTC) - timedelta(days=12)
    programmes.prescribe(db, PATIENT, [programmes.Item("bridge", 1, 2), programmes.Item("bird_dog", 2, 5, hold_s=5.0)],
                         days_per_week=5, notes="Stop if leg pain increases.", created_at=start)
    for d in range(0, 12, 2):
        sid = repo.start_set(db, PATIENT, "bridge", "live", "1.1", started_at=start + timedelta(days=d))
        for i in range(1, 4):
            repo.add_rep(db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 400, i * 1000.0 + 800, 3993.767324,
                                      ["hips_too_low"] if i == 3 and d < 6 else [],
                                      key_angles={"hip_extension_deg": 170.25 + d / 3}))
    checkins.record(db, PATIENT, Checkin(2, "back"))   # today's check-in: the Live page opens
    db.dispose()


def test_every_page_as_seen_in_the_browser(browser, media, tmp_path):  # noqa: F811
    _history(tmp_path)
    y4m = tmp_path / "bridge.y4m"
    make_y4m(media / "bridge" / "darebee_bridge.mp4", y4m)
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True,
                                       args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={y4m}"])
    page = chromium.new_page(viewport={"width": 1400, "height": 1100})
    # the WebRTC path's page (the in-browser path's page is tested in test_browser_pose.py)
    with running_app(tmp_path, env={"FORMCHECK_LIVE_POSE": "server"}) as url:
        page.goto(url, wait_until="domcontentloaded")
        # a new visitor: nothing chosen, told what to do
        page.get_by_text("Choose an exercise in the sidebar").first.wait_for(timeout=90_000)
        _shot(page, tmp_path, "live-new-visitor")
        page.get_by_role("combobox", name="Patient").click()
        page.get_by_role("option", name=PATIENT).click()
        page.get_by_text("how it works").wait_for(timeout=30_000)
        assert _exercise_picker(page).input_value() == "Glute bridge"   # today's programme first
        page.get_by_text("Stop if leg pain increases.").first.wait_for(timeout=30_000)
        time.sleep(1)
        _shot(page, tmp_path, "live-before")
        _scan(_patient_page_text(page, "Live"), "Live before a set")

        frame = _the_streamer(page)
        frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
        deadline = time.monotonic() + 90
        while int(_metric(page, "Reps")) < 2:
            assert time.monotonic() < deadline, "reps did not reach 2"
            time.sleep(0.5)
        _shot(page, tmp_path, "live-during")
        during = _patient_page_text(page, "Live")
        _scan(during, "Live during a set")
        assert "Camera found" not in page.get_by_role("tabpanel", name="Live").inner_text()
        assert "Stop if leg pain increases." in during
        frame.get_by_role("button", name=re.compile("^stop$", re.I)).click()
        page.get_by_text("Set summary").wait_for(timeout=30_000)
        time.sleep(1)
        page.get_by_text(re.compile("1 of 1 set")).first.wait_for(timeout=30_000)   # counted at once
        _shot(page, tmp_path, "live-after")
        _scan(_patient_page_text(page, "Live"), "Live after a set")

        page.get_by_role("tab", name="Progress").click()
        page.get_by_role("tabpanel", name="Progress").get_by_text("Days practised").wait_for(timeout=30_000)
        time.sleep(2)   # the charts draw
        _shot(page, tmp_path, "progress")
        page.get_by_role("tab", name="Programme").click()
        page.get_by_role("tabpanel", name="Programme").get_by_text("Current programme").wait_for(timeout=30_000)
        time.sleep(2)
        _shot(page, tmp_path, "programme")

        _analyse_in_clip_review(page, "bridge", media / "bridge" / "physioplus_bridging.mp4")
        panel = page.get_by_role("tabpanel", name="Clip review")
        panel.get_by_role("button", name="JSON report").wait_for(timeout=120_000)
        assert _metric(panel, "Good form").endswith("rep") or "of" in _metric(panel, "Good form")
        time.sleep(1)
        _shot(page, tmp_path, "clip-review")
        _scan(_patient_page_text(page, "Clip review"), "Clip review")

        page.get_by_role("tab", name="Therapist tuning").click()
        page.get_by_role("tabpanel", name="Therapist tuning").get_by_text("Loaded clip re-scored").wait_for(
            timeout=30_000)
        time.sleep(2)
        _shot(page, tmp_path, "tuning")
        page.get_by_role("tab", name="Desk monitor").click()
        page.get_by_role("tabpanel", name="Desk monitor").get_by_text("Alert after").wait_for(timeout=30_000)
        _shot(page, tmp_path, "desk-monitor")
        assert page.get_by_test_id("stException").count() == 0
    chromium.close()
