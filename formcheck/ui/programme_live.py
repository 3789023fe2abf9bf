"""Today's programme beside the live video: each prescribed exercise with its target and the
sets done today, the next one to do, "set done" with a rest timer, and the day's summary."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from formcheck.core import wording
from formcheck.core.wording import plural, seconds
from formcheck.rules.definition import get_definition
from formcheck.storage import programmes
from formcheck.ui.browser import rest_timer, speak
from formcheck.ui.common import PageState


@dataclass(frozen=True)
class SetTarget:
    """What one set of the current exercise must reach: ``reps`` reps, each held ``hold_s``."""

    reps: int
    hold_s: float | None
    rest_s: float

    def text(self) -> str:
        return plural(self.reps, "rep") + (f", each held {seconds(self.hold_s)}" if self.hold_s else "")


def dose(item: programmes.Item) -> str:
    return wording.dose(item)


def _switch(exercise: str) -> None:
    st.session_state["exercise"] = exercise   # a callback: runs before the sidebar is drawn


def todays_programme(ps: PageState) -> SetTarget | None:
    """Show today's programme; return the set target of the exercise chosen now (or None)."""
    if not ps.patient or ps.db is None:
        return None
    prog = programmes.programme(ps.db, ps.patient)
    if prog is None:
        st.caption(f"No programme prescribed for {ps.patient}: free practice.")
        return None
    today = programmes.todays_sets(ps.db, ps.patient)
    next_item = programmes.next_item(prog, today)
    done_sets = programmes.sets_done(prog, today)
    rows = []
    for item, done in zip(prog.items, done_sets, strict=True):
        rows.append({"Exercise": get_definition(item.exercise).name, "Target": dose(item),
                     "Done today": f"{min(done, item.sets)} of {plural(item.sets, 'set')}"
                     + (" ✓" if done >= item.sets else "")})
    st.markdown("**Today's programme**")
    st.table(pd.DataFrame(rows).set_index("Exercise"))
    if prog.notes:   # the therapist's words, before and during every set
        st.info(f"**From your therapist:** {prog.notes}")
    if next_item is None:
        reps = sum(x.reps for x in today)
        good = sum(x.good_reps for x in today)
        st.success(f"Today's programme is done: {len(today)} sets, {reps} reps, "
                   f"{good / reps:.0%} with good form." if reps else "Today's programme is done.")
    elif next_item.exercise != ps.exercise:
        st.button(f"Next: {get_definition(next_item.exercise).name}", on_click=_switch,
                  args=(next_item.exercise,), key="next_exercise")
    mine = [(i, n) for i, n in zip(prog.items, done_sets, strict=True) if i.exercise == ps.exercise]
    # an exercise prescribed twice: the item with sets still to do sets this set's target
    current = next((i for i, n in mine if n < i.sets), mine[0][0] if mine else None)
    return SetTarget(current.reps or 1, current.hold_s, current.rest_s) if current else None


def set_done(target: SetTarget | None, reps: list[tuple[int, float]], set_key: str, playing: bool = True) -> None:
    """Inside the live panel: once the set has reached its target, say so (once, spoken too)
    and run the rest timer. ``reps``: (index, hold_ms) of the reps so far. After STOP the set
    summary speaks instead ("press STOP" would be stale)."""
    if target is None or not playing:
        return
    good = [i for i, hold_ms in reps if hold_ms >= (target.hold_s or 0.0) * 1000.0]
    if len(good) < target.reps:
        st.caption(f"This set: {len(good)} of {target.text()}")
        return
    st.success(f"Set done! Rest {target.rest_s:g} s, then press STOP and START for the next set.")
    if st.session_state.get("set_done_said") != set_key:
        st.session_state["set_done_said"] = set_key
        speak(f"Set done. Rest {target.rest_s:g} seconds.")
        rest_timer(target.rest_s)
