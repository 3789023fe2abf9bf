"""Therapist tuning: every threshold as a labelled control (default and source shown), instant
re-scoring of the loaded clip from its cached poses, calibration from a good rep, and
versioned per-patient profiles."""

from __future__ import annotations

import streamlit as st

from formcheck.core.errors import FormcheckError
from formcheck.core.measure_kinds import KINDS
from formcheck.core.wording import limits
from formcheck.engine.calibrate import DEFAULT_MARGIN_DEG, Proposal, propose
from formcheck.engine.session import SessionResult, rescore
from formcheck.rules.definition import Check, Definition, get_definition
from formcheck.rules.profile import Bounds, Profile, apply_profile
from formcheck.storage.store import profile_toml
from formcheck.ui.clip_page import show_result
from formcheck.ui.common import PageState, choose_exercise_first, select_patient

SAVED = "tuning_saved_message"


def tuning_page(ps: PageState) -> None:
    st.header("Therapist tuning")
    if not ps.chosen:
        choose_exercise_first()
        return
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
                               key=f"{ps.exercise}-hold", help=f"Source: {d.hold.source}", format="%.1f")
    share = None
    if d.phases.kind == "sided":
        start = ps.profile.asymmetry_flag_share if ps.profile and ps.profile.asymmetry_flag_share else d.flag_share()
        share = st.number_input("Flag left vs right above (share, |L - R| / larger side)", 0.01, 1.0,
                                float(start), 0.05, key=f"{ps.exercise}-asym",
                                help="Default 0.15: a limb symmetry below 85% (see formcheck/core/config.py)")
    if ps.patient:   # the sidebar's patient is the patient of every page
        patient = ps.patient
        st.markdown(f"**Patient:** {ps.patient} (chosen in the sidebar)")
    else:
        patient = st.text_input("Patient name or initials (a new patient; or choose one in the sidebar)",
                                key="tune_patient")
    try:
        prof = Profile(exercise=d.id, definition_version=d.version, patient=patient.strip(),
                       hold_target_s=hold if hold != d.hold.target_s else None, thresholds=thresholds,
                       asymmetry_flag_share=share if share is not None and share != d.flag_share() else None)
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
        also = "".join(f" Also fails on {a.measure} outside {limits(a.min, a.max, _unit(d, a.measure))} "
                       f"(moves with this limit; {a.source or 'no source given'})." for a in c.also)
        unit = _unit(d, c.measure)
        what = "range moved through in one rep, of " if c.of == "rep_range" else ""
        st.caption(f"Measure {c.measure} ({what}{m.kind} of {'-'.join(m.points)}: "
                   f"{KINDS[m.kind].convention}). Default: "
                   f"{limits(c.min, c.max, unit)}. Source: {c.source or 'none given'}. Cue: {c.cue}{also}")
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
    """The measure kind's unit: deg for angles, % (of a body segment) for gap and rise."""
    return KINDS[d.measures[measure].kind].unit


def _calibration(loaded: SessionResult | None, ex: str) -> None:
    with st.expander("Calibrate from a good rep"):
        if loaded is None:
            st.caption("Load a clip of this patient doing the exercise well in Clip review first.")
            return
        name = loaded.definition.fault_text
        faulty = faults_in(loaded)
        if faulty:
            # Learning limits from a faulty rep would move them to let that fault pass.
            st.error(f"This clip is not good form: {faulty}. Calibrating from it would loosen the limits "
                     "to let these faults pass. Load a clip of a good rep.")
            if not st.checkbox("I have watched it and judge the form good: calibrate anyway", key="cal_override"):
                return
        margin = st.number_input("Margin (deg) around what the patient showed", 0.0, 30.0,
                                 DEFAULT_MARGIN_DEG, 1.0, key="cal_margin")
        try:
            proposals = propose(loaded, margin)
        except FormcheckError as e:
            st.warning(str(e))
            return
        unit = {c.id: _unit(loaded.definition, c.measure) for c in loaded.definition.checks}
        st.table([{"check": name(p.check_id)[0],
                   "observed (5-95%)": f"{p.observed_lo:.0f} to {p.observed_hi:.0f} {unit[p.check_id]}",
                   "frames": p.frames, "current": limits(p.current.min, p.current.max, unit[p.check_id]),
                   "proposed": limits(p.proposed.min, p.proposed.max, unit[p.check_id]),
                   "note": "⚠ looser than the default" if looser(p) else ""} for p in proposals])
        if any(looser(p) for p in proposals):
            st.warning("Some proposed limits are looser than the sourced defaults: accept them only if you "
                       "have judged this patient's form good at those angles.")
        if st.button("Use the proposed thresholds (you can still edit them)", key="cal_accept"):
            for p in proposals:
                for bound in ("min", "max"):
                    v = getattr(p.proposed, bound)
                    if v is not None:
                        st.session_state[f"{ex}-{p.check_id}-{bound}"] = float(v)
            st.rerun()


def looser(p: Proposal) -> bool:
    """Does the proposal allow more than the current limit (a higher max or a lower min)?"""
    hi = p.proposed.max is not None and p.current.max is not None and p.proposed.max > p.current.max
    lo = p.proposed.min is not None and p.current.min is not None and p.proposed.min < p.current.min
    return hi or lo


def faults_in(r: SessionResult) -> str:
    """The clip's faults in words ("rep 2: Leg raised too high"), empty when there is none."""
    name = r.definition.fault_text
    if r.definition.phases.kind == "continuous":
        return ", ".join(name(f)[0] for f in r.summary.faults)
    return "; ".join(f"rep {x.index}: {', '.join(name(f)[0] for f in x.faults)}" for x in r.reps if x.faults)


def _save(ps: PageState, prof: Profile) -> None:
    c1, c2 = st.columns(2)
    c1.download_button("Download profile (.toml)", profile_toml(prof),
                       f"{prof.patient or 'patient'}-{prof.exercise}.toml", key="dl_profile")
    if SAVED in st.session_state:   # said after the rerun that brought the sidebar up to date
        st.success(st.session_state.pop(SAVED))
    if not prof.patient:
        c2.caption("Type the patient's name (or choose one in the sidebar) to save.")
    if c2.button("Save as the patient's next version", disabled=not prof.patient, key="save_profile"):
        try:
            v = ps.store.save(prof)
        except (FormcheckError, OSError) as e:
            st.error(f"Not saved: {str(e).replace(str(ps.store.root), 'the data folder')}")
        else:
            st.session_state[SAVED] = (f"Saved version {v.version} of {prof.patient}'s "
                                       f"{get_definition(prof.exercise).name} profile.")
            select_patient(prof.patient)   # the sidebar shows them and their new profile
            st.rerun()
    if prof.patient:
        try:
            hist = ps.store.history(prof.patient, prof.exercise)
        except FormcheckError:
            hist = []
        if hist:
            st.caption("Earlier versions: " + ", ".join(f"v{h.version} ({h.saved_at})" for h in hist[:5]))
