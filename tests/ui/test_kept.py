"""formcheck/ui/kept.py: the live page's and the desk monitor's processors across a run that
Streamlit stops for a newer one (a click while the model loads): every session_state access
is such a point. A stopped run must leave the page working (no KeyError on the next run) and
must not leak a processor with its model."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from formcheck.ui import kept, live_page


class Stopped(BaseException):
    """Stands in for Streamlit's RerunException (not an Exception either)."""


class StopsOnce(dict):
    """A session_state that stops the run at its first write of ``key``."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.armed_for = key

    def __setitem__(self, key, value):  # type: ignore[no-untyped-def]
        if key == self.armed_for:
            self.armed_for = ""
            raise Stopped
        super().__setitem__(key, value)


class FakeProc:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("stop_at", ["live_proc", "live_key", ""])
def test_a_run_stopped_while_the_processor_is_made_leaves_the_page_working(monkeypatch, stop_at):
    state = StopsOnce(stop_at)
    monkeypatch.setattr(kept, "st", SimpleNamespace(session_state=state))
    made: list[FakeProc] = []
    monkeypatch.setattr(live_page, "_local", lambda ps, kind: made.append(FakeProc()) or made[-1])
    ps = SimpleNamespace(exercise="bridge", profile=None, patient="Jane")
    if stop_at:
        with pytest.raises(Stopped):
            live_page._processor(ps)
    proc = live_page._processor(ps)   # the next run
    assert proc is made[-1] and state["live_proc"] is proc and proc.closed == 0
    assert all(p.closed == 1 for p in made[:-1])   # the earlier one is closed, not leaked
    assert live_page._processor(ps) is proc and len(made) == (1 if not stop_at else 2)
    other = live_page._processor(SimpleNamespace(exercise="bird_dog", profile=None, patient="Jane"))
    assert other is not proc and proc.closed == 1
