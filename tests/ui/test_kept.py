"""formcheck/ui/kept.py: the live page's and the desk monitor's processors across a run that
Streamlit stops for a newer one (a click while the model loads): every session_state access
is such a point. A stopped run must leave the page working (no KeyError on the next run),
must never hand back a closed processor or one made for another key (another patient), and
must not leak a processor with its model."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from formcheck.ui import kept, live_page


class Stopped(BaseException):
    """Stands in for Streamlit's RerunException (not an Exception either)."""


class StopsOnce(dict):
    """A session_state that stops the run at its ``at``-th write (1-based; 0: never)."""

    def __init__(self) -> None:
        super().__init__()
        self.at, self.writes = 0, 0

    def __setitem__(self, key, value):  # type: ignore[no-untyped-def]
        self.writes += 1
        if self.writes == self.at:
            raise Stopped
        super().__setitem__(key, value)


class FakeProc:
    def __init__(self, exercise: str) -> None:
        self.exercise, self.closed = exercise, 0

    def close(self) -> None:
        self.closed += 1


def _ps(exercise: str) -> SimpleNamespace:
    return SimpleNamespace(exercise=exercise, profile=None, patient="Jane")


@pytest.fixture
def page(monkeypatch):  # type: ignore[no-untyped-def]
    state = StopsOnce()
    monkeypatch.setattr(kept, "st", SimpleNamespace(session_state=state))
    made: list[FakeProc] = []
    monkeypatch.setattr(live_page, "_local", lambda ps, kind: made.append(FakeProc(ps.exercise)) or made[-1])
    return state, made


@pytest.mark.parametrize("stop_at", [0, 1, 2, 3])   # kept's writes: key cleared, object, key
def test_a_run_stopped_while_the_first_processor_is_made_leaves_the_page_working(page, stop_at):
    state, made = page
    state.at = stop_at
    if stop_at:
        with pytest.raises(Stopped):
            live_page._processor(_ps("bridge"))
    state.writes, state.at = 0, 0
    proc = live_page._processor(_ps("bridge"))   # the next run
    assert proc is made[-1] and state["live_proc"] is proc and proc.closed == 0
    assert all(p.closed == 1 for p in made[:-1])   # an earlier one is closed, not leaked
    assert live_page._processor(_ps("bridge")) is proc   # kept while the key stays


@pytest.mark.parametrize("stop_at", [1, 2, 3])
def test_a_stopped_switch_never_hands_back_a_closed_or_another_keys_processor(page, stop_at):
    state, made = page
    bridge = live_page._processor(_ps("bridge"))
    state.writes, state.at = 0, stop_at
    with pytest.raises(Stopped):   # the switch to the bird-dog is stopped part-way...
        live_page._processor(_ps("bird_dog"))
    state.writes, state.at = 0, 0
    back = live_page._processor(_ps("bridge"))   # ...and the next run is the bridge again
    assert back.exercise == "bridge" and back.closed == 0
    assert bridge.closed >= (1 if stop_at > 1 else 0)
    assert all(p.closed >= 1 for p in made if p is not back)


def test_a_failing_close_still_makes_the_new_processor(page):
    state, _made = page
    first = live_page._processor(_ps("bridge"))

    def broken() -> None:
        raise OSError("the database refused the set's last write")

    first.close = broken   # type: ignore[method-assign]
    second = live_page._processor(_ps("bird_dog"))
    assert second is not first and second.exercise == "bird_dog" and state["live_proc"] is second
