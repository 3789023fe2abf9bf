"""Live coaching: webcam via streamlit-webrtc, first-time guidance, set-up verdicts, cues
(shown and spoken), reps per side, hold timer, the therapist's details (angles, phase,
performance) behind a switch, and the set summary when the stream stops."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import streamlit as st

from formcheck.core.wording import degrees, plural, seconds
from formcheck.engine.session import SessionResult
from formcheck.media.bundles import default_model_path
from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.remote import RemoteLive, RemoteRecorder, WorkerGoneError
from formcheck.run.live.video import LiveProcessor, LiveSnapshot
from formcheck.run.live.workers import RecorderSpec, judged_in_server, pool, room_in_server
from formcheck.storage.recorder import SetRecorder
from formcheck.ui import compat
from formcheck.ui.browser import camera_check, speak
from formcheck.ui.checkin_panel import after_checkin, checkin_gate
from formcheck.ui.common import PageState, choose_exercise_first
from formcheck.ui.guidance import guidance
from formcheck.ui.kept import kept
from formcheck.ui.live_browser import browser_live, browser_panel, panel_timer_s, use_browser_path
from formcheck.ui.programme_live import set_done, todays_programme
from formcheck.ui.results import downloads, faults_table, good_form, reps_table, show_sides
from formcheck.ui.rtc_frames import rgb_of, video_frame

log = logging.getLogger(__name__)
STREAMER_KEY = "formcheck-live"
PANEL_REFRESH_S = 0.5
SPEECH_COOLDOWN_S = 4.0   # at most one spoken cue per 4 s, so it does not chatter


def live_page(ps: PageState) -> None:
    st.header("Live coaching")
    if not checkin_gate(ps):   # a patient checks in first; a red flag stops here
        return
    if not ps.chosen:
        choose_exercise_first()
        return
    in_browser, why_not = use_browser_path()
    if why_not:
        st.info(f"Live coaching uses the server-side video path: {why_not}")
    proc = _processor(ps, LandmarkLive if in_browser else LiveProcessor)
    proc.details = ps.details   # angles and phase on the video only for the therapist
    st.toggle("Speak cues", value=True, key="speak_cues",
              help="Cues only, at most one every 4 s, by your browser's speech synthesis.")
    if isinstance(proc, LandmarkLive | RemoteLive):
        proc.target = todays_programme(ps)
        left, right = st.columns([3, 2])   # where the video path's columns are: a switch replaces them
        with left:
            with st.container():   # always there: START's rerun must not move (remount) the component
                if not proc.playing and not proc.snapshot().frames:   # before the first set only
                    camera_check()
            st.fragment(browser_live)(proc, ps.actor.name)
        playing = proc.playing
        with right:   # rerun by its watcher when there is something new (START and STOP rerun the page)
            st.fragment(browser_panel, run_every=panel_timer_s(playing, ps.details))(
                proc, lambda p: live_panel(p, ps.details, p.playing), ps.details)
        if not playing and not proc.snapshot().frames:
            guidance(ps.definition)
        stopped = not playing and bool(proc.snapshot().frames)
        if stopped:
            _end_set(proc)
    else:
        left, right = st.columns([3, 2])
        with left:
            hint = st.empty()
            ctx = _streamer(proc)
            help_slot = st.empty()
        playing = bool(ctx.state.playing)
        stopped = not playing and bool(proc.snapshot().frames)
        if not playing and not stopped:   # once streaming "Camera found. Press START" is stale
            with hint.container():
                camera_check()
            with help_slot.container():
                guidance(ps.definition)
        if stopped:   # before today's programme below, so it counts the set at once
            _end_set(proc)
        with right:
            proc.target = todays_programme(ps)
            # Refresh the panel twice a second only while streaming: a timer rerunning all the
            # time would compete with the clicks on the other tabs.
            st.fragment(live_panel, run_every=PANEL_REFRESH_S if playing else None)(proc, ps.details, playing)
    if stopped:
        _set_summary(proc, ps)
        after_checkin(ps)


def _end_set(proc: LiveProcessor | RemoteLive) -> None:
    """The stream stopped: the set's last rep and summary go to the history now."""
    proc.end_set()
    if proc.recorder is not None:
        proc.recorder.flush(2.0)


