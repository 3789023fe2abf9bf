"""The Streamlit page with AppTest (webrtc patched: AppTest cannot render it) and the live
frame callback driven directly with real frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import media_or_skip

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def test_page_renders_three_tabs_without_errors(app):
    at = app.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Live", "Clip review", "Therapist tuning", "Programme", "Progress",
                                              "Desk monitor"]
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    assert not at.exception
    assert any(m.label == "Reps" for m in at.metric)


def test_tuning_lists_every_check_with_source(app):
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bird_dog").run()
    labels = " ".join(e.label for e in at.expander)
    for cid in ("arm_not_level", "leg_too_high", "trunk_not_level"):   # first exercise: bird_dog
        assert cid in labels


def test_live_callback_on_real_frames():
    import av

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor

    media = media_or_skip()
    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    with av.open(str(media / "bridge" / "physioplus_bridging.mp4")) as c:
        for i, frame in enumerate(c.decode(video=0)):
            rgb = frame.to_ndarray(format="rgb24")
            if i % 2:   # the browser may lower the resolution mid-stream
                rgb = np.ascontiguousarray(rgb[::2, ::2])
            out = proc.process(rgb)
            assert out.shape == rgb.shape
    proc.note_dropped(3)
    snap = proc.snapshot()
    summary = proc.summary()
    proc.close()
    assert snap.error is None and snap.frames > 80 and snap.dropped == 3
    assert len(snap.reps) == 1 and summary["rep_count"] == 1 and summary["schema"] == 1
    assert [i.ok for i in snap.setup][:3] == [True, True, True] and snap.setup[3].ok in (True, None)
    assert snap.fps > 0 and snap.first_result_s is not None
    proc.reset()
    assert proc.snapshot().frames == 0 and proc.summary()["rep_count"] == 0


def test_tuning_saves_versioned_patient_profiles(app, tmp_path):
    from formcheck.storage.store import Store

    at = app.run()
    at.selectbox(key="exercise").set_value("bridge").run()
    at.number_input(key="bridge-hips_too_low-min").set_value(158.0).run()
    at.text_input(key="tune_patient").set_value("Jane Doe").run()
    at.button(key="save_profile").click().run()
    assert not at.exception and any("Saved version 1" in s.value for s in at.success)
    at.button(key="save_profile").click().run()
    assert any("Saved version 2" in s.value for s in at.success)
    store = Store(tmp_path)
    cur = store.load("Jane Doe", "bridge")
    assert cur is not None and cur.version == 2 and cur.thresholds["hips_too_low"].min == 158.0
    assert [h.version for h in store.history("Jane Doe", "bridge")] == [1]
    # the sidebar now offers the patient, and choosing them applies the profile
    at.selectbox(key="patient").set_value("Jane Doe").run()
    assert any("profile v2" in c.value for c in at.sidebar.caption)


def test_tuning_sets_the_left_right_flag_share_of_a_one_sided_exercise(app, tmp_path):
    from formcheck.storage.store import Store

    at = app.run()
    at.selectbox(key="exercise").set_value("knee_to_chest").run()
    at.number_input(key="knee_to_chest-asym").set_value(0.3).run()
    at.text_input(key="tune_patient").set_value("Jane Doe").run()
    at.button(key="save_profile").click().run()
    assert not at.exception
    cur = Store(tmp_path).load("Jane Doe", "knee_to_chest")
    assert cur is not None and cur.asymmetry_flag_share == 0.3
    at.selectbox(key="exercise").set_value("bridge").run()   # two-sided: no such control
    assert not [n for n in at.number_input if n.key == "bridge-asym"]


def test_frames_of_a_superseded_stream_are_dropped():
    """A restarted stream runs on a new worker thread; late frames of the old one must not
    mix into the new set (they once added phantom reps in the browser loop)."""
    import queue
    import threading

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor, blank_frame

    proc = LiveProcessor(get_definition("bridge"), default_model_path())

    class Worker(threading.Thread):   # stands in for one stream's webrtc worker thread
        def __init__(self) -> None:
            super().__init__(daemon=True)
            self.jobs: queue.Queue = queue.Queue()
            self.done: queue.Queue = queue.Queue()
            self.start()

        def run(self) -> None:
            while (t := self.jobs.get()) is not None:
                proc.process(blank_frame(), t)
                self.done.put(t)

        def frame(self, t: float) -> None:
            self.jobs.put(t)
            self.done.get(timeout=30)

    old, new = Worker(), Worker()
    for i in range(3):
        old.frame(i / 30)
    for i in range(4):
        new.frame(i / 30)
    old.frame(0.2)            # a late frame of the stopped stream
    snap = proc.snapshot()
    assert snap.frames == 4 and snap.dropped == 1        # the new stream began a new set...
    assert len(proc.finished_sets) == 1 and proc.finished_sets[0].info.frames == 3   # ...the old one kept
    for w in (old, new):
        w.jobs.put(None)
    proc.close()


@pytest.mark.parametrize("times,keep,dropped", [
    ([1.0], [0], 0),
    ([1.0, 1.033], [0, 1], 0),                      # a jitter burst: both analysed
    ([0.0, 0.5, 0.9, 1.0], [2, 3], 2),               # behind by 1 s: the stale ones dropped
    ([0.0, None, 1.0], [2], 2),
    ([0.5, None], [1], 1),                           # no capture time: newest only
])
def test_only_fresh_queued_frames_are_analysed(times, keep, dropped):
    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor

    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    assert proc.fresh(times) == keep
    assert proc.snapshot().dropped == dropped


def test_live_says_when_two_people_are_in_view():
    import time

    import av

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor

    media = media_or_skip()
    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    with av.open(str(media / "bridge" / "physioplus_bridging.mp4")) as c:
        frames = [np.hstack([f, f[:, ::-1]]) for f in (fr.to_ndarray(format="rgb24") for fr in c.decode(video=0))]
    for i, f in enumerate(frames[:40]):
        proc.process(np.ascontiguousarray(f), i / 30)
    deadline = time.monotonic() + 60   # generous: the count shares the CPU with everything else
    while proc.snapshot().setup[3].ok is None and time.monotonic() < deadline:   # the count runs on its own thread
        time.sleep(0.2)
        proc.process(np.ascontiguousarray(frames[40]), 40 / 30)
    item = proc.snapshot().setup[3]
    summary = proc.summary()
    proc.close()
    assert item.ok is False and "Two people" in item.message
    assert "More than one person" in summary["summary"]["people_message"]


def test_upload_url_answers_survive_the_clear_at_the_start_of_a_run():
    """Streamlit drops queued messages when a run starts; an upload-URL answer dropped there
    leaves the uploader stuck (seen in the browser test). After apply(), it is kept, while
    page content is still cleared and flush() still empties the queue."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    from formcheck.ui.compat import apply, tested

    def queued() -> ForwardMsgQueue:
        q = ForwardMsgQueue()
        answer = ForwardMsg()
        answer.file_urls_response.response_id = "r1"
        content = ForwardMsg()
        content.delta.new_element.markdown.body = "old page"
        content.metadata.delta_path[:] = [0, 0]
        q.enqueue(content)
        q.enqueue(answer)
        return q

    assert tested("streamlit"), "the pinned Streamlit range is the tested one"
    assert apply() == ["upload_urls"] and apply() == ["upload_urls"]   # idempotent
    q = queued()
    q.clear(retain_lifecycle_msgs=True)
    kinds = [m.WhichOneof("type") for m in q.flush()]
    assert kinds == ["file_urls_response"]
    assert q.flush() == []
    q = queued()
    q.clear()
    assert q.flush() == []
    # a fragment rerun keeps non-delta messages itself: the answer is sent once, not twice
    q = queued()
    q.clear(retain_lifecycle_msgs=True, fragment_ids_this_run=["frag"])
    kinds = [m.WhichOneof("type") for m in q.flush()]
    assert kinds.count("file_urls_response") == 1


