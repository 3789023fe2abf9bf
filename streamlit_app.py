"""formcheck app: live webcam coaching, clip review and therapist tuning.

A thin UI over formcheck's Session/pipeline (the same objects the CLI uses). Start with
``.venv/bin/streamlit run streamlit_app.py`` (binds 127.0.0.1, see .streamlit/config.toml).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from formcheck import config
from formcheck.definition import available_exercises, get_definition
from formcheck.engine.session import SessionResult, rescore
from formcheck.errors import FormcheckError
from formcheck.models import default_model_path
from formcheck.pipeline import analyze_clip
from formcheck.profile import Bounds, Profile, apply_profile, load_profile
from formcheck.report import build_report, frames_csv

st.set_page_config(page_title="formcheck", layout="wide")
VIDEO_TYPES = ["mp4", "mov", "m4v", "avi", "webm", "mkv", "gif", "jpg", "jpeg", "png", "webp"]


def sidebar() -> tuple[str, Profile | None]:
    st.sidebar.title("formcheck")
    ex = st.sidebar.selectbox("Exercise", list(available_exercises()), key="exercise")
    prof_file = st.sidebar.file_uploader("Patient profile (.toml, optional)", type=["toml"])
    profile = None
    if prof_file is not None:
        with tempfile.NamedTemporaryFile(suffix=".toml", delete=False) as tmp:
            tmp.write(prof_file.getvalue())
        try:
            profile = load_profile(tmp.name)
            apply_profile(get_definition(ex), profile, where=prof_file.name)
            st.sidebar.success(f"Profile {profile.label()} loaded")
        except FormcheckError as e:
            st.sidebar.error(str(e).replace(tmp.name, prof_file.name))
            profile = None
    st.sidebar.caption("Runs on this computer only; nothing is uploaded or stored unless you save it.")
    return ex, profile


def live_page(ex: str, profile: Profile | None) -> None:
    st.header("Live coaching")
    d = apply_profile(get_definition(ex), profile)
    st.info("Set-up: place the camera at your side at hip height, whole body in view. "
            f"{d.view_cue}")
    try:
        from streamlit_webrtc import WebRtcMode, webrtc_streamer
    except ImportError:
        st.error("Live video needs streamlit-webrtc (run ./install.sh). Use clip review instead.")
        return
    import av

    from formcheck.live import LiveProcessor

    key = f"live-{ex}-{profile.label() if profile else 'default'}"
    if st.session_state.get("live_key") != key:
        st.session_state["live_key"] = key
        st.session_state["live_proc"] = LiveProcessor(d, default_model_path(), profile)
    proc: LiveProcessor = st.session_state["live_proc"]

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        out = proc.process(frame.to_ndarray(format="rgb24"))
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    ctx = webrtc_streamer(key="formcheck-live", mode=WebRtcMode.SENDRECV,
                          rtc_configuration={"iceServers": []},
                          media_stream_constraints={"video": True, "audio": False},
                          video_frame_callback=callback, async_processing=True)
    snap = proc.snapshot()
    c1, c2, c3 = st.columns(3)
    c1.metric("Reps", len(snap.reps))
    c2.metric("Frames processed", snap.frames)
    c3.metric("Processing fps", f"{snap.fps:.1f}")
    if snap.last and snap.last.cue:
        st.markdown(f"### {snap.last.cue}")
    if snap.error:
        st.warning(f"Frame processing problem: {snap.error}")
    if snap.reps:
        st.dataframe(pd.DataFrame([{"rep": r.index, "side": r.side, "hold s": round(r.hold_ms / 1000, 1),
                                    "faults": ", ".join(r.faults) or "none"} for r in snap.reps]))
    if ctx.state.playing:
        st.caption("Streaming: the panel refreshes when you interact with the page.")
    st.caption("No camera? The browser only allows it on http://localhost or HTTPS; "
               "otherwise use the Clip review tab.")


def _analyze(path: Path, ex: str, profile: Profile | None) -> SessionResult:
    d = apply_profile(get_definition(ex), profile)
    bar = st.progress(0.0, text="Analysing...")

    def progress(done: int, total: int) -> None:
        if total:
            bar.progress(min(done / total, 1.0), text=f"Analysing frame {done} of {total}")

    out_dir = Path(tempfile.mkdtemp(prefix="formcheck-"))
    video = out_dir / "annotated.mp4"
    r = analyze_clip(path, d, profile, video_out=video, progress=progress)
    bar.empty()
    st.session_state["result"] = r
    st.session_state["video"] = video
    return r


def show_result(r: SessionResult) -> None:
    rep = build_report(r)
    s = rep["summary"]
    c1, c2, c3 = st.columns(3)
    c1.metric("Reps", rep["rep_count"])
    c2.metric("Camera view", s["view"])
    c3.metric("Good form (judged frames)", f"{s['good_form_fraction']:.0%}")
    if s.get("camera_message"):
        st.warning(s["camera_message"])
    if rep["reps"]:
        st.subheader("Reps")
        st.dataframe(pd.DataFrame([{"rep": x["index"], "side": x["side"], "top s": x["top_ms"] / 1000,
                                    "hold s": x["hold_ms"] / 1000, "ok": x["ok"],
                                    "faults": ", ".join(x["faults"]) or "none"} for x in rep["reps"]]))
    if s["faults"]:
        st.write("Faults:", s["faults"])
    angles = pd.DataFrame([{"t_s": f["t_ms"] / 1000, **{k: v for k, v in f["angles"].items()}}
                           for f in rep["frames"]]).set_index("t_s")
    if not angles.empty:
        st.subheader("Key angles over time (deg)")
        st.line_chart(angles)
    video = st.session_state.get("video")
    if video and Path(video).is_file():
        st.video(str(video))
        st.download_button("Annotated video", Path(video).read_bytes(), "annotated.mp4", "video/mp4")
    st.download_button("JSON report", json.dumps(rep, indent=1), "report.json", "application/json")
    st.download_button("CSV (per frame)", frames_csv(r), "frames.csv", "text/csv")


def clip_page(ex: str, profile: Profile | None) -> None:
    st.header("Clip review")
    up = st.file_uploader("Upload a clip or photo", type=VIDEO_TYPES)
    samples = sorted(p for p in config.SAMPLE_VIDEOS_DIR.glob("*") if p.suffix.lower().lstrip(".") in VIDEO_TYPES)
    pick = st.selectbox("...or a sample", ["-"] + [p.name for p in samples]) if samples else "-"
    if st.button("Analyse", type="primary"):
        if up is not None:
            path = Path(tempfile.mkdtemp(prefix="formcheck-up-")) / Path(up.name).name
            path.write_bytes(up.getvalue())
        elif pick != "-":
            path = config.SAMPLE_VIDEOS_DIR / pick
        else:
            st.warning("Choose a clip first.")
            return
        try:
            _analyze(path, ex, profile)
        except FormcheckError as e:
            st.error(str(e))
            return
    r = st.session_state.get("result")
    if r is not None and r.definition.id == ex:
        show_result(r)


def tuning_page(ex: str, profile: Profile | None) -> None:
    st.header("Therapist tuning")
    d = get_definition(ex)
    r: SessionResult | None = st.session_state.get("result")
    thresholds: dict[str, Bounds] = {}
    for c in d.checks:
        with st.expander(f"{c.id} ({c.severity}) on {d.measures[c.measure].label or c.measure}, phase {c.phase}"):
            st.caption(f"Default {c.min if c.min is not None else '-'} .. {c.max if c.max is not None else '-'} deg. "
                       f"Source: {c.source}")
            lo = hi = None
            if c.min is not None:
                lo = st.number_input("min (deg)", -180.0, 180.0, c.min, key=f"{ex}-{c.id}-min")
            if c.max is not None:
                hi = st.number_input("max (deg)", -180.0, 180.0, c.max, key=f"{ex}-{c.id}-max")
            if lo != c.min or hi != c.max:
                thresholds[c.id] = Bounds(min=lo, max=hi)
    hold = st.number_input("Hold target (s, 0 = not checked)", 0.0, 600.0, d.hold.target_s) \
        if d.phases.kind != "continuous" else None
    patient = st.text_input("Patient (for the profile file)", "")
    try:
        prof = Profile(exercise=d.id, definition_version=d.version, patient=patient,
                       hold_target_s=hold, thresholds=thresholds)
        tuned = apply_profile(d, prof)
    except (FormcheckError, ValueError) as e:
        st.error(str(e))
        return
    if r is not None and r.definition.id == ex:
        st.subheader("Loaded clip re-scored (cached poses, no model re-run)")
        show_result(rescore(r, tuned, prof))
    else:
        st.caption("Analyse a clip in Clip review to see changes re-scored here.")
    lines = [f'exercise = "{prof.exercise}"', f'definition_version = "{prof.definition_version}"',
             f'patient = "{patient}"']
    if hold is not None:
        lines.append(f"hold_target_s = {hold}")
    for cid, b in thresholds.items():
        lines.append(f"[thresholds.{cid}]")
        lines += [f"{k} = {v}" for k, v in (("min", b.min), ("max", b.max)) if v is not None]
    st.download_button("Download profile", "\n".join(lines) + "\n", f"{patient or 'patient'}-{ex}.toml")


def main() -> None:
    ex, profile = sidebar()
    live, clip, tune = st.tabs(["Live", "Clip review", "Therapist tuning"])
    with live:
        live_page(ex, profile)
    with clip:
        clip_page(ex, profile)
    with tune:
        tuning_page(ex, profile)


main()
