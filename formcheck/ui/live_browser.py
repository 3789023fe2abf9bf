"""Live coaching with the pose model in the patient's browser (the default): which path the
Live page takes, the component, and the panel beside it.

Landmarks travel on the landmark websocket (formcheck/run/live/websocket.py, on the app's own
server and port): the page registers its LandmarkLive under a one-time token
(formcheck/run/live/registry.py) and passes the token to the component, which streams every judged
frame on the socket and draws each reply. No Streamlit rerun per batch: the panel reruns when a
verdict changes what it shows (the component tells the panel's watcher component, which reruns
only the panel's fragment), and the component sends one component value at START and one at
STOP so the page follows and shows the set summary.
When the socket cannot connect the component falls back to component values (each one reruns
only the component's fragment, judged in its on_change) and says so in the debug figures.
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

import streamlit as st

from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.registry import REGISTRY, LandmarkSink
from formcheck.run.live.remote import RemoteLive
from formcheck.run.live.websocket import PATH as SOCKET_PATH
from formcheck.ui.pose_component import assets_problem, panel_watch, pose_component

COMPONENT_KEY = "formcheck-pose-live"
FALLBACK_KEY = "live_fallback_reason"   # why this session uses the server-side video path
SETTING_KEY = "live_in_browser"
TOKEN_KEY = "live_socket_token"         # (token, id of the LandmarkLive it feeds)
WATCH_KEY = "formcheck-panel-watch"
CHANNEL_KEY = "live_panel_channel"
TOKEN_KEYS = (TOKEN_KEY, "mon_socket_token")   # every page's (the Desk monitor's too)
ENV_SETTING = "FORMCHECK_LIVE_POSE"     # "browser" (default) or "server": the video path
ENV_TRANSPORT = "FORMCHECK_LIVE_TRANSPORT"   # "socket" (default) or "component": component values
PANEL_REFRESH_S = 1.0   # with the details on; $FORMCHECK_PANEL_REFRESH_S sets a timer for all (the benchmark)
# Below this many judged frames a second the browser path gives up (the engine is checked at
# 5-30 fps: tests/run/test_live_media.py); $FORMCHECK_BROWSER_MIN_FPS overrides it.
MIN_FPS = 4.0


def use_browser_path(key: str = SETTING_KEY, fallback_key: str = FALLBACK_KEY) -> tuple[bool, str | None]:
    """(True, None) for the in-browser path; (False, why) for the server-side video path.
    ``key``: the page's switch (the Desk monitor has its own, with the same default);
    ``fallback_key``: where the page keeps why this browser cannot run the model."""
    default = os.environ.get(ENV_SETTING, "browser").strip().lower() != "server"
    on = st.toggle("Pose model in this browser (no video sent)", value=default, key=key,
                   help="On: your browser finds the body landmarks and sends only those to formcheck. "
                        "Off: the video goes to the formcheck server, which needs much more of its CPU.")
    if not on:
        return False, None
    problem = assets_problem() or st.session_state.get(fallback_key)
    if problem:
        return False, problem
    return True, None


def browser_live(proc: LandmarkLive | RemoteLive, owner: str) -> None:
    """The component (run as a fragment: ``st.fragment(browser_live)``); ``owner`` is who is
    logged in, for the server's log."""
    def on_change() -> None:
        t = time.perf_counter()
        proc.feed(st.session_state.get(COMPONENT_KEY))
        proc.browser["server_judge_ms"] = (time.perf_counter() - t) * 1000.0

    pose_component(COMPONENT_KEY, proc.reply(), "full", proc.definition.min_visibility, on_change,
                   min_fps(), socket_token=socket_token(proc, owner), socket_path=SOCKET_PATH,
                   panel_channel=panel_channel())
    fall_back_if_the_browser_cannot(proc)
    follow_playing(proc)


def fall_back_if_the_browser_cannot(proc: Any, fallback_key: str = FALLBACK_KEY) -> None:
    """The component said the browser cannot run the model: this session takes the video path
    (the reason, in the component's plain words, is shown above it)."""
    problem = proc.browser.get("problem")
    if problem:
        st.session_state[fallback_key] = f"{problem} Using the server-side video path instead."
        st.rerun(scope="app")


def browser_panel(proc: LandmarkLive | RemoteLive, panel: Any, details: bool = False) -> None:
    """The panel beside the video, a fragment rerun by its watcher component when a verdict
    changes what it shows (and, with ``details``, the therapist's processing figures, also on a
    timer: :func:`panel_timer_s`)."""
    shown = proc.panel_signature()
    panel(proc)
    panel_watch(WATCH_KEY, panel_channel(), shown)
    if details:
        _debug(proc)
    follow_playing(proc)


