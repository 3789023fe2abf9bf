"""The patient database on SQLite and on a real PostgreSQL server on loopback: migrations,
the newer-schema refusal, the one-time import, sets written rep by rep (a killed writer loses
at most the rep in progress), two writers at once, history, adherence and the PDF report."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dbserver import fresh_database_url
from sqlalchemy import text

from formcheck.engine.reps import Rep
from formcheck.rules.profile import Profile
from formcheck.storage import Database, DatabaseError, open_database, programmes, repo
from formcheck.storage.database import head_revision
from formcheck.storage.records import SetRecord
from formcheck.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A fresh, empty database of each kind."""
    base = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    return fresh_database_url(request.param, tmp_path, base)


def _rep(i: int, faults: list[str] | None = None, hip: float = 175.0) -> Rep:
    return Rep(i, None, i * 3000.0, i * 3000.0 + 1000, i * 3000.0 + 2000, 400.0, list(faults or []),
               key_angles={"hip_extension_deg": hip})


def test_migrates_an_empty_database_to_the_models(url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from formcheck.storage.models import Base

    db = Database(url)
    assert db.revision() == head_revision()
    with db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == [], diff   # the migration builds exactly what the models declare
    Database(url)   # opening again changes nothing
    db.dispose()


def test_a_newer_schema_is_refused_and_left_alone(url):
    db = Database(url)
    with db.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(DatabaseError, match="newer than this formcheck"):
        Database(url)
    with db.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    db.dispose()


def test_sets_written_rep_by_rep_and_history(url):
    db = Database(url)
    sid = repo.start_set(db, "Jane Doe", "bridge", "live", "1.1")
    assert repo.history(db, "jane  DOE")[0].reps == 0          # on record before any rep
    repo.add_rep(db, sid, _rep(1))
    repo.add_rep(db, sid, _rep(2, ["hips_too_low"], hip=160.0))
    repo.add_rep(db, sid, _rep(2, ["hips_too_low"], hip=161.0))   # re-sent: updated, not doubled
    repo.finish_set(db, sid, {"faults": {"hips_too_low": 1}})
    (x,) = repo.history(db, "Jane Doe", "bridge")
    assert (x.reps, x.good_reps, x.faults) == (2, 1, {"hips_too_low": 1})
    assert x.key_angles["hip_extension_deg"] in (161.0, 175.0) and x.source == "live"
    assert repo.history(db, "Jane Doe", "bird_dog") == [] and repo.history(db, "Nobody") == []
    db.dispose()


def test_programme_and_weekly_adherence(url):
    db = Database(url)
    programmes.prescribe(db, "Ann", [programmes.Item("bridge", 3, 10),
                                     programmes.Item("bird_dog", 2, hold_s=5.0, reps=None)],
                         days_per_week=3, created_at=datetime(2026, 11, 4, 9, tzinfo=UTC))
    prog = programmes.programme(db, "ann")
    assert prog is not None and [i.exercise for i in prog.items] == ["bridge", "bird_dog"]
    today = date(2026, 11, 27)   # a Friday
    for day in (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 18)):
        repo.start_set(db, "Ann", "bridge", "live", "1.1", started_at=datetime(day.year, day.month, day.day,
                                                                                 9, tzinfo=UTC))
    weeks = programmes.adherence(db, "Ann", weeks=2, today=today)
    assert [(w.week_start, w.days_done, w.days_prescribed) for w in weeks] == [
        (date(2026, 11, 16), 1, 3), (date(2026, 11, 23), 2, 3)]
    with pytest.raises(Exception, match="at least one exercise"):
        programmes.prescribe(db, "Ann", [])
    db.dispose()


def _done(exercise: str, reps: int, hold_s: float = 0.0, holds_s: tuple[float, ...] | None = None) -> SetRecord:
    """A set of ``reps`` reps, each held ``hold_s`` (or held ``holds_s`` each)."""
    holds = holds_s if holds_s is not None else (hold_s,) * reps
    return SetRecord(1, datetime(2026, 11, 27, 9, tzinfo=UTC), exercise, "live", reps, reps, {},
                     max(holds, default=0.0), rep_holds_s=holds)