def _processor(ps: PageState, kind: type[LiveProcessor] = LiveProcessor) -> Any:
    """This session's live set: a LiveProcessor (the video path), or with the pose model in the
    browser a LandmarkLive (judged in the server's process: the first few sets open at a time,
    or no workers) or a RemoteLive (judged in one of the server's worker processes)."""
    key = f"live-{kind.__name__}-{ps.exercise}-{ps.profile.label() if ps.profile else 'default'}-{ps.patient}"

    def make() -> Any:
        proc = (kind is LandmarkLive and not room_in_server() and _remote(ps)) or _local(ps, kind)
        if isinstance(proc, LandmarkLive):
            judged_in_server(proc)
        return proc

    def close(proc: Any) -> None:
        proc.close()   # finishes that set in its patient's history
        judged_in_server(proc, open_=False)

    return kept("live_proc", "live_key", key, make, close)


def _local(ps: PageState, kind: type[LiveProcessor]) -> LiveProcessor:
    recorder = None
    if ps.patient and ps.db is not None:   # every set of a patient is kept, rep by rep
        recorder = SetRecorder(ps.db, ps.patient, ps.exercise, ps.definition.version,
                               ps.profile.version if ps.profile else None)
    return kind(ps.definition, default_model_path(), ps.profile, recorder)


def _remote(ps: PageState) -> RemoteLive | None:
    """The set on a judging worker; None without workers or when one cannot start (logged:
    the set is judged in the server's process then)."""
    workers = pool()
    if workers is None:
        return None
    spec = None
    if ps.patient and ps.db is not None:   # the worker records each rep as it finishes
        spec = RecorderSpec(ps.db.url, ps.db.actor, ps.patient, ps.exercise, ps.definition.version,
                            ps.profile.version if ps.profile else None)
    try:
        return RemoteLive(workers, ps.definition, default_model_path(), ps.profile, spec)
    except Exception as e:   # a worker that cannot start, or cannot open the set there: judge here
        log.warning("no judging worker (%s: %s): this set is judged in the server's process", e.__class__.__name__, e)
        return None


def _streamer(proc: LiveProcessor) -> Any:
    from streamlit_webrtc import WebRtcMode, webrtc_streamer

    compat.keep_streamer_alive(st.session_state.get(STREAMER_KEY))   # renders on every run

    async def on_frames(frames: list[Any]) -> list[Any]:
        outs = []
        for i in proc.fresh([f.time for f in frames]):   # stale ones are dropped: latency cannot grow
            # drawn on the decoded pixels themselves (they are this callback's own)
            out = proc.process(rgb_of(frames[i]), frames[i].time, inplace=True)
            outs.append(video_frame(out, frames[i]))
        return outs

    return webrtc_streamer(key=STREAMER_KEY, mode=WebRtcMode.SENDRECV,
                           rtc_configuration={"iceServers": []},
                           media_stream_constraints={"video": {"width": 640, "height": 480}, "audio": False},
                           queued_video_frames_callback=on_frames, async_processing=True)


def live_panel(proc: LiveProcessor | RemoteLive, details: bool = False, playing: bool = True) -> None:
    """The panel beside the video (run as a fragment: only it re-runs on its timer). Once
    the stream has stopped, the last cue and set-up checks are gone (the summary speaks)."""
    snap = proc.snapshot()
    if isinstance(proc, RemoteLive) and proc.gone:   # its worker died: this set cannot go on
        st.error(proc.gone)
    elif snap.error:
        st.warning(f"Frame processing problem (the stream continues): {snap.error}")
    if playing:
        _setup(snap)
    r = snap.last
    cue = r.cue if r and playing else None
    st.markdown(f"<div data-testid='fc-cue' style='font-size:1.8em;font-weight:600;min-height:1.3em'>"
                f"{cue or '&nbsp;'}</div>", unsafe_allow_html=True)
    _maybe_speak(cue)
    c1, c2, c3 = st.columns(3)
    c1.metric("Reps", len(snap.reps))
    if proc.definition.phases.kind == "sided":
        by_side = r.reps_by_side if r else {}
        c2.metric("Left / right", f"{by_side.get('left', 0)} / {by_side.get('right', 0)}")
    if proc.definition.phases.kind != "continuous":
        c3.metric("Hold", seconds((r.hold_ms if r else 0) / 1000))
    target_s = (proc.target.hold_s if proc.target is not None and proc.target.hold_s
                else proc.definition.hold.target_s) if proc.definition.phases.kind != "continuous" else None
    prompt = hold_prompt(r.hold_ms if r and playing else 0.0, target_s)
    if prompt:
        st.markdown(f"<div data-testid='fc-hold' style='font-size:1.4em;font-weight:600'>{prompt}</div>",
                    unsafe_allow_html=True)
    if details and r and r.angles:
        labels = {k: m.label or k for k, m in proc.definition.measures.items()}
        st.caption(" | ".join(f"{labels.get(k, k)}: {degrees(v)}" for k, v in r.angles.items() if v is not None)
                   + (f" | phase: {r.phase}" if r.phase else ""))
    set_done(proc.target, [(x.index, x.hold_ms) for x in snap.reps], proc.set_key(), playing)
    if snap.cues and playing:
        st.caption("Recent cues: " + " / ".join(reversed(snap.cues)))
    if snap.reps and playing:
        st.table(reps_table(proc.definition, snap.reps, with_top=False))
    if not details:
        return
    with st.expander("Details for your therapist: live performance"):
        first = f"{snap.first_result_s:.2f}" if snap.first_result_s is not None else "-"
        st.markdown(f"""- frames processed: {snap.frames}
- processed fps: {snap.fps:.1f}
- capture-to-result latency ms: {snap.latency_ms:.0f}
- processing ms (last frame): {snap.process_ms:.1f}
- stale frames dropped: {snap.dropped}
- frame size: {snap.frame_size[0] if snap.frame_size else '-'} x {snap.frame_size[1] if snap.frame_size else '-'}
- first frame to first result s: {first}""")


