"""Authorisation in the data layer, on SQLite and PostgreSQL: patient A reaches none of
patient B's sets, programme, profile or report through the repository, the guarded profile
store or the CLI; a therapist sees only their own patients; the audit log records who did
what and refuses to be changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from clinic import PW, make_clinic
from sqlalchemy import text

from formcheck.engine.reps import Rep
from formcheck.rules.profile import Profile
from formcheck.storage import audit, programmes, repo
from formcheck.storage.access import LOCAL_OWNER, AccessDenied
from formcheck.storage.profiles import GuardedStore, store_for

NOT_YOURS = "not for your account"


def _rep(i: int) -> Rep:
    return Rep(i, None, i * 3000.0, i * 3000.0 + 1000, i * 3000.0 + 2000, 0.0, [])


def _bobs_data(c):
    """A programme and a set with one rep in Bob's record (written as Bob and his therapist)."""
    programmes.prescribe(c.db, "Bob Patient", [programmes.Item("bridge", 3, 10)], actor=c.therapist)
    sid = repo.start_set(c.db, "Bob Patient", "bridge", "live", "1.1", actor=c.bob)
    repo.add_rep(c.db, sid, _rep(1), actor=c.bob)
    repo.finish_set(c.db, sid, {"faults": {}}, actor=c.bob)
    return sid


def test_patient_a_reaches_none_of_patient_bs_data(db, tmp_path):
    from formcheck.pdf.clinician import clinician_report

    c = make_clinic(db)
    bob_set = _bobs_data(c)
    ann = db.for_actor(c.ann)
    for attempt in (lambda: repo.history(ann, "Bob Patient"),
                    lambda: repo.history(ann, "bob   PATIENT", "bridge"),
                    lambda: programmes.programme(ann, "Bob Patient"),
                    lambda: programmes.adherence(ann, "Bob Patient"),
                    lambda: repo.start_set(ann, "Bob Patient", "bridge", "live", "1.1"),
                    lambda: repo.add_rep(ann, bob_set, _rep(2)),
                    lambda: repo.finish_set(ann, bob_set, {"faults": {"x": 1}}),
                    lambda: programmes.prescribe(ann, "Bob Patient", [programmes.Item("bridge")]),
                    lambda: repo.history(ann, "Nobody Known"),      # unknown names: the same refusal
                    lambda: repo.set_count(ann),
                    lambda: clinician_report(ann, "Bob Patient", tmp_path / "bob.pdf")):
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            attempt()
    assert not (tmp_path / "bob.pdf").exists()
    assert repo.patients(ann) == ["Ann Patient"]
    (x,) = repo.history(db, "Bob Patient", actor=c.bob)            # Bob's set is unchanged
    assert (x.reps, x.faults) == (1, {})
    with pytest.raises(AccessDenied, match="cannot change a programme"):
        programmes.prescribe(ann, "Ann Patient", [programmes.Item("bridge")])   # nor her own programme
    sid = repo.start_set(ann, "Ann Patient", "bridge", "live", "1.1")   # her own sets: yes
    repo.add_rep(ann, sid, _rep(1))
    assert [s.reps for s in repo.history(ann, "Ann Patient")] == [1]
    path = clinician_report(ann, "Ann Patient", tmp_path / "ann.pdf")
    assert path.is_file()


def test_profiles_are_guarded_like_the_database(db, tmp_path):
    c = make_clinic(db)
    prof = Profile(exercise="bridge", definition_version="1.1", patient="Bob Patient")
    GuardedStore(tmp_path, db.for_actor(c.therapist)).save(prof)
    ann = GuardedStore(tmp_path, db.for_actor(c.ann))
    assert isinstance(store_for(tmp_path, db), GuardedStore)
    for attempt in (lambda: ann.load("Bob Patient", "bridge"), lambda: ann.history("Bob Patient", "bridge"),
                    lambda: ann.profile_path("Bob Patient", "bridge"), lambda: ann.save(prof)):
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            attempt()
    with pytest.raises(AccessDenied, match="cannot change"):
        ann.save(prof.model_copy(update={"patient": "Ann Patient"}))
    assert ann.patients() == []           # Bob's profile folder is not listed for Ann
    bob = GuardedStore(tmp_path, db.for_actor(c.bob))
    assert bob.load("Bob Patient", "bridge") is not None and bob.patients() == ["Bob Patient"]
    tina = GuardedStore(tmp_path, db.for_actor(c.other_therapist))
    with pytest.raises(AccessDenied):
        tina.load("Bob Patient", "bridge")


