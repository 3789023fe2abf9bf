"""The clinician report's symptoms part, rendered: pain trend, where it reaches (centralising
or spreading) and every red flag, still on one page with the rest of the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from formcheck.engine.reps import Rep
from formcheck.pdf.clinician import clinician_report
from formcheck.rules.symptoms import Checkin
from formcheck.storage import checkins, open_database, programmes, repo

BLUE = (21, 101, 192)


def _report(tmp_path, name="Jane Doe"):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    db = open_database(tmp_path)
    path = clinician_report(db, name, tmp_path / "r.pdf", weeks=6)
    db.dispose()
    doc = pdfium.PdfDocument(str(path))
    page = doc[0]
    return len(doc), page.get_textpage().get_text_range(), page.render(scale=1).to_pil().convert("RGB")


def _near(px, colour, tol=40) -> bool:  # type: ignore[no-untyped-def]
    return all(abs(a - b) <= tol for a, b in zip(px, colour, strict=True))


def test_report_shows_pain_where_it_reaches_and_red_flags(tmp_path):
    db = open_database(tmp_path)
    programmes.prescribe(db, "Jane Doe", [programmes.Item("bridge", 3, 10)], days_per_week=5)
    start = datetime.now(UTC) - timedelta(days=28)
    for d in range(20):
        sid = repo.start_set(db, "Jane Doe", "bridge", "live", "1.1", started_at=start + timedelta(days=d))
        repo.add_rep(db, sid, Rep(1, None, 0.0, 500.0, 1000.0, 300.0, [], key_angles={"hip_extension_deg": 170.0}))
    series = [(7, "foot"), (7, "below_knee"), (6, "below_knee"), (9, "thigh"), (5, "thigh"), (4, "buttock"),
              (3, "buttock"), (2, "back")]
    for i, (pain, where) in enumerate(series):
        checkins.record(db, "Jane Doe", Checkin(pain, where), taken_at=start + timedelta(days=3 * i, hours=1))
    checkins.record(db, "Jane Doe", Checkin(2, "back", bladder_bowel=True, moment="after"),
                    taken_at=start + timedelta(days=25))
    db.dispose()
    pages, words, img = _report(tmp_path)
    assert pages == 1
    for expect in ("Symptoms", "9 check-ins", "pain 7 -> 2 /10",
                   "reaches below the knee -> low back only (centralising)",
                   "Red flags: 2", "EMERGENCY - You have a new problem controlling your bladder or bowels.",
                   "CONTACT - Your pain is 9 out of 10.", "Glute bridge", "Adherence"):
        assert expect in words.replace("\r\n", " ").replace("\n", " "), expect
    blue = sum(1 for px in img.getdata() if _near(px, BLUE))
    assert blue > 150, blue   # the pain line is drawn
    assert words.index("EMERGENCY") < words.index("CONTACT")   # newest first


def test_report_without_check_ins_says_so(tmp_path):
    db = open_database(tmp_path)
    repo.start_set(db, "Ann", "bridge", "live", "1.1")
    db.dispose()
    pages, words, _ = _report(tmp_path, "Ann")
    assert pages == 1 and "No symptom check-ins in this period." in words