def hold_prompt(hold_ms: float, target_s: float | None) -> str | None:
    """While a hold runs: "Hold 2 more seconds", then "Held long enough" (None: no hold)."""
    if hold_ms <= 0 or not target_s:
        return None
    left = math.ceil(target_s - hold_ms / 1000.0 - 1e-9)
    return f"Hold {plural(left, 'more second', 'more seconds')}" if left > 0 else "Held long enough: well done"


def _setup(snap: LiveSnapshot) -> None:
    if not snap.setup:
        return
    marks = {True: "✓", False: "⚠", None: "…"}
    st.markdown("\n".join(f"- {marks[i.ok]} **{i.label}**: {i.message}" for i in snap.setup))


def _maybe_speak(cue: str | None) -> None:
    if not cue or not st.session_state.get("speak_cues", True):
        return
    last_cue, last_t = st.session_state.get("spoken", (None, 0.0))
    now = time.monotonic()
    if cue != last_cue and now - last_t >= SPEECH_COOLDOWN_S:
        st.session_state["spoken"] = (cue, now)
        speak(cue)


def proc_recorder() -> SetRecorder | RemoteRecorder | None:
    proc = st.session_state.get("live_proc")
    return proc.recorder if proc is not None else None


def _set_summary(proc: LiveProcessor | RemoteLive, ps: PageState) -> None:
    st.subheader("Set summary")
    try:
        current = proc.result()
    except WorkerGoneError as e:
        st.error(str(e))
        return
    st.caption("Pressing START again begins a new set; this one stays below until you leave the page.")
    _summary_block(current, ps, "current")
    for i, earlier in enumerate(reversed(proc.finished_sets)):
        with st.expander(f"Earlier set {len(proc.finished_sets) - i}"):
            _summary_block(earlier, ps, f"earlier-{i}")


def _summary_block(r: SessionResult, ps: PageState, key: str) -> None:
    s = r.summary
    for note in (s.position_message, s.people_message):
        if note:
            st.warning(note)
    d = ps.definition
    line = f"{plural(len(r.reps), 'rep')} in {r.info.duration_s:.0f} s."
    if r.reps:
        line += f" Good form: {good_form(r.reps)}."
    st.write(line)
    if s.faults:
        st.table(faults_table(d, s.faults, "times" if d.phases.kind == "continuous" else "reps"))
    if r.reps:
        st.table(reps_table(d, r.reps, with_top=False))
        show_sides(s.asymmetry, st)
    downloads(r, f"dl-{key}", "Download set (JSON)", f"{ps.exercise}-set.json", csv=False)
    if key == "current":
        rec = proc_recorder()
        if rec is not None and rec.error:
            st.error(f"Not all of this set could be recorded: {rec.error}")
        elif ps.patient and rec is not None:
            st.success(f"Recorded in {ps.patient}'s history, each rep as it was done.")
        else:
            st.caption("Free practice: nothing is kept. Choose a patient in the sidebar to keep every set.")