def test_therapists_see_their_own_patients_and_admins_no_patient_data(db):
    c = make_clinic(db)
    _bobs_data(c)
    assert repo.patients(db, actor=c.therapist) == ["Ann Patient", "Bob Patient"]
    assert repo.patients(db, actor=c.other_therapist) == ["Cy Patient"]
    assert repo.patients(db, actor=c.admin) == []
    for who in (c.other_therapist, c.admin):
        with pytest.raises(AccessDenied):
            repo.history(db, "Bob Patient", actor=who)
        with pytest.raises(AccessDenied):
            programmes.prescribe(db, "Bob Patient", [programmes.Item("bridge")], actor=who)
    assert programmes.programme(db, "Bob Patient", actor=c.therapist) is not None
    with pytest.raises(AccessDenied):                       # Tina cannot take Bob by re-creating him
        repo.ensure_patient(db, "Bob Patient", actor=c.other_therapist)


def test_a_clinic_database_without_an_acting_user_is_refused(db):
    make_clinic(db)
    from formcheck.storage import Database

    fresh = Database(db.url)                   # e.g. the app or the CLI opened without logging in
    with pytest.raises(AccessDenied, match="log in first"):
        repo.history(fresh, "Bob Patient")
    with pytest.raises(AccessDenied, match="log in first"):
        repo.patients(fresh)
    assert repo.history(fresh.for_actor(LOCAL_OWNER), "Bob Patient") == []   # only by asking for it
    fresh.dispose()


def test_audit_entries_written_readable_by_the_therapist_and_append_only(db):
    c = make_clinic(db)
    _bobs_data(c)
    repo.history(db, "Bob Patient", actor=c.therapist)
    repo.history(db, "Bob Patient", actor=c.therapist)     # a page re-run: one "view" entry
    with pytest.raises(AccessDenied):
        repo.history(db, "Bob Patient", actor=c.ann)
    lines = audit.read(db, c.therapist)
    bob = [(x.actor, x.action) for x in lines if x.patient == "Bob Patient"]
    assert ("Terry Therapist", "change programme") in bob and ("bob", "record set") in bob
    assert bob.count(("Terry Therapist", "view sets")) == 1
    assert all(x.at <= datetime.now(UTC) for x in lines)
    assert {x.patient for x in audit.read(db, c.other_therapist)} == {"Cy Patient"}
    with pytest.raises(AccessDenied):
        audit.read(db, c.bob)
    assert {x.patient for x in audit.read(db, c.admin)} >= {"Ann Patient", "Bob Patient", "Cy Patient"}
    before = audit.read(db, c.admin)
    for sql in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(sql))
    assert audit.read(db, c.admin) == before


def test_cli_server_side_paths_act_as_the_logged_in_account(db, tmp_path, capsys, monkeypatch):
    """The CLI on the server's database: --as logs in; without it a clinic database is refused."""
    from formcheck.cli.main import main

    monkeypatch.setenv("FORMCHECK_DATABASE_URL", db.url)
    c = make_clinic(db)
    _bobs_data(c)
    monkeypatch.setenv("FORMCHECK_PASSWORD", PW)
    base = ["--data-dir", str(tmp_path)]
    for argv in (["history", "--patient", "Bob Patient", "--as", "ann"],
                 ["report", "--patient", "Bob Patient", "-o", str(tmp_path / "b.pdf"), "--as", "ann"],
                 ["history", "--patient", "Bob Patient", "--as", "tina"]):
        assert main([*argv, *base]) == 2
        out, err = capsys.readouterr()
        assert NOT_YOURS in err and "bridge" not in out + err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b.pdf").exists()
    assert main(["history", "--patient", "Bob Patient", *base]) == 2
    assert "log in first" in capsys.readouterr().err
    assert main(["history", "--patient", "Bob Patient", "--as", "bob", *base]) == 0
    assert "Glute bridge" in capsys.readouterr().out
    monkeypatch.setenv("FORMCHECK_PASSWORD", "not the password")
    assert main(["history", "--patient", "Bob Patient", "--as", "bob", *base]) == 2
    assert "wrong username or password" in capsys.readouterr().err


def test_check_ins_and_red_flags_are_guarded_like_the_sets(db):
    from formcheck.rules.symptoms import Checkin
    from formcheck.storage import checkins

    c = make_clinic(db)
    bob, ann, therapist = db.for_actor(c.bob), db.for_actor(c.ann), db.for_actor(c.therapist)
    bobs = checkins.record(bob, "Bob Patient", Checkin(9, "foot"))     # pain 9: a contact flag
    assert bobs.level == "contact"
    for attempt in (lambda: checkins.checkins(ann, "Bob Patient"),
                    lambda: checkins.day_status(ann, "Bob Patient"),
                    lambda: checkins.record(ann, "Bob Patient", Checkin(0, "none")),
                    lambda: checkins.confirm(ann, bobs.id)):
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            attempt()
    assert "Bob Patient" not in checkins.flagged_patients(ann, datetime(2000, 1, 1, tzinfo=UTC))
    assert "Bob Patient" in checkins.flagged_patients(therapist, datetime(2000, 1, 1, tzinfo=UTC))
    assert checkins.day_status(bob, "Bob Patient").level == "contact"   # Ann changed nothing
    assert [x.checkin.pain for x in checkins.checkins(therapist, "Bob Patient")] == [9]
