"""A one-page clinician report (PDF, fpdf2): the patient's programme, adherence per week, and
per exercise the sets, reps, share of reps with good form, longest hold, most frequent faults
and the key angle at the top, first week against last; left against right for one-sided
exercises; limits changed for the patient are listed beside the results they produced."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fpdf import FPDF

from formcheck.core.atomic import write_bytes
from formcheck.core.errors import FormcheckError
from formcheck.core.wording import dose
from formcheck.engine.asymmetry import METRIC_NAMES, combine, rows
from formcheck.pdf.symptoms import symptoms_section
from formcheck.rules.definition import Definition, get_definition
from formcheck.rules.profile import Profile
from formcheck.storage.database import Database
from formcheck.storage.programmes import ProgrammeView, adherence, programme
from formcheck.storage.repo import SetRecord, history
from formcheck.storage.store import Store

GREEN, GREY = (46, 125, 50), (200, 200, 200)


def clinician_report(db: Database, patient: str, path: str | os.PathLike[str], weeks: int = 6,
                     today: datetime | None = None, store: Store | None = None) -> Path:
    """Write the report to ``path`` (atomically) and return it. ``store`` holds the patient's
    profiles: limits that differ from the definitions' defaults are listed."""
    out = Path(path)
    write_bytes(out, report_bytes(db, patient, weeks, today, store))
    return out


def report_bytes(db: Database, patient: str, weeks: int = 6, today: datetime | None = None,
                 store: Store | None = None) -> bytes:
    """The report as PDF bytes. Its period is the last ``weeks`` weeks, starting no earlier
    than the first set in them or the programme's start, whichever is earlier."""
    if weeks < 1:
        raise FormcheckError("weeks must be 1 or more")
    today = today or datetime.now(UTC)
    window = today - timedelta(weeks=weeks)
    sets = history(db, patient, since=window)
    prog = programme(db, patient)
    begun = [t for t in (sets[0].started_at if sets else None, prog.created_at if prog else None) if t]
    since = max(window, min(begun)) if begun else window
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 9, _ascii(f"formcheck report: {patient}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    pdf.cell(0, 5, f"{since:%d %b %Y} to {today:%d %b %Y} - {len(sets)} sets recorded", new_x="LMARGIN",
             new_y="NEXT")
    _programme(pdf, prog)
    _adherence(pdf, db, patient, weeks, today)
    symptoms_section(pdf, db, patient, since)   # pain, where it reaches, every red flag
    profiles = _profiles(store, patient, {s.exercise for s in sets})
    _exercises(pdf, sets, profiles)
    _sides(pdf, sets)
    _changed_limits(pdf, profiles)
    pdf.set_y(-18)
    pdf.set_font("helvetica", "I", 7)
    pdf.multi_cell(0, 3.5, "Verdicts come from camera landmarks (MediaPipe) and the exercise definitions' "
                           "sourced limits; 'good form' = a rep with no fault. Not a diagnosis.")
    return bytes(pdf.output())


def _title(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)