BRIDGE_THEN_HOLD = [programmes.Item("bridge", 2, 10), programmes.Item("bird_dog", 1, None, 5.0)]
BRIDGE_TWICE = [programmes.Item("bridge", 2, 10), programmes.Item("bridge", 1, 3, 5.0)]


@pytest.mark.parametrize(("items", "today", "expected"), [
    (BRIDGE_THEN_HOLD, [], "bridge"),                                             # nothing done: the first
    (BRIDGE_THEN_HOLD, [_done("bridge", 10)], "bridge"),                          # 1 of its 2 sets
    (BRIDGE_THEN_HOLD, [_done("bridge", 10), _done("bridge", 9)], "bridge"),      # 9 of 10 reps: not a set
    (BRIDGE_THEN_HOLD, [_done("bridge", 10), _done("bridge", 12)], "bird_dog"),   # both bridge sets
    (BRIDGE_THEN_HOLD, [_done("bridge", 10)] * 2 + [_done("bird_dog", 1, 4.0)], "bird_dog"),   # 4 of 5 s
    (BRIDGE_THEN_HOLD, [_done("bridge", 10)] * 2 + [_done("bird_dog", 1, 5.0)], None),         # all done
    (BRIDGE_THEN_HOLD, [_done("bird_dog", 1, 6.0)], "bridge"),                    # out of order: bridge waits
    # each rep must be held, not only the longest (the live page's "Set done" counts so)
    (BRIDGE_TWICE, [_done("bridge", 10)] * 2 + [_done("bridge", 3, holds_s=(5.0, 2.0, 2.0))], "bridge"),
    (BRIDGE_TWICE, [_done("bridge", 10)] * 2 + [_done("bridge", 3, 5.0)], None),
    # 3 reps held 5 s are not the first item's 10: they are the second item's set, the first waits
    (BRIDGE_TWICE, [_done("bridge", 3, 5.0)], "bridge"),
    # three 10-rep sets, each held 5 s: two for the first item, the third for the second
    (BRIDGE_TWICE, [_done("bridge", 10, 5.0)] * 3, None),
    (BRIDGE_TWICE, [_done("bridge", 10, 5.0)] * 2, "bridge"),   # both went to the first item
])
def test_todays_next_item(items, today, expected):
    prog = programmes.ProgrammeView(1, datetime(2026, 11, 1, tzinfo=UTC), 5, "", items)
    nxt = programmes.next_item(prog, today)
    assert (nxt.exercise if nxt else None) == expected


def test_sets_done_gives_each_set_to_one_item():
    prog = programmes.ProgrammeView(1, datetime(2026, 11, 1, tzinfo=UTC), 5, "", BRIDGE_TWICE)
    assert programmes.sets_done(prog, [_done("bridge", 10, 5.0)] * 2) == [2, 0]
    assert programmes.sets_done(prog, [_done("bridge", 10, 5.0)] * 3) == [2, 1]
    assert programmes.sets_done(prog, [_done("bridge", 3, 5.0), _done("bridge", 10)]) == [1, 1]


