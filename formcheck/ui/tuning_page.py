"""Therapist tuning: every threshold as a labelled control (default and source shown), instant
re-scoring of the loaded clip from its cached poses, calibration from a good rep, and
versioned per-patient profiles."""

from __future__ import annotations

import streamlit as st

from ..calibrate import DEFAULT_MARGIN_DEG, propose
from ..definition import Check, Definition, get_definition
from ..engine.session import SessionResult, rescore
from ..errors import FormcheckError
from ..measure_kinds import KINDS
from ..profile import Bounds, Profile, apply_profile
from ..store import profile_toml
from .clip_page import show_result
from .common import PageState


def tuning_page(ps: PageState) -> None:
    st.header("Therapist tuning")
    d = get_definition(ps.exercise)
    r: SessionResult | None = st.session_state.get("result")
    loaded = r if r is not None and r.definition.id == ps.exercise else None
    _calibration(loaded, ps.exercise)
    st.caption("Angles in degrees; each check's convention is in its measure label. "
               "Empty a field's default by setting it back; a profile stores only what differs.")
    thresholds = {c.id: b for c in d.checks if (b := _check_controls(d, c, ps)) is not None}
    hold = None
    if d.phases.kind != "continuous":
        default_hold = ps.profile.hold_target_s if ps.profile and ps.profile.hold_target_s is not None \
            else d.hold.target_s
        hold = st.number_input("Hold target (s, 0 = not checked)", 0.0, 600.0, float(default_hold),
                               key=f"{ps.exercise}-hold", help=f"Source: {d.hold.source}")
    patient = st.text_input("Patient name or initials", ps.patient, key="tune_patient")
    try:
        prof = Profile(exercise=d.id, definition_version=d.version, patient=patient.strip(),
                       hold_target_s=hold if hold != d.hold.target_s else None, thresholds=thresholds)
        tuned = apply_profile(d, prof)
    except (FormcheckError, ValueError) as e:
        st.error(str(e))
        return
    _save(ps, prof)
    if loaded is not None:
        st.subheader("Loaded clip re-scored (cached poses, no model re-run)")
        show_result(rescore(loaded, tuned, prof), where="tuning")
    else:
        st.caption("Analyse a clip in Clip review to see changes re-scored here.")


def _check_controls(d: Definition, c: Check, ps: PageState) -> Bounds | None:
    """Controls for one check; returns its Bounds when they differ from the default."""
    m = d.measures[c.measure]
    start = ps.profile.thresholds.get(c.id) if ps.profile else None
    with st.expander(f"{d.fault_text(c.id)[0]} ({c.id}, {c.severity}): {m.label or c.measure}, "
                     f"phase {c.phase}"):
        also = "".join(f" Also fails on {a.measure} {_fmt(a.min)} .. {_fmt(a.max)} {_unit(d, a.measure)} "
                       f"(moves with this limit; {a.source or '-'})." for a in c.also)
        unit = _unit(d, c.measure)
        what = "range moved through in one rep, of " if c.of == "rep_range" else ""
        st.caption(f"Measure {c.measure} ({what}{m.kind} of {'-'.join(m.points)}: "
                   f"{KINDS[m.kind].convention}). Default "
                   f"{_fmt(c.min)} .. {_fmt(c.max)} {unit}. Source: {c.source or '-'}. Cue: {c.cue}{also}")
        lo = hi = None
        if c.min is not None:
            v = start.min if start and start.min is not None else c.min
            lo = st.number_input(f"min ({unit})", -180.0, 180.0, float(v), 1.0, key=f"{ps.exercise}-{c.id}-min")
        if c.max is not None:
            v = start.max if start and start.max is not None else c.max
            hi = st.number_input(f"max ({unit})", -180.0, 180.0, float(v), 1.0, key=f"{ps.exercise}-{c.id}-max")
    if lo == c.min and hi == c.max:
        return None
    return Bounds(min=lo if lo != c.min else None, max=hi if hi != c.max else None)


def _unit(d: Definition, measure: str) -> str:
    """The measure kind's unit: deg for angles, % (of a body segment) for gaps."""
    return KINDS[d.measures[measure].kind].unit


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"


def _calibration(loaded: SessionResult | None, ex: str) -> None:
    with st.expander("Calibrate from a good rep"):
        if loaded is None:
            st.caption("Load a clip of this patient doing the exercise well in Clip review first.")
            return
        margin = st.number_input("Margin (deg) around what the patient showed", 0.0, 30.0,
                                 DEFAULT_MARGIN_DEG, 1.0, key="cal_margin")
        try:
            proposals = propose(loaded, margin)
        except FormcheckError as e:
            st.warning(str(e))
            return
        name = loaded.definition.fault_text
        st.table([{"check": name(p.check_id)[0], "observed (5-95%)": f"{p.observed_lo:.1f} .. {p.observed_hi:.1f}",
                   "frames": p.frames, "current": f"{_fmt(p.current.min)} .. {_fmt(p.current.max)}",
                   "proposed": f"{_fmt(p.proposed.min)} .. {_fmt(p.proposed.max)}"} for p in proposals])
        if st.button("Use the proposed thresholds (you can still edit them)", key="cal_accept"):
            for p in proposals:
                for bound in ("min", "max"):
                    v = getattr(p.proposed, bound)
                    if v is not None:
                        st.session_state[f"{ex}-{p.check_id}-{bound}"] = float(v)
            st.rerun()


def _save(ps: PageState, prof: Profile) -> None:
    c1, c2 = st.columns(2)
    c1.download_button("Download profile (.toml)", profile_toml(prof),
                       f"{prof.patient or 'patient'}-{prof.exercise}.toml", key="dl_profile")
    if c2.button("Save as the patient's next version", disabled=not prof.patient, key="save_profile"):
        try:
            v = ps.store.save(prof)
            st.success(f"Saved version {v.version} to {v.path}")
        except (FormcheckError, OSError) as e:
            st.error(f"Not saved: {e}")
    if prof.patient:
        try:
            hist = ps.store.history(prof.patient, prof.exercise)
        except FormcheckError:
            hist = []
        if hist:
            st.caption("Earlier versions: " + ", ".join(f"v{h.version} ({h.saved_at})" for h in hist[:5]))
