"""Clip review: upload (or pick a sample), progress while it runs, then the annotated video,
reps with faults, angle charts with threshold bands, and downloads."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.engine.session import SessionResult
from formcheck.media.samples import samples_for
from formcheck.rules.definition import Definition
from formcheck.rules.profile import Profile
from formcheck.run.pipeline import analyze_clip
from formcheck.ui.charts import angle_charts
from formcheck.ui.common import PageState, choose_exercise_first
from formcheck.ui.results import downloads, faults_table, good_form, reps_table, show_sides

MEDIA_TYPES = sorted(x.lstrip(".") for x in config.MEDIA_SUFFIXES)


def clip_page(ps: PageState) -> None:
    st.header("Clip review")
    if not ps.chosen:
        choose_exercise_first()
        return
    # A form sends the file and the click together: a click made while the upload's own
    # rerun is still running can then never be lost.
    with st.form("clip_form", border=False):
        st.file_uploader("Upload a clip or photo (side view)", type=MEDIA_TYPES, key="clip_upload")
        found = {s.path.name: s for s in samples_for(ps.exercise)}
        if found:
            st.selectbox("...or try a sample", ["-", *found], key="sample",
                         format_func=lambda n: found[n].title + f" ({found[n].licence.split(':')[0]})"
                         if n in found else n)
        st.form_submit_button("Analyse", type="primary", on_click=_request)
    if REQUEST in st.session_state:   # pop and store with no element call between: no rerun can cut in
        up, pick = st.session_state.pop(REQUEST)
        _submit(up, pick, ps)
    if JOB in st.session_state:
        _run(st.session_state[JOB])
    r: SessionResult | None = st.session_state.get("result")
    if r is not None and r.definition.id == ps.exercise:
        show_result(r, st.session_state.get("video_bytes"), details=ps.details)
    elif r is not None:
        st.caption(f"The clip loaded was checked as {r.definition.name}. Press Analyse to check it as "
                   f"{ps.definition.name}.")


@dataclass(frozen=True)
class ClipJob:
    """One Analyse request, kept in the session until it has finished.

    Any rerun that arrives while the analysis runs (a widget touched, a component reporting its
    first value) stops the script, and the Analyse click does not come back with it: without
    this, the clip would be silently dropped (seen in the browser test on a loaded machine).
    The next run finds the job still pending and starts it again."""
    name: str
    data: Any                       # the UploadedFile (read when the job runs), or None
    sample: Path | None
    definition: Definition
    profile: Profile | None
    details: bool = False           # phase names and angles on the video ("Details for your therapist")


JOB = "clip_job"
REQUEST = "clip_request"


def _request() -> None:
    """Analyse's callback. Streamlit runs it at the very start of the run the click causes,
    before any element is drawn, so the click is recorded even if a rerun then stops the
    script (a rerun that cuts in before the form's button is drawn loses its click value)."""
    st.session_state[REQUEST] = (st.session_state.get("clip_upload"), st.session_state.get("sample", "-"))


def _submit(up, pick: str, ps: PageState) -> None:  # type: ignore[no-untyped-def]
    if up is None and pick == "-":
        st.warning("Choose a clip first.")
        return
    sample = None if up is not None else config.SAMPLE_VIDEOS_DIR / pick
    name = up.name if up is not None else pick
    st.session_state[JOB] = ClipJob(name, up, sample, ps.definition, ps.profile, ps.details)


def _run(job: ClipJob) -> None:
    # Private by default: the upload and the annotated video exist on disk only while the
    # analysis runs; the page keeps the video in this browser tab's memory.
    work = Path(tempfile.mkdtemp(prefix="formcheck-"))
    try:
        if job.sample is None:
            path = work / Path(job.name).name
            path.write_bytes(job.data.getvalue())
        else:
            path = job.sample
        bar = st.progress(0.0, text=f"Analysing {job.name}...")

        def progress(done: int, total: int) -> None:
            if total:
                bar.progress(min(done / total, 1.0), text=f"Analysing {job.name}: frame {done} of {total}")

        video = work / "annotated.mp4"
        try:
            r = analyze_clip(path, job.definition, job.profile, video_out=video, progress=progress,
                             video_details=job.details)
        except FormcheckError as e:
            st.session_state.pop(JOB, None)
            st.error(str(e).replace(str(work) + "/", ""))
            return
        except Exception:
            st.session_state.pop(JOB, None)   # a bug is shown once, not retried on every run
            raise
        finally:
            bar.empty()
        # a run stopped between these writes (each one may stop it) shows no result rather
        # than this clip's result with the last clip's video; the job is still there to redo
        data = video.read_bytes() if video.is_file() else None
        st.session_state["result"] = None
        st.session_state["video_bytes"] = data
        st.session_state["result"] = r
        st.session_state.pop(JOB, None)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def show_result(r: SessionResult, video: bytes | None = None, where: str = "clip", details: bool = True) -> None:
    """The result of one analysis; ``where`` keys its buttons (Clip review and Therapist tuning
    both show one, with the same content when no threshold was changed). ``details``: the
    frame share and the angle charts, for the therapist."""
    s, d = r.summary, r.definition
    # The annotated video first, beside the verdict: it is what a patient looks at. A column
    # keeps a portrait phone clip from filling the page.
    portrait = r.info.height > r.info.width
    left, right = st.columns([2, 3] if portrait else [3, 2]) if video else (None, st.container())
    if left is not None:
        left.video(video, format="video/mp4")
    right.metric("Reps", len(r.reps))
    right.metric("Camera view", s.view)
    if d.phases.kind == "continuous":   # no reps: the share of the judged time
        right.metric("Good form (share of the time)", f"{s.good_form_fraction:.0%}")
    else:   # one "good form" on every page: reps with no fault
        right.metric("Good form", good_form(r.reps))
        if details:
            right.caption(f"Frames judged in good form: {s.good_form_fraction:.0%} (for the therapist: "
                          "frames of the judged positions, not reps)")
    for message in s.messages():
        right.warning(message)
    if r.reps:
        st.subheader("Reps")
        st.table(reps_table(d, r.reps))
        show_sides(s.asymmetry, st)
    if s.faults:
        st.subheader("What to work on")
        unit = "times" if d.phases.kind == "continuous" else "reps"
        st.table(faults_table(d, s.faults, unit))
    elif r.reps or d.phases.kind == "continuous":
        st.success("No faults found.")
    charts = angle_charts(r, d) if details else []
    if charts:
        st.subheader("Key angles over time (green: allowed range; dashed: rep tops)")
        for ch in charts:
            st.altair_chart(ch, width="stretch")
    if video:
        st.download_button("Annotated video", video, "annotated.mp4", "video/mp4", key=f"{where}-video")
    downloads(r, where)