def test_saved_sets_and_profiles_of_the_folder_layout_are_imported_once(tmp_path):
    data = tmp_path / "data"
    store = Store(data)
    store.save(Profile(exercise="bridge", definition_version="1.1", patient="Jane Doe"))
    report = {"schema": 1, "exercise": "bridge", "definition_version": "1.0", "profile": "Jane Doe v1",
              "clip": {"path": "webcam"}, "rep_count": 1,
              "reps": [{"index": 1, "side": None, "start_ms": 0, "top_ms": 900, "end_ms": 2000, "hold_ms": 500,
                        "ok": False, "faults": ["hips_too_low"]}],
              "summary": {"faults": {"hips_too_low": 1}}}
    store.save_session("Jane Doe", "bridge", report, now=datetime(2026, 10, 1, 9, tzinfo=UTC))
    (data / "sessions" / "broken.json").parent.mkdir(exist_ok=True)
    db = open_database(data)
    (x,) = repo.history(db, "Jane Doe")
    assert (x.source, x.reps, x.faults, x.started_at) == ("import", 1, {"hips_too_low": 1},
                                                          datetime(2026, 10, 1, 9, tzinfo=UTC))
    assert repo.patients(db) == ["Jane Doe"]
    db.dispose()
    db = open_database(data)   # a second start imports nothing again
    assert len(repo.history(db, "Jane Doe")) == 1
    db.dispose()


def test_an_imported_set_keeps_its_profile_version_from_either_report_form(tmp_path):
    """A report written now gives the profile version as a number; one saved before that field
    existed gives it only in its label ("name vN"): both are imported with the version."""
    from formcheck.storage.models import ExerciseSet

    data = tmp_path / "data"
    store = Store(data)
    base = {"schema": 1, "exercise": "bridge", "definition_version": "1.1", "clip": {"path": "webcam"},
            "rep_count": 0, "reps": [], "summary": {"faults": {}}}
    store.save_session("Jane Doe", "bridge", {**base, "profile": "Jane Doe v2"},
                       now=datetime(2026, 10, 1, 9, tzinfo=UTC))
    store.save_session("Jane Doe", "bridge", {**base, "profile": "Jane Doe v3", "profile_version": 3},
                       now=datetime(2026, 10, 2, 9, tzinfo=UTC))
    store.save_session("Jane Doe", "bridge", {**base, "profile": None, "profile_version": None},
                       now=datetime(2026, 10, 3, 9, tzinfo=UTC))
    db = open_database(data)
    with db.session() as s:
        versions = [x.profile_version for x in s.query(ExerciseSet).order_by(ExerciseSet.started_at)]
    assert versions == [2, 3, None]
    db.dispose()


WRITER = """
import sys, time
from formcheck.storage import Database
from formcheck.storage import repo
from formcheck.engine.reps import Rep
db = Database(sys.argv[1])
sid = repo.start_set(db, sys.argv[2], "bridge", "live", "1.1")
for i in range(1, int(sys.argv[3]) + 1):
    repo.add_rep(db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 300, i * 1000.0 + 600, 0.0, []))
    print(i, flush=True)   # this rep is committed
    time.sleep(float(sys.argv[4]))
"""


def _writer(url: str, patient: str, reps: int, pause_s: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, url, patient, str(reps), str(pause_s)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)


def test_a_killed_writer_loses_at_most_the_rep_in_progress(url):
    Database(url).dispose()   # migrated before the writer starts
    p = _writer(url, "Kill Test", 1000, 0.01)
    committed = 0
    assert p.stdout is not None
    for line in p.stdout:
        committed = int(line)
        if committed >= 25:
            break
    p.send_signal(signal.SIGKILL)
    p.wait(30)
    db = Database(url)
    (x,) = repo.history(db, "Kill Test")
    assert committed <= x.reps <= committed + 1   # every acknowledged rep is there
    if db.is_sqlite:
        with db.engine.connect() as c:
            assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    db.dispose()


def test_two_writers_at_once(url):
    Database(url).dispose()
    a, b = _writer(url, "Writer A", 60, 0.0), _writer(url, "Writer B", 60, 0.0)
    assert a.wait(120) == 0 and b.wait(120) == 0
    db = Database(url)
    assert [x.reps for x in repo.history(db, "Writer A")] == [60]
    assert [x.reps for x in repo.history(db, "Writer B")] == [60]
    db.dispose()


