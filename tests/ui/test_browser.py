"""Real browser, real clip: headless Debian Chromium with a fake webcam fed from a labelled
clip drives the live page; processed frames must arrive and the rep counter must reach the
clip's labelled count. Also measures fps and time to first feedback (printed, not asserted).

``FORMCHECK_BROWSER_STARTS=20`` repeats stop/start to prove the start is reliable.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, make_y4m, running_app

pytestmark = [pytest.mark.browser, pytest.mark.media]
CLIP = "bridge/darebee_bridge.mp4"
LABELLED_REPS = 5
STARTS = int(os.environ.get("FORMCHECK_BROWSER_STARTS", "2"))


@pytest.fixture(scope="module")
def y4m(media, tmp_path_factory) -> tuple[Path, int, float]:
    out = tmp_path_factory.mktemp("webcam") / "darebee_bridge.y4m"
    frames, duration_s = make_y4m(media / CLIP, out)
    return out, frames, duration_s


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed: run ./install.sh --browser")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        yield pw


def _exercise_picker(page):  # type: ignore[no-untyped-def]
    """The sidebar's exercise picker (other tabs have pickers too, some hidden until opened)."""
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Exercise")


def _details_on(page) -> None:  # type: ignore[no-untyped-def]
    """Turn on the sidebar's "Details for your therapist" (angles, charts, performance)."""
    bar = page.get_by_test_id("stSidebar")
    bar.get_by_text("Settings").click(timeout=90_000)
    bar.get_by_text("Details for your therapist").click()
    time.sleep(2)   # its rerun; the waits that follow look for what it turns on


def _metric(page, label: str, timeout_ms: int = 2000) -> str:
    loc = page.locator("[data-testid='stMetric']", has_text=label).first
    return loc.locator("[data-testid='stMetricValue']").inner_text(timeout=timeout_ms)


def _debug_value(page, name: str) -> float:
    text = page.get_by_text(re.compile(f"{name}: ")).first.inner_text(timeout=5000)
    return float(re.search(f"{name}: (-?[0-9.]+)", text).group(1))


def _the_streamer(page, timeout_s: float = 60.0):  # type: ignore[no-untyped-def]
    """The webrtc component's frame, once exactly one is visible: while a rerun moves it, the
    old and the new iframe can both be on the page for a moment (seen under load), and a
    click on the old one is lost."""
    iframes = page.locator("iframe[title*='streamlit_webrtc'] >> visible=true")
    deadline = time.monotonic() + timeout_s
    while iframes.count() != 1:
        assert time.monotonic() < deadline, f"{iframes.count()} webrtc components visible"
        time.sleep(0.1)
    return page.frame_locator("iframe[title*='streamlit_webrtc'] >> visible=true").first


def _start(page, frame) -> float:
    """Press START; return seconds until the processed stream shows its first frame."""
    frame.get_by_role("button", name=re.compile("^start$", re.I)).click()
    t0 = time.monotonic()
    video = frame.locator("video").first
    video.wait_for(state="attached", timeout=30_000)
    while not video.evaluate("v => v.readyState >= 2 && v.videoWidth > 0 && v.currentTime > 0"):
        assert time.monotonic() - t0 < 30, "no processed frame arrived within 30 s of START"
        time.sleep(0.02)
    return time.monotonic() - t0


def _received_fps(frame, seconds: float = 4.0) -> float:
    video = frame.locator("video").first
    js = "v => v.getVideoPlaybackQuality().totalVideoFrames"
    a, t0 = video.evaluate(js), time.monotonic()
    time.sleep(seconds)
    return (video.evaluate(js) - a) / (time.monotonic() - t0)


