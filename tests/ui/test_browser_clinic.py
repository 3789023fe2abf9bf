"""The clinic server in a real browser over HTTPS: `formcheck serve` on 127.0.0.2 with a
self-signed certificate made here; a therapist logs in and prescribes; the patient logs in,
sees only their own record and programme, does a live set with a fake webcam (a real clip);
the therapist then sees the set."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, ROOT, make_y4m, wait_healthy
from certs import self_signed
from clinic import PW
from test_browser import _metric, _the_streamer, browser  # noqa: F401  (fixture)

from formcheck.rules.symptoms import Checkin
from formcheck.storage import accounts, checkins, open_database, programmes, repo

pytestmark = [pytest.mark.browser, pytest.mark.media]
HOST = "127.0.0.2"


@contextlib.contextmanager
def clinic_server(home: Path) -> Iterator[str]:
    cert, key = self_signed(home, HOST)
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = int(s.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if k != "FORMCHECK_DATABASE_URL"}
    # the WebRTC path (the in-browser pose path has its own browser test, test_browser_pose.py)
    env |= {"PYTHONPATH": str(ROOT), "GLOG_minloglevel": "2", "FORMCHECK_LIVE_POSE": "server"}
    log = open(home / "serve.log", "wb")   # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "formcheck", "serve", "--address", HOST, "--port", str(port),
                             "--cert", str(cert), "--key", str(key), "--data-dir", str(home)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"https://{HOST}:{port}"
    try:
        wait_healthy(url, proc, home / "serve.log", 90.0, ssl.create_default_context(cafile=str(cert)))
        yield url
    finally:
        proc.terminate()   # formcheck serve became the streamlit process: this stops the server
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _login(pw, url: str, user: str, y4m: Path | None = None):  # type: ignore[no-untyped-def]
    flags = [*CHROMIUM_FLAGS, "--ignore-certificate-errors"]
    if y4m:
        flags.append(f"--use-file-for-fake-video-capture={y4m}")
    chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
    page = chromium.new_page(viewport={"width": 1400, "height": 1100}, ignore_https_errors=True)
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Username", exact=True).fill(user, timeout=90_000)
    page.get_by_label("Password", exact=True).fill(PW)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text(re.compile(f"Logged in as .*{user if user != 'terry' else 'Terry'}", re.I)).first.wait_for(
        timeout=60_000)
    return chromium, page


def test_therapist_prescribes_patient_does_a_live_set_over_https(browser, media, tmp_path):  # noqa: F811
    db = open_database(tmp_path)
    admin = accounts.create_admin(db, "admin", PW)
    terry = accounts.create_therapist(db, admin, "terry", PW, "Terry Therapist")
    accounts.redeem_invite(db, accounts.create_invite(db, "Ann Patient", actor=terry), "ann", PW)
    repo.ensure_patient(db, "Bob Patient", actor=terry)
    programmes.prescribe(db, "Bob Patient", [programmes.Item("bird_dog", 2, 8)], notes="BOBS-NOTE", actor=terry)
    checkins.record(db.for_actor(terry), "Ann Patient", Checkin(2, "back"))   # today's check-in: Live opens
    db.dispose()
    y4m = tmp_path / "bridge.y4m"
    make_y4m(media / "bridge" / "darebee_bridge.mp4", y4m)
    with clinic_server(tmp_path) as url:
        chromium, page = _login(browser, url, "terry")          # the therapist prescribes for Ann
        page.get_by_role("combobox", name="Patient").click()
        page.get_by_role("option", name="Ann Patient").click()
        page.get_by_role("tab", name="Programme").click()
        panel = page.get_by_role("tabpanel", name="Programme")
        panel.get_by_role("button", name="Save programme").click(timeout=60_000)
        panel.get_by_text("Programme saved for Ann Patient").wait_for(timeout=30_000)
        chromium.close()

        chromium, page = _login(browser, url, "ann", y4m)       # the patient: only her own record
        page.get_by_text("Today's programme").wait_for(timeout=60_000)
        page.get_by_role("combobox", name="Patient").click()
        assert [o.inner_text() for o in page.get_by_role("option").all()] == ["Ann Patient"]
        page.keyboard.press("Escape")
        body = page.locator("body").inner_text()
        assert "BOBS-NOTE" not in body and "Bob Patient" not in body
        page.get_by_role("tab", name="Programme").click()
        page.get_by_role("tabpanel", name="Programme").get_by_text("not for your account").wait_for(timeout=30_000)
        page.get_by_role("tab", name="Live").click()
        # her programme's first exercise is chosen for her
        page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=Exercise]')]"
                               ".some(e => e.value === 'Glute bridge')", timeout=30_000)
        frame = _the_streamer(page)
        frame.get_by_role("button", name=re.compile("^start$", re.I)).click(timeout=60_000)
        deadline = time.monotonic() + 120
        while int(_metric(page, "Reps")) < 2:
            if time.monotonic() > deadline:
                page.screenshot(path=str(tmp_path / "stuck.png"), full_page=True)
                print(page.locator("body").inner_text()[:4000])
                print((tmp_path / "serve.log").read_text(errors="replace")[-4000:])
                raise AssertionError(f"reps stuck at {_metric(page, 'Reps')}")
            time.sleep(0.5)
        frame.get_by_role("button", name=re.compile("^stop$", re.I)).click()
        page.get_by_text(re.compile("Recorded in Ann Patient's history")).wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "patient.png"), full_page=True)
        chromium.close()

        chromium, page = _login(browser, url, "terry")          # the therapist sees the set
        page.get_by_role("combobox", name="Patient").click()
        page.get_by_role("option", name="Ann Patient").click()
        page.get_by_role("tab", name="Progress").click()
        page.get_by_role("tabpanel", name="Progress").get_by_text("Days practised").wait_for(timeout=30_000)
        chromium.close()
    db = open_database(tmp_path)
    sets = repo.history(db.for_actor(terry), "Ann Patient")
    assert sets and sets[-1].source == "live" and sets[-1].reps >= 2
    db.dispose()
