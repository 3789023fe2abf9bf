"""The symptoms part of the clinician report: pain per check-in drawn as a line (0-10), where
the pain reaches first against last (centralising or spreading), and every red flag of the
period (the newest ones when there are more than fit)."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from fpdf import FPDF

from formcheck.rules.symptoms import REGION_TEXT, trend
from formcheck.storage import checkins
from formcheck.storage.database import Database

PAIN_LINE = (21, 101, 192)                   # blue: the pain line
LEVEL_COLOUR = {"emergency": (183, 28, 28), "contact": (191, 87, 0)}
MAX_FLAG_LINES = 6                           # one page: the newest flags, and how many more


def symptoms_section(pdf: FPDF, db: Database, patient: str, since: datetime) -> None:
    rows = checkins.checkins(db, patient, since=since)
    _title(pdf, "Symptoms (check-ins before / after sessions)")
    if not rows:
        pdf.cell(0, 5, "No symptom check-ins in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    t = trend([x.checkin for x in rows])
    last = rows[-1].checkin
    text = (f"{len(rows)} check-ins. Latest: pain {last.pain}/10, reaches {REGION_TEXT[last.reaches]}."
            + (f" First -> last: {t.text()}." if t else ""))
    pdf.multi_cell(0, 5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    _pain_chart(pdf, [(x.taken_at, x.checkin.pain) for x in rows], since)
    flagged = [x for x in rows if x.flags]
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(0, 5, f"Red flags: {len(flagged)}" if flagged else "Red flags: none", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 8)
    for x in list(reversed(flagged))[:MAX_FLAG_LINES]:
        pdf.set_text_color(*LEVEL_COLOUR.get(x.level, (0, 0, 0)))
        reasons = "; ".join(f["reason"] for f in x.flags)
        done = " (patient confirmed they spoke to their doctor/therapist)" if x.confirmed_at else ""
        line = f"{x.taken_at:%d %b %Y %H:%M} UTC, {x.checkin.moment}: {x.level.upper()} - {reasons}{done}"
        pdf.cell(0, 4.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if len(flagged) > MAX_FLAG_LINES:
        pdf.cell(0, 4.5, f"... and {len(flagged) - MAX_FLAG_LINES} earlier (formcheck history lists all)",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)


def _pain_chart(pdf: FPDF, points: list[tuple[datetime, int]], since: datetime) -> None:
    """Pain 0-10 against time, in a 120 x 20 mm box; one dot per check-in."""
    x0, y0, w, h = pdf.l_margin + 8, pdf.get_y() + 2, 120.0, 20.0
    pdf.set_draw_color(160, 160, 160)
    pdf.rect(x0, y0, w, h)
    pdf.set_font("helvetica", "", 6)
    for v in (0, 5, 10):
        pdf.set_xy(x0 - 7, y0 + h * (1 - v / 10) - 1.5)
        pdf.cell(6, 3, str(v), align="R")
    start, end = min(since, points[0][0]), max(p[0] for p in points)
    span = max((end - start).total_seconds(), 1.0)
    xy = [(x0 + w * (t - start).total_seconds() / span, y0 + h * (1 - p / 10)) for t, p in points]
    pdf.set_draw_color(*PAIN_LINE)
    pdf.set_fill_color(*PAIN_LINE)
    pdf.set_line_width(0.6)
    for (ax, ay), (bx, by) in pairwise(xy):
        pdf.line(ax, ay, bx, by)
    for x, y in xy:
        pdf.ellipse(x - 0.8, y - 0.8, 1.6, 1.6, style="F")
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(x0 + w + 2, y0 + h / 2 - 2)
    pdf.cell(40, 4, "pain (0-10) over time")
    pdf.set_font("helvetica", "", 9)
    pdf.set_xy(pdf.l_margin, y0 + h + 2)


def _title(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)


def _latin1(text: str) -> str:
    """The core PDF fonts are Latin-1: anything else becomes '?' rather than an error."""
    return text.encode("latin-1", "replace").decode("latin-1")