def follow_playing(proc: Any, key: str = "live_browser_playing") -> None:
    """START or STOP happened since the last look: rerun the page (the panel's timer starts or
    stops; after STOP the page shows the set summary). ``proc``: anything with ``playing``."""
    was = st.session_state.get(key, False)
    st.session_state[key] = proc.playing
    if was != proc.playing:
        st.rerun(scope="app")


def socket_token(proc: LandmarkSink, owner: str, key: str = TOKEN_KEY) -> str | None:
    """This session's one-time landmark socket token for ``proc`` (a new one once the last is
    spent); None when the component values are chosen ($FORMCHECK_LIVE_TRANSPORT=component).
    ``key``: where the page keeps it (the Live page and the Desk monitor each have one)."""
    if os.environ.get(ENV_TRANSPORT, "socket").strip().lower() == "component":
        return None
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    held = st.session_state.get(key)
    if held and held[1] == id(proc) and REGISTRY.state(held[0]) != "gone":
        return str(held[0])
    if held:
        REGISTRY.release(held[0])
    ctx = get_script_run_ctx()
    sid = ctx.session_id if ctx is not None else "no-session"
    token = REGISTRY.register(proc, sid, owner, alive=_session_alive(sid))
    st.session_state[key] = (token, id(proc))
    return token


def forget_socket_tokens() -> None:
    """Log out: this session's landmark socket tokens are dropped (an open socket closes)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    for key in TOKEN_KEYS:
        st.session_state.pop(key, None)
    if ctx is not None:
        REGISTRY.drop_session(ctx.session_id)


def _session_alive(session_id: str) -> Any:
    def alive() -> bool:
        from streamlit import runtime

        return runtime.exists() and runtime.get_instance().is_active_session(session_id)
    return alive


def panel_channel() -> str:
    """The BroadcastChannel between this session's pose component and the panel's watcher
    (random per session, so two tabs of the app do not rerun each other's panel)."""
    if CHANNEL_KEY not in st.session_state:
        st.session_state[CHANNEL_KEY] = f"formcheck-panel-{secrets.token_urlsafe(12)}"
    return str(st.session_state[CHANNEL_KEY])


def panel_timer_s(playing: bool, details: bool) -> float | None:
    """The panel fragment's timer: none for a patient (the watcher reruns it when there is
    something new), :func:`panel_refresh_s` while a set runs with the therapist's details on
    (the browser's figures change all the time), or always with $FORMCHECK_PANEL_REFRESH_S."""
    if not playing:
        return None
    if details or os.environ.get("FORMCHECK_PANEL_REFRESH_S"):
        return panel_refresh_s()
    return None


def panel_refresh_s() -> float:
    """Seconds between the panel's refreshes while a set runs with the details on."""
    try:
        return max(0.2, float(os.environ.get("FORMCHECK_PANEL_REFRESH_S", PANEL_REFRESH_S)))
    except ValueError:
        return PANEL_REFRESH_S


def min_fps() -> float:
    """Judged frames a second below which the browser path gives up ($FORMCHECK_BROWSER_MIN_FPS)."""
    try:
        return float(os.environ.get("FORMCHECK_BROWSER_MIN_FPS", MIN_FPS))
    except ValueError:
        return MIN_FPS


def _debug(proc: LandmarkLive | RemoteLive) -> None:
    b = proc.browser
    with st.expander("Debug: in-browser pose"):
        def num(k: str, fmt: str = "{:.0f}") -> str:
            v = b.get(k)
            return fmt.format(v) if isinstance(v, int | float) else "-"
        st.markdown(f"""- landmarks travel by: {b.get('transport', '-')}
- browser delegate: {b.get('delegate', '-')}
- browser fps: {num('fps', '{:.1f}')}
- inference ms per frame (median): {num('infer_ms', '{:.1f}')}
- capture-to-verdict beyond inference ms p50 / p95: {num('latency_p50_ms')} / {num('latency_p95_ms')}
- send-to-reply ms p50 / p95: {num('rtt_p50_ms')} / {num('rtt_p95_ms')}
- START to first verdict ms: {num('first_verdict_ms')}
- server judging ms per component value (fallback only): {num('server_judge_ms', '{:.2f}')}
- frames judged on the server: {proc.snapshot().frames}""")
