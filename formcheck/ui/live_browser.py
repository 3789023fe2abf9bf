"""Live coaching with the pose model in the patient's browser (the default): which path the
Live page takes, and the fragment that passes landmark batches to the server-side session.

Every component message reruns only the fragment (st.fragment): the batch is judged in the
component's on_change callback, before the fragment draws, so the reply in the component's args
is already the verdict on that batch.
"""

from __future__ import annotations

import os
import time
from typing import Any

import streamlit as st

from ..live_landmarks import LandmarkLive
from .pose_component import assets_problem, pose_component

COMPONENT_KEY = "formcheck-pose-live"
FALLBACK_KEY = "live_fallback_reason"   # why this session uses the server-side video path
SETTING_KEY = "live_in_browser"
ENV_SETTING = "FORMCHECK_LIVE_POSE"     # "browser" (default) or "server": the video path
# Below this many judged frames a second the browser path gives up (the engine is checked at
# 5-30 fps: tests/test_live_media.py); $FORMCHECK_BROWSER_MIN_FPS overrides it.
MIN_FPS = 4.0


def use_browser_path() -> tuple[bool, str | None]:
    """(True, None) for the in-browser path; (False, why) for the server-side video path."""
    default = os.environ.get(ENV_SETTING, "browser").strip().lower() != "server"
    on = st.toggle("Pose model in this browser (no video sent)", value=default, key=SETTING_KEY,
                   help="On: your browser finds the body landmarks and sends only those to formcheck. "
                        "Off: the video goes to the formcheck server, which needs much more of its CPU.")
    if not on:
        return False, None
    problem = assets_problem() or st.session_state.get(FALLBACK_KEY)
    if problem:
        return False, problem
    return True, None


def browser_live(proc: LandmarkLive, panel: Any, details: bool = False) -> None:
    """The component and the panel beside it; run as a fragment (``st.fragment(browser_live)``).
    ``details``: the processing figures for the therapist."""
    def on_change() -> None:
        t = time.perf_counter()
        proc.feed(st.session_state.get(COMPONENT_KEY))
        proc.browser["server_judge_ms"] = (time.perf_counter() - t) * 1000.0

    left, right = st.columns([3, 2])
    with left:
        pose_component(COMPONENT_KEY, proc.reply(), "full", proc.definition.min_visibility, on_change,
                       _min_fps())
    problem = proc.browser.get("problem")
    if problem:   # the browser cannot run the model: this session takes the video path
        st.session_state[FALLBACK_KEY] = f"{problem} Using the server-side video path instead."
        st.rerun(scope="app")
    with right:
        panel(proc)
        if details:
            _debug(proc)
    was = st.session_state.get("live_browser_playing", False)
    st.session_state["live_browser_playing"] = proc.playing
    if was and not proc.playing:
        st.rerun(scope="app")   # STOP: the whole page shows the set summary


def _min_fps() -> float:
    try:
        return float(os.environ.get("FORMCHECK_BROWSER_MIN_FPS", MIN_FPS))
    except ValueError:
        return MIN_FPS


def _debug(proc: LandmarkLive) -> None:
    b = proc.browser
    with st.expander("Debug: in-browser pose"):
        def num(k: str, fmt: str = "{:.0f}") -> str:
            v = b.get(k)
            return fmt.format(v) if isinstance(v, int | float) else "-"
        st.markdown(f"""- browser delegate: {b.get('delegate', '-')}
- browser fps: {num('fps', '{:.1f}')}
- inference ms per frame (median): {num('infer_ms', '{:.1f}')}
- capture-to-verdict beyond inference ms p50 / p95: {num('latency_p50_ms')} / {num('latency_p95_ms')}
- batch round trip (send to reply) ms p50 / p95: {num('rtt_p50_ms')} / {num('rtt_p95_ms')}
- START to first verdict ms: {num('first_verdict_ms')}
- server judging ms per batch: {num('server_judge_ms', '{:.2f}')}
- frames judged on the server: {proc.snapshot().frames}""")