def _programme(pdf: FPDF, p: ProgrammeView | None) -> None:
    _title(pdf, "Programme")
    if p is None:
        pdf.cell(0, 5, "No programme prescribed (free practice).", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.cell(0, 5, f"{p.days_per_week} days a week, since {p.created_at:%d %b %Y}", new_x="LMARGIN",
             new_y="NEXT")
    for it in p.items:
        pdf.cell(0, 5, _ascii(f"- {_name(it.exercise)}: {dose(it)}"), new_x="LMARGIN", new_y="NEXT")
    if p.notes:
        pdf.multi_cell(0, 5, _ascii(f"Notes: {p.notes}"))


def _adherence(pdf: FPDF, db: Database, patient: str, weeks: int, today: datetime) -> None:
    rows = adherence(db, patient, weeks, today.date())
    if not rows:
        return
    _title(pdf, "Adherence (days with a programme exercise done / days prescribed)")
    x0, y0, bar_w, bar_h = pdf.l_margin, pdf.get_y() + 1, 22.0, 18.0
    for i, w in enumerate(rows):
        x = x0 + i * (bar_w + 4)
        share = min(w.days_done / w.days_prescribed, 1.0) if w.days_prescribed else 0.0
        pdf.set_fill_color(*GREY)
        pdf.rect(x, y0, bar_w, bar_h, style="F")
        pdf.set_fill_color(*GREEN)
        pdf.rect(x, y0 + bar_h * (1 - share), bar_w, bar_h * share, style="F")
        pdf.set_xy(x, y0 + bar_h + 1)
        pdf.cell(bar_w, 4, f"{w.days_done}/{w.days_prescribed}", align="C")
        pdf.set_xy(x, y0 + bar_h + 5)
        current = w.week_start + timedelta(days=7) > today.date()   # still under way: not yet missed
        pdf.cell(bar_w, 4, f"{w.week_start:%d %b}" + (" (so far)" if current else ""), align="C")
    pdf.set_xy(x0, y0 + bar_h + 11)


def _exercises(pdf: FPDF, sets: list[SetRecord], profiles: dict[str, list[str]]) -> None:
    _title(pdf, "Per exercise")
    if not sets:
        pdf.cell(0, 5, "No sets in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    cols = [("Exercise", 34), ("Sets", 12), ("Reps", 12), ("Good form", 20), ("Longest hold", 22),
            ("Key angle at top, first -> last week", 50), ("Most frequent faults", 40)]
    _header_row(pdf, cols)
    for ex in sorted({s.exercise for s in sets}):
        mine = [s for s in sets if s.exercise == ex]
        reps = sum(s.reps for s in mine)
        good = sum(s.good_reps for s in mine)
        faults = Counter[str]()
        for s in mine:
            faults.update(s.faults)
        d = _definition(ex)
        top = ", ".join(f"{d.fault_text(k)[0] if d else k} ({v})" for k, v in faults.most_common(2)) or "none"
        mark = "*" if profiles.get(ex) else ""   # judged with limits changed for this patient
        row = [_name(ex), str(len(mine)), str(reps), f"{good / reps:.0%}{mark}" if reps else "-",
               f"{max(s.hold_s for s in mine):.1f} s", _angle_trend(mine, d), top]
        for (_, w), text in zip(cols, row, strict=True):
            _fitted_cell(pdf, w, _ascii(text))
        pdf.ln()


def _header_row(pdf: FPDF, cols: list[tuple[str, int]]) -> None:
    """A table's bold header row (``cols``: name and width in mm); the rows below are plain 8 pt."""
    pdf.set_font("helvetica", "B", 8)
    for name, w in cols:
        pdf.cell(w, 6, name, border=1)
    pdf.ln()
    pdf.set_font("helvetica", "", 8)


def _sides(pdf: FPDF, sets: list[SetRecord]) -> None:
    """Left against right for each one-sided exercise over the period (formcheck.engine.asymmetry)."""
    found = [(ex, a) for ex in sorted({s.exercise for s in sets})
             if (a := combine(x for s in sets if s.exercise == ex and (x := s.asymmetry) is not None)) is not None]
    if not found:
        return
    _title(pdf, "Left and right (apart = |L - R| / larger side)")
    cols = [("Exercise", 34), ("Reps L / R", 20), ("Longest hold L / R", 28), ("Key angle at top L / R", 46),
            ("Range moved L / R", 30), ("Flagged", 32)]
    _header_row(pdf, cols)
    for ex, a in found:
        lines = rows(a)
        flagged = ", ".join(f"{METRIC_NAMES[m]} {a.index[m]:.0%}" for m in a.flagged) or "no"
        row = [_name(ex), f"{lines[0][1]} / {lines[0][2]}", f"{lines[1][1]} / {lines[1][2]} s",
               f"{lines[2][0]}: {lines[2][1]} / {lines[2][2]}", f"{lines[3][1]} / {lines[3][2]} {a.range_unit}",
               f"{flagged} (>{a.flag_share:.0%})"]
        for (_, w), text in zip(cols, row, strict=True):
            _fitted_cell(pdf, w, _ascii(text))
        pdf.ln()


def _fitted_cell(pdf: FPDF, w: float, text: str, size: float = 8.0) -> None:
    """A bordered cell whose text is made smaller (down to 5.5 pt), then cut, to fit ``w`` mm."""
    while size > 5.5 and pdf.get_string_width(text) > w - 2:
        size -= 0.5
        pdf.set_font_size(size)
    while text and pdf.get_string_width(text) > w - 2:
        text = text[:-2] + "."
    pdf.cell(w, 6, text, border=1)
    pdf.set_font_size(8.0)


def _angle_trend(sets: list[SetRecord], d: Definition | None) -> str:
    """The first key angle's median in the first and the last week with sets of it; one
    value when those weeks are the same."""
    key = next((k for k in (d.key_angles if d else []) if any(k in s.key_angles for s in sets)), None)
    if key is None or d is None:
        return "-"
    mine = [s for s in sets if key in s.key_angles]
    t0, t1 = mine[0].started_at, mine[-1].started_at
    first = sorted(s.key_angles[key] for s in mine if s.started_at < t0 + timedelta(weeks=1))
    last = sorted(s.key_angles[key] for s in mine if s.started_at > t1 - timedelta(weeks=1))
    name = d.measures[key].label or key
    f, la = round(first[len(first) // 2]), round(last[len(last) // 2])
    if t1 - t0 < timedelta(weeks=1):
        return f"{name}: {f} deg"
    return f"{name}: {f} -> {la} deg"


def _profiles(store: Store | None, patient: str, exercises: set[str]) -> dict[str, list[str]]:
    """Per exercise, its limits that the patient's current profile changes, in words."""
    out: dict[str, list[str]] = {}
    for ex in sorted(exercises):
        d = _definition(ex)
        try:
            prof = store.load(patient, ex) if store is not None else None
        except FormcheckError:
            prof = None   # a broken profile file: the page that uses it says so
        if d is not None and prof is not None and (lines := changed_limits(d, prof)):
            out[ex] = [f"{d.name} ({prof.label()}): {x}" for x in lines]
    return out


def changed_limits(d: Definition, prof: Profile) -> list[str]:
    """The limits ``prof`` sets that differ from ``d``'s defaults, e.g.
    "Hips not high enough: min 150 deg (default 160)"."""
    lines = []
    for c in d.checks:
        b = prof.thresholds.get(c.id)
        if b is None:
            continue
        unit = "%" if d.measures[c.measure].kind == "gap" else "deg"
        parts = [f"{bound} {new:g} {unit} (default {'none' if old is None else f'{old:g}'})"
                 for bound, new, old in (("min", b.min, c.min), ("max", b.max, c.max))
                 if new is not None and new != old]
        if parts:
            lines.append(f"{d.fault_text(c.id)[0]}: {', '.join(parts)}")
    if prof.hold_target_s is not None and prof.hold_target_s != d.hold.target_s:
        lines.append(f"Hold target: {prof.hold_target_s:g} s (default {d.hold.target_s:g} s)")
    return lines


def _changed_limits(pdf: FPDF, profiles: dict[str, list[str]]) -> None:
    if not profiles:
        return
    _title(pdf, "* Limits changed for this patient (good form above is judged with them)")
    for lines in profiles.values():
        for line in lines:
            pdf.cell(0, 5, _ascii(f"- {line}"), new_x="LMARGIN", new_y="NEXT")


def _definition(ex: str) -> Definition | None:
    try:
        return get_definition(ex)
    except FormcheckError:
        return None


def _name(ex: str) -> str:
    d = _definition(ex)
    return d.name if d is not None else ex


def _ascii(text: str) -> str:
    """The core PDF fonts are Latin-1: anything else becomes '?' rather than an error."""
    return text.encode("latin-1", "replace").decode("latin-1")