def test_an_analysis_cut_short_by_a_rerun_resumes_on_the_next_run(app, media):
    """A rerun during an analysis stops the script and the Analyse click is gone; the job kept
    in the session must be run by the next run (here: a clip pending, as an interrupted run
    leaves it), and it leaves the session once it has produced its result."""
    from formcheck.rules.definition import available_exercises, load_definition
    from formcheck.ui.clip_page import JOB, ClipJob

    clip = media / "bridge" / "physioplus_bridging.mp4"
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge")
    bridge = load_definition(available_exercises()["bridge"])
    at.session_state[JOB] = ClipJob(clip.name, None, clip, bridge, None)
    at.run()
    assert not at.exception
    assert JOB not in at.session_state
    assert at.session_state["result"].definition.id == "bridge"
    clip_tab, tuning_tab = at.tabs[1], at.tabs[2]
    assert [m.value for m in clip_tab.metric if m.label == "Camera view"] == ["side"]
    # the tuning tab re-scores the same clip: same content, its own buttons (no duplicate id)
    assert [m.value for m in tuning_tab.metric if m.label == "Camera view"] == ["side"]


def test_an_analyse_click_recorded_by_its_callback_is_analysed(app, media):
    """Analyse's callback records (upload, sample) before anything is drawn; the run turns it
    into a job on the uploaded bytes and shows the result."""
    from formcheck.ui.clip_page import JOB, REQUEST

    clip = media / "bridge" / "physioplus_bridging.mp4"

    class Upload:   # what st.file_uploader hands over: a name and the bytes
        name = clip.name

        def getvalue(self) -> bytes:
            return clip.read_bytes()

    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge")
    at.session_state[REQUEST] = (Upload(), "-")
    at.run()
    assert not at.exception
    assert REQUEST not in at.session_state and JOB not in at.session_state
    assert [m.value for m in at.tabs[1].metric if m.label == "Reps"] == ["1"]


