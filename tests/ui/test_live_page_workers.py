"""The Live page with its set judged in a judging worker (formcheck/run/live/remote.py), with
AppTest: the page's panel and set summary come from the worker, and a worker that dies mid-set
is said in plain words (no traceback)."""

from __future__ import annotations

from synth import bridge_reps, protocol_frames

from formcheck.run.live.remote import WORKER_GONE, RemoteLive
from formcheck.run.live.replay import messages


def test_the_page_shows_a_set_judged_in_a_worker_and_says_when_the_worker_died(app, monkeypatch):
    monkeypatch.setenv("FORMCHECK_LIVE_WORKERS", "1")
    monkeypatch.setenv("FORMCHECK_LIVE_IN_SERVER", "0")   # every set on a worker
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    proc = at.session_state["live_proc"]
    assert isinstance(proc, RemoteLive) and not at.exception
    for m in messages(protocol_frames(bridge_reps(2))):   # as the landmark socket hands them over
        proc.feed(m)
    at.run()
    assert any(s.value == "Set summary" for s in at.subheader), at.exception
    assert any("2 reps in" in m.value for m in at.markdown)
    worker = proc._pool._workers[proc._worker]._process
    worker.kill()
    worker.join(5)
    at.run()
    assert not at.exception
    assert WORKER_GONE in [e.value for e in at.error]


def test_a_worker_that_cannot_take_the_set_leaves_it_to_the_server_process(app, monkeypatch):
    from formcheck.run.live.landmarks import LandmarkLive
    from formcheck.run.live.workers import WorkerPool

    def refuse(*args, **kw):
        raise EOFError("the worker closed its connection")

    monkeypatch.setenv("FORMCHECK_LIVE_WORKERS", "1")
    monkeypatch.setenv("FORMCHECK_LIVE_IN_SERVER", "0")
    monkeypatch.setattr(WorkerPool, "open", refuse)
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    assert not at.exception and isinstance(at.session_state["live_proc"], LandmarkLive)
    assert any(m.label == "Reps" for m in at.metric)   # the page coaches as ever


def test_the_first_sets_open_at_a_time_are_judged_in_the_server_process(app, monkeypatch):
    from formcheck.run.live import workers
    from formcheck.run.live.landmarks import LandmarkLive

    monkeypatch.setenv("FORMCHECK_LIVE_WORKERS", "1")
    monkeypatch.setenv("FORMCHECK_LIVE_IN_SERVER", "1")
    monkeypatch.setattr(workers, "_in_server", workers.weakref.WeakSet())
    at = app.run()
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    first = at.session_state["live_proc"]
    assert isinstance(first, LandmarkLive) and not workers.room_in_server()
    at.sidebar.selectbox(key="exercise").set_value("bird_dog").run()   # that set closes; a new one
    assert isinstance(at.session_state["live_proc"], LandmarkLive)
    other = LandmarkLive(first.definition, first._model)   # another patient's set, open
    workers.judged_in_server(other)
    at.sidebar.selectbox(key="exercise").set_value("bridge").run()
    assert isinstance(at.session_state["live_proc"], RemoteLive)   # no room left: on a worker
    assert not at.exception
