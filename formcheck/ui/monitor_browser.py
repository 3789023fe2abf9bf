"""The Desk monitor with the pose model in the patient's browser (the default): the pose
component in "lite" mode at the monitor's low rate (formcheck/monitor/browser_feed.py:
BROWSER_FPS, 2 frames a second, as the server-side monitor samples), landmarks on the landmark
websocket (a token of its own in the registry), the same Monitor judging them on the server.
The panel, calibration, notifications and sound are the page's own (monitor_page.py)."""

from __future__ import annotations

import time

import streamlit as st

from formcheck.monitor.browser_feed import BROWSER_FPS, MIN_FPS, MonitorLandmarks
from formcheck.run.live.websocket import PATH as SOCKET_PATH
from formcheck.ui.live_browser import fall_back_if_the_browser_cannot, follow_playing, min_fps, socket_token
from formcheck.ui.pose_component import pose_component

COMPONENT_KEY = "formcheck-pose-monitor"
SETTING_KEY = "mon_in_browser"
FALLBACK_KEY = "mon_fallback_reason"
TOKEN_KEY = "mon_socket_token"       # (token, id of the MonitorLandmarks it feeds)
PLAYING_KEY = "mon_browser_playing"
VISIBLE = 0.5                        # landmark visibility drawn (as the sitting definition's)


def browser_monitor(proc: MonitorLandmarks, owner: str) -> None:
    """The component (run as a fragment); ``owner`` is who is logged in, for the server's log."""
    def on_change() -> None:   # a START/STOP notice, or (no socket) a landmark batch
        t = time.perf_counter()
        proc.feed(st.session_state.get(COMPONENT_KEY))
        proc.browser["server_judge_ms"] = (time.perf_counter() - t) * 1000.0

    pose_component(COMPONENT_KEY, proc.reply(), "lite", VISIBLE, on_change, min(MIN_FPS, min_fps()),
                   socket_token=socket_token(proc, owner, TOKEN_KEY), socket_path=SOCKET_PATH,
                   max_fps=BROWSER_FPS)
    st.caption(f"The camera is sampled {BROWSER_FPS:g} times a second in this browser (like the server-side "
               "monitor), to keep your laptop's CPU and battery use low; only landmarks are sent.")
    fall_back_if_the_browser_cannot(proc, FALLBACK_KEY)
    follow_playing(proc, PLAYING_KEY)