def test_results_speak_plain_words(app):
    """Exercise names from the definitions; faults with their name, count and what to do;
    a verdict per rep instead of an 'ok' checkbox."""
    from synth import bird_dog_pose, run

    from formcheck.rules.definition import get_definition

    d = get_definition("bird_dog")
    up = [bird_dog_pose(-90 + 120 * i / 15, arm_deg=0.0) for i in range(15)]
    rest = [bird_dog_pose(-90, arm_deg=-90)] * 15
    result = run(d, (rest + up + [bird_dog_pose(30, arm_deg=0.0)] * 20 + up[::-1]) * 2)
    assert [r.faults for r in result.reps] == [["leg_too_high"]] * 2
    at = app.run()
    assert "Bird-dog" in at.sidebar.selectbox(key="exercise").options
    at.sidebar.selectbox(key="exercise").set_value("bird_dog")
    at.session_state["result"] = result
    at.run()
    assert not at.exception
    tables = [t.value for t in at.table]
    text = " ".join(t.to_csv() for t in tables)
    assert "Leg raised too high" in text and "Lower your leg to hip height" in text
    assert "⚠ Fix" in text and "leg_too_high" not in text
    assert all("ok" not in t.columns for t in tables)


def test_every_exercise_is_selectable_and_tunable(app):
    """Live, Clip review and Therapist tuning share the sidebar picker: every definition is in
    it, and tuning lists each of its checks (with % for distance measures)."""
    from formcheck.rules.definition import available_exercises, get_definition

    at = app.run()
    picker = at.sidebar.selectbox(key="exercise")
    assert len(picker.options) == len(available_exercises())
    for ex in ("cat_cow", "sciatic_nerve_glide", "piriformis_stretch"):
        at.sidebar.selectbox(key="exercise").set_value(ex).run()
        assert not at.exception
        labels = " ".join(e.label for e in at.expander)
        assert all(c.id in labels for c in get_definition(ex).checks)
    assert any(n.label == "max (%)" for n in at.number_input)   # ankle_not_on_knee, a gap in %


def test_a_shown_result_builds_its_report_only_for_the_download(app, monkeypatch):
    """Clip review offers the JSON report and CSV of the result shown, but reruns of the page
    (every widget touched) do not build them: they are made when the button is clicked."""
    from synth import bridge_pose, run

    from formcheck.rules.definition import get_definition
    from formcheck.ui import results

    built: list[str] = []
    monkeypatch.setattr(results, "build_report", lambda r: built.append("json") or {})
    monkeypatch.setattr(results, "frames_csv", lambda r: built.append("csv") or "")
    d = get_definition("bridge")
    result = run(d, [bridge_pose(float(150 + 28 * (i % 30 > 15))) for i in range(120)])
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge")
    at.session_state["result"] = result
    at.run()
    at.run()
    assert not at.exception
    labels = [str(b.proto.label) for b in at.tabs[1].get("download_button")]
    assert labels == ["JSON report", "CSV (per frame)"]
    assert built == []