def test_live_page_counts_reps_from_a_fake_webcam(browser, y4m, tmp_path):
    path, _, clip_s = y4m
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True,
                                       args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={path}"])
    # The server-side video path: the fallback, chosen here by its setting (the in-browser
    # default is tested in test_browser_pose.py).
    with running_app(tmp_path, env={"FORMCHECK_LIVE_POSE": "server"}) as url:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="domcontentloaded")
        _details_on(page)   # the performance figures are for the therapist
        _exercise_picker(page).click(timeout=90_000)
        page.get_by_role("option", name="Glute bridge", exact=True).click()
        page.get_by_text(re.compile("lie side-on to it")).first.wait_for()   # the bridge set-up cue
        for attempt in range(STARTS):
            frame = _the_streamer(page)
            frame.get_by_role("button", name=re.compile("^start$", re.I)).wait_for(timeout=60_000)
            first_s = _start(page, frame)
            t_first = time.monotonic()
            fps = _received_fps(frame)
            series = []
            reps = 0
            while time.monotonic() - t_first < clip_s * 2.5 + 20:
                reps = int(_metric(page, "Reps"))
                series.append((time.monotonic() - t_first, reps))
                if reps >= LABELLED_REPS:
                    break
                time.sleep(0.5)
            page.get_by_text("Details for your therapist: live performance").click()
            server_fps = _debug_value(page, "processed fps")
            latency = _debug_value(page, "capture-to-result latency ms")
            page.get_by_text("Details for your therapist: live performance").click()
            page.screenshot(path=str(tmp_path / f"live-{attempt}.png"), full_page=True)
            print(f"start {attempt}: first processed frame shown {first_s:.2f} s after START; browser received "
                  f"{fps:.1f} fps, server processed {server_fps:.1f} fps, latency {latency:.0f} ms; "
                  f"reps {reps} after {series[-1][0]:.1f} s (clip {clip_s:.1f} s)")
            assert reps >= LABELLED_REPS, f"rep counter stuck at {reps}: {series}"
            assert latency < 1000, f"latency {latency:.0f} ms: stale frames are queued, not dropped"
            # The clip (looped by Chromium) holds 5 reps: 5 must not be reached absurdly early.
            assert series[-1][0] > clip_s * 0.5, f"5 reps after only {series[-1][0]:.1f} s of a {clip_s:.1f} s clip"
            if attempt + 1 < STARTS:
                frame.get_by_role("button", name=re.compile("^stop$", re.I)).click()
                page.get_by_text("Set summary").wait_for(timeout=30_000)   # START again = a new set
        shots = os.environ.get("FORMCHECK_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / "live.png"), full_page=True)
    chromium.close()


def test_without_a_camera_the_page_says_why(browser, tmp_path):
    """No camera device: the live tab says so and points to Clip review (no endless spinner)."""
    flags = [f for f in CHROMIUM_FLAGS if f != "--use-fake-device-for-media-stream"]
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
    with running_app(tmp_path) as url:
        page = chromium.new_page()
        page.goto(url, wait_until="domcontentloaded")
        _exercise_picker(page).click(timeout=90_000)   # nothing is preselected for a new visitor
        page.get_by_role("option", name="Glute bridge", exact=True).click()
        msg = page.frame_locator("iframe[title='st.iframe']").first.locator("#m")
        msg.get_by_text(re.compile("No camera found|Camera permission is blocked")).wait_for(timeout=60_000)
        assert "Clip review" in msg.inner_text()
    chromium.close()


def test_clip_review_in_the_browser(browser, media, tmp_path):
    """Upload a real clip, analyse it, and see the reps, the chart and the annotated video."""
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    with running_app(tmp_path) as url:
        page = chromium.new_page(viewport={"width": 1400, "height": 1800})
        page.goto(url, wait_until="domcontentloaded")
        _details_on(page)   # the angle charts are for the therapist
        _analyse_in_clip_review(page, "bridge", media / CLIP)
        panel = page.get_by_role("tabpanel", name="Clip review")
        _wait_or_dump(page, panel.get_by_text("Key angles over time"), tmp_path, 120_000)
        assert _metric(panel, "Reps") == str(LABELLED_REPS)
        # plain words: the exercise by name, a verdict per rep (no check ids, no 'ok' checkboxes)
        assert _exercise_picker(page).input_value() == "Glute bridge"
        reps = panel.get_by_test_id("stTable").first
        reps.wait_for(timeout=30_000)
        assert "Verdict" in reps.inner_text() and "✓ Good" in reps.inner_text()
        panel.locator("video").first.wait_for(timeout=30_000)
        panel.locator("[data-testid='stVegaLiteChart'], .vega-embed").first.wait_for(timeout=30_000)
        # the tuning tab, drawn after this one in the same run, re-scores the clip without error
        page.get_by_text("Loaded clip re-scored").wait_for(state="attached", timeout=30_000)
        assert page.get_by_test_id("stException").count() == 0
        page.screenshot(path=str(tmp_path / "clip-review.png"), full_page=True)
        shots = os.environ.get("FORMCHECK_SCREENSHOTS")
        if shots:
            page.screenshot(path=str(Path(shots) / "clip-review.png"), full_page=True)
    chromium.close()


def _wait_or_dump(page, locator, tmp_path: Path, timeout_ms: int) -> None:
    """Wait for ``locator``; on a timeout print what the page shows and keep a screenshot."""
    try:
        locator.wait_for(timeout=timeout_ms)
    except Exception:
        page.screenshot(path=str(tmp_path / "timeout.png"), full_page=True)
        print("--- page text at the timeout ---", page.locator("body").inner_text()[:3000], sep="\n")
        raise


def _analyse_in_clip_review(page, exercise: str, clip: Path) -> None:
    from formcheck.rules.definition import get_definition

    _exercise_picker(page).click(timeout=90_000)
    page.get_by_role("option", name=get_definition(exercise).name, exact=True).click()   # names, not ids
    _open_tab(page, "Clip review")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload a clip")
    _choose_file(page, uploader, clip)
    uploader.get_by_test_id("stFileChipName").wait_for(state="attached", timeout=30_000)   # uploaded
    _open_tab(page, "Clip review")
    page.get_by_role("button", name="Analyse").click()


def _open_tab(page, name: str, tries: int = 3) -> None:
    """Click a page tab until its panel shows. With both cores loaded, the Clip review panel once
    stayed hidden after the click that followed an exercise change (1 of about 30 loaded runs,
    never unloaded; likely a rerun landing on the click); a person would click the tab again."""
    for attempt in range(tries):
        page.get_by_role("tab", name=name).click()
        try:
            page.get_by_role("tabpanel", name=name).wait_for(timeout=10_000)
            return
        except Exception:
            if attempt == tries - 1:
                raise


def _choose_file(page, uploader, clip: Path, tries: int = 3) -> None:
    """Put ``clip`` in the uploader and wait for its upload request to start.

    Playwright sets the file within milliseconds of the exercise click; on a loaded machine
    that change event can land while the exercise's rerun re-renders the form and is then
    dropped (seen in CI: the file sits on the <input>, no upload is sent). A person's file
    dialog takes seconds, so the test, like the person, simply chooses the file again."""
    def is_upload(r) -> bool:  # type: ignore[no-untyped-def]
        return r.method == "PUT" and "upload_file" in r.url
    for attempt in range(tries):
        try:
            with page.expect_request(is_upload, timeout=10_000):
                uploader.locator("input[type=file]").set_input_files(str(clip))
            return
        except Exception:   # playwright TimeoutError: no upload request was sent
            if attempt == tries - 1:
                raise


def test_two_tabs_analysing_at_once_keep_their_own_results(browser, media, tmp_path):
    """Two browser tabs = two sessions: each sees only its own clip, exercise and result."""
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    with running_app(tmp_path) as url:
        a, b = chromium.new_page(), chromium.new_page()
        for p in (a, b):
            p.goto(url, wait_until="domcontentloaded")
            p.get_by_role("tab", name="Clip review").wait_for(timeout=60_000)
        _analyse_in_clip_review(a, "bridge", media / "bridge" / "physioplus_bridging.mp4")
        _analyse_in_clip_review(b, "sitting", media / "sitting" / "ipd_sitting_front.mp4")
        for p in (a, b):   # the report download appears when a result is shown
            p.get_by_role("tabpanel", name="Clip review").get_by_role("button", name="JSON report").wait_for(
                timeout=120_000)
        pa, pb = (p.get_by_role("tabpanel", name="Clip review") for p in (a, b))
        assert _metric(pa, "Reps") == "1" and _metric(pa, "Camera view") == "side"
        assert _metric(pb, "Reps") == "0" and _metric(pb, "Camera view") == "front"
        a.get_by_role("tab", name="Live").click()      # a full rerun of tab A (toggle a widget)...
        a.get_by_text("Speak cues").click()
        time.sleep(2)
        _open_tab(a, "Clip review")
        assert _metric(pa, "Camera view", 30_000) == "side"   # ...still shows only A's result
        assert a.get_by_test_id("stException").count() == 0 and b.get_by_test_id("stException").count() == 0
    chromium.close()


def test_an_upload_over_the_limit_is_refused_with_a_message(browser, media, tmp_path):
    """The app's upload limit (500 MB by default; 1 MB here so the test stays small)."""
    chromium = browser.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    with running_app(tmp_path, extra=("--server.maxUploadSize", "1")) as url:
        page = chromium.new_page()
        page.goto(url, wait_until="domcontentloaded")
        _exercise_picker(page).click(timeout=90_000)   # nothing is preselected for a new visitor
        page.get_by_role("option", name="Glute bridge", exact=True).click()
        page.get_by_role("tab", name="Clip review").click()
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload a clip")
        refusal = uploader.get_by_text(re.compile(r"must be 1(\.0)?\s?MB or smaller", re.I))
        for _ in range(3):   # as in _choose_file: a change event can be lost to a rerun
            uploader.locator("input[type=file]").set_input_files(str(media / CLIP))   # 1.3 MB
            with contextlib.suppress(Exception):
                refusal.wait_for(timeout=10_000)
                break
        refusal.wait_for(timeout=1_000)
    chromium.close()