def test_history_cli_and_csv(tmp_path, capsys):
    from formcheck.cli.main import main

    db = open_database(tmp_path)
    sid = repo.start_set(db, "Jane Doe", "bridge", "clip", "1.1")
    repo.add_rep(db, sid, _rep(1, ["hips_too_low"]))
    repo.finish_set(db, sid, {})
    db.dispose()
    assert main(["history", "--patient", "Jane Doe", "--data-dir", str(tmp_path), "--csv",
                 str(tmp_path / "sets.csv")]) == 0
    out = capsys.readouterr().out
    assert "Glute bridge" in out and "reps   1" in out and "hips_too_low x1" in out
    rows = (tmp_path / "sets.csv").read_text().splitlines()
    assert rows[0].startswith("set,started_utc,exercise") and ",bridge,clip,1,0," in rows[1]
    assert main(["history", "--patient", "Someone Else", "--data-dir", str(tmp_path)]) == 0
    assert "no sets recorded" in capsys.readouterr().out


def test_clinician_report_renders_one_readable_page(tmp_path):
    import pypdfium2 as pdfium

    from formcheck.pdf.clinician import clinician_report

    db = open_database(tmp_path)
    start = datetime.now(UTC) - timedelta(days=20)
    programmes.prescribe(db, "Jane Doe", [programmes.Item("bridge", 3, 10)], days_per_week=5, created_at=start)
    for d in range(20):
        sid = repo.start_set(db, "Jane Doe", "bridge", "live", "1.1", started_at=start + timedelta(days=d))
        for i in range(1, 6):
            repo.add_rep(db, sid, _rep(i, ["hips_too_low"] if i == 5 else [], hip=160.0 + d))
    path = clinician_report(db, "Jane Doe", tmp_path / "jane.pdf", weeks=4)
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == 1
    page = doc[0]
    words = page.get_textpage().get_text_range()
    for expect in ("Jane Doe", "Glute bridge: 3 x 10 reps", "Adherence", "80%", "Hips not high enough"):
        assert expect in words, expect
    img = page.render(scale=1).to_pil().convert("RGB")
    img.save(tmp_path / "page.png")
    greens = sum(1 for px in img.getdata() if px[1] > 100 and px[0] < 80 and px[2] < 80)
    assert greens > 500   # the adherence bars are drawn
    db.dispose()


def test_bad_database_url_is_one_clear_error(tmp_path, capsys, monkeypatch):
    from formcheck.cli.main import main

    monkeypatch.setenv("FORMCHECK_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert main(["history", "--patient", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("formcheck: cannot open database") and len(err.strip().splitlines()) == 1
    assert json.dumps(err)   # one line, printable


@pytest.mark.media
def test_a_live_set_is_written_rep_by_rep_and_finished(tmp_path):
    """The live processor hands each finished rep to the recorder while the stream runs; the
    set is on record before it ends, and closing the page finishes it."""
    import av
    from conftest import media_or_skip

    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor
    from formcheck.storage.recorder import SetRecorder

    d = get_definition("bridge")
    db = open_database(tmp_path)
    rec = SetRecorder(db, "Live Patient", d.id, d.version)
    proc = LiveProcessor(d, default_model_path(), recorder=rec)
    with av.open(str(media_or_skip() / "bridge" / "physioplus_bridging.mp4")) as c:
        for frame in c.decode(video=0):
            proc.process(frame.to_ndarray(format="rgb24"))
    rec.flush()
    (during,) = repo.history(db, "Live Patient")
    assert during.source == "live" and during.reps == 1   # written before the set ended
    proc.close()
    (x,) = repo.history(db, "Live Patient")
    assert x.reps == 1 and x.good_reps == 1 and x.key_angles["hip_extension_deg"] > 165
    with db.session() as s:
        from formcheck.storage.models import ExerciseSet

        row = s.get(ExerciseSet, x.id)
        assert row is not None and row.ended_at is not None and "faults" in row.summary
    db.dispose()


def test_the_cached_head_is_alembics_head():
    from formcheck.storage.database import HEAD

    assert head_revision() == HEAD, "update database.HEAD to the newest migration"
