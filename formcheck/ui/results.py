"""Results in plain words, shared by Clip review, the live set summary and Therapist tuning:
fault names with what to do, a verdict per rep, counts as small tables (HTML tables a
screen reader can read, not data grids)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from formcheck.core.wording import plural
from formcheck.engine.asymmetry import Asymmetry, rows
from formcheck.engine.report import build_report, frames_csv
from formcheck.engine.reps import Rep
from formcheck.engine.session import SessionResult
from formcheck.rules.definition import Definition

GOOD, FIX = "✓ Good", "⚠ Fix"   # symbols that every font has


def fault_names(d: Definition, ids: Iterable[str]) -> str:
    return ", ".join(d.fault_text(i)[0] for i in ids) or "none"


def faults_table(d: Definition, counts: Mapping[str, int], unit: str = "reps") -> pd.DataFrame:
    """One row per fault: its name, how often, and the cue (what to do about it)."""
    rows = []
    for cid, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        name, cue = d.fault_text(cid)
        rows.append({"Fault": name, unit.capitalize(): n, "What to do": cue})
    return pd.DataFrame(rows).set_index("Fault")   # the name is the row's label


def reps_table(d: Definition, reps: Iterable[Rep], with_top: bool = True) -> pd.DataFrame:
    """One row per rep: verdict as a word and icon, side, times, fault names."""
    rows = []
    for x in reps:
        row: dict[str, Any] = {"Rep": x.index, "Verdict": GOOD if x.ok else FIX}
        if x.side:
            row["Side"] = x.side
        if with_top:   # text, so a table shows "3.3", not "3.3000"
            row["Top at (s)"] = f"{x.top_ms / 1000:.1f}"
        row["Hold (s)"] = f"{x.hold_ms / 1000:.1f}"
        row["Faults"] = fault_names(d, x.faults)
        row["Notes"] = "; ".join(x.notes)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("Rep")   # the rep number is the row's label...
    # ...as text: pandas makes 1, 2, 3 a RangeIndex, which st.table hides as "no index"
    table.index = table.index.astype(str)
    return table if table.empty or table["Notes"].any() else table.drop(columns="Notes")


def sides_table(a: Asymmetry) -> pd.DataFrame:
    """Left against right (formcheck.engine.asymmetry): one row per quantity, how far apart."""
    return pd.DataFrame([{"": w, "Left": lt, "Right": rt, "Apart": ap} for w, lt, rt, ap in rows(a)]).set_index("")


def show_sides(a: Asymmetry | None, st: Any) -> None:
    """The left/right table of a set, when it has one (``st``: a streamlit container)."""
    if a is None:
        return
    st.markdown(f"**Left and right**: {a.plain()}")
    st.table(sides_table(a))
    st.caption(f"Apart: the difference as a share of the larger side; more than {a.flag_share:.0%} is "
               "marked for your therapist.")


def good_form(reps: Iterable[Rep]) -> str:
    """The one "good form" of every page: the share of reps with no fault ("2 of 3 reps")."""
    oks = [x.ok for x in reps]
    return f"{sum(oks)} of {plural(len(oks), 'rep')}" if oks else "-"


def downloads(r: SessionResult, key: str, json_label: str = "JSON report", json_name: str = "report.json",
              csv: bool = True) -> None:
    """The result's JSON report (and per-frame CSV) as download buttons, each built only when
    clicked: a whole report writes every frame (60 s of a clip: 0.7 MB, ~60 ms of CPU), which
    every rerun of a page (each widget touched, each tuning change) would otherwise pay for."""
    st.download_button(json_label, lambda: json.dumps(build_report(r), indent=1), json_name,
                       "application/json", key=f"{key}-json")
    if csv:
        st.download_button("CSV (per frame)", lambda: frames_csv(r), "frames.csv", "text/csv", key=f"{key}-csv")
