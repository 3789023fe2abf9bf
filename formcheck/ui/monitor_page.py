"""Desk monitor: the camera sampled twice a second while the person works; calibrate, posture
state, time seated, time in good posture, next break, browser notifications and an optional
tone. By default the lite pose model runs in the browser and only landmarks reach the server
(monitor_browser.py); the WebRTC video path (the server runs the model) is the fallback, chosen
by the same setting as the Live page's and automatically when the browser cannot run the model.
The stream keeps running while the tab is in the background."""

from __future__ import annotations

from typing import Any

import streamlit as st

from formcheck.engine.monitor_events import MonitorSettings
from formcheck.media.bundles import monitor_model, resolve_model
from formcheck.monitor.browser_feed import MonitorLandmarks
from formcheck.monitor.video_feed import MonitorProcessor
from formcheck.rules.definition import get_definition
from formcheck.ui import compat
from formcheck.ui.browser import notify
from formcheck.ui.common import PageState
from formcheck.ui.kept import kept
from formcheck.ui.live_browser import follow_playing, use_browser_path
from formcheck.ui.monitor_browser import FALLBACK_KEY, PLAYING_KEY, SETTING_KEY, browser_monitor
from formcheck.ui.rtc_frames import rgb_of, video_frame

STREAMER_KEY = "formcheck-monitor"
NOTIFY_KINDS = ("posture_bad", "break_due")


def monitor_page(ps: PageState) -> None:
    st.header("Desk monitor")
    st.caption("A laptop's camera in front of you sees your head and shoulders; a camera at your side sees "
               "your whole body and judges more (your back and knees too). The first seconds of good posture "
               "calibrate the monitor to you; "
               "it alerts only when bad posture lasts, and reminds you to take a break. A change is shown only "
               f"once it has lasted {MonitorSettings.settle_s:g} s "
               f"(standing up: {MonitorSettings.stand_confirm_s:g} s), "
               "so a camera bump or reaching for a cup does not count.")
    c1, c2, c3 = st.columns(3)
    alert_s = c1.number_input("Alert after (s) of bad posture", 3, 600, 30, 1, key="mon_alert")
    break_min = c2.number_input("Break every (min)", 1, 120, 40, 1, key="mon_break")
    sound = c3.toggle("Sound with alerts", value=False, key="mon_sound")
    in_browser, why_not = use_browser_path(SETTING_KEY, FALLBACK_KEY)
    if why_not:
        st.info(f"The desk monitor uses the server-side video path: {why_not}")
    proc = _processor(ps, MonitorSettings(alert_after_s=float(alert_s), break_after_s=float(break_min) * 60),
                      in_browser)
    left, right = st.columns([3, 2])
    with left:
        if isinstance(proc, MonitorLandmarks):
            st.fragment(browser_monitor)(proc, ps.actor.name)
            playing = proc.playing
        else:
            playing = bool(_streamer(proc).state.playing)
    with right:
        b1, b2 = st.columns(2)
        if b1.button("Recalibrate", key="mon_recal"):
            proc.recalibrate()
        if b2.button("Snooze 15 min", key="mon_snooze"):
            proc.snooze(15)
        st.fragment(_panel, run_every=1.0 if playing else None)(proc, bool(sound))


def _processor(ps: PageState, settings: MonitorSettings, in_browser: bool) -> MonitorProcessor:
    key = f"mon-{ps.patient}-{settings.alert_after_s}-{settings.break_after_s}-{in_browser}"

    def make() -> MonitorProcessor:
        d = get_definition("sitting") if ps.exercise != "sitting" else ps.definition
        base = ps.profile.baseline_deg if ps.profile and ps.exercise == "sitting" else None
        kind = MonitorLandmarks if in_browser else MonitorProcessor
        return kind(d, resolve_model(monitor_model()), settings, baseline=base)

    return kept("mon_proc", "mon_key", key, make, lambda proc: proc.close())


def _streamer(proc: MonitorProcessor) -> Any:
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    compat.keep_streamer_alive(st.session_state.get(STREAMER_KEY))

    def on_frame(frame: Any) -> Any:
        return video_frame(proc.process(rgb_of(frame)), frame)

    return webrtc_streamer(key=STREAMER_KEY, mode=WebRtcMode.SENDRECV, rtc_configuration={"iceServers": []},
                           media_stream_constraints={"video": {"width": 640, "height": 480}, "audio": False},
                           video_frame_callback=on_frame)


def _panel(proc: MonitorProcessor, sound: bool) -> None:
    snap = proc.snapshot()
    if snap.error:
        st.warning(f"Frame processing problem (monitoring continues): {snap.error}")
    words = {"starting": "Press START to begin" if not snap.samples else "Starting...",
             "calibrating": "Calibrating: sit upright", "seated": "Seated",
             "standing": "Standing", "away": "Nobody in view: no alerts"}
    posture = "" if snap.state != "seated" else (f": {snap.bad}" if snap.bad else ": good posture")
    st.markdown(f"<div data-testid='fc-monitor-state' style='font-size:1.5em;font-weight:600'>"
                f"{words.get(snap.state, snap.state)}{posture}</div>", unsafe_allow_html=True)
    c1, c2, c3 = st.columns(3)
    c1.metric("Seated", f"{snap.seated_s / 60:.0f} min")
    c2.metric("Good posture", f"{snap.good_share:.0%}")
    nb = snap.next_break_s
    c3.metric("Next break", "-" if nb is None else f"{int(nb // 60)}:{int(nb % 60):02d}")
    st.caption(f"Alerts: {snap.alerts} | samples analysed: {snap.samples}")
    # (processor, events notified): a new processor starts at none, whatever run made it
    of, done = st.session_state.get("mon_notified", (None, 0))
    done = done if of is proc else 0   # the object, not its id: a freed one's id is reused
    for ev in snap.events[done:]:
        if ev.kind in NOTIFY_KINDS:
            notify("formcheck", ev.message, sound)
    st.session_state["mon_notified"] = (proc, len(snap.events))
    if isinstance(proc, MonitorLandmarks):   # START or STOP in the browser: the timer follows
        follow_playing(proc, PLAYING_KEY)
    for ev in reversed(snap.events[-5:]):
        st.caption(f"{int(ev.t_s // 60)}:{int(ev.t_s % 60):02d} {ev.message}")
