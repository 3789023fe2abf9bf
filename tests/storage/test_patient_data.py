"""Export of one patient's data as one archive, and deletion of a patient with all their data,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import zipfile

import pytest
from clinic import PW, make_clinic
from sqlalchemy import text

from formcheck.cli.main import main
from formcheck.engine.reps import Rep
from formcheck.rules.profile import Profile
from formcheck.storage import audit, programmes, repo
from formcheck.storage.access import AccessDenied
from formcheck.storage.patient_data import delete_patient, export_patient
from formcheck.storage.profiles import GuardedStore


def _fill(c, store_root):
    programmes.prescribe(c.db, "Bob Patient", [programmes.Item("bridge", 3, 10)], notes="Bob's note ü",
                         actor=c.therapist)
    sid = repo.start_set(c.db, "Bob Patient", "bridge", "live", "1.1", actor=c.bob)
    for i in (1, 2):
        repo.add_rep(c.db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 300, i * 1000.0 + 600, 0.0,
                                    ["hips_too_low"] if i == 2 else []), actor=c.bob)
    repo.finish_set(c.db, sid, {"faults": {"hips_too_low": 1}}, actor=c.bob)
    t_store = GuardedStore(store_root, c.db.for_actor(c.therapist))
    prof = Profile(exercise="bridge", definition_version="1.1", patient="Bob Patient")
    t_store.save(prof)
    t_store.save(prof)                                        # a second version: one in history
    t_store.save_session("Bob Patient", "bridge", {"schema": 1})
    repo.start_set(c.db, "Ann Patient", "bridge", "live", "1.1", actor=c.ann)   # someone else's data


def test_export_contains_everything_of_the_patient(db, tmp_path):
    c = make_clinic(db)
    _fill(c, tmp_path)
    out = export_patient(db.for_actor(c.bob), GuardedStore(tmp_path, db.for_actor(c.bob)), "Bob Patient",
                         tmp_path / "bob.zip")
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        data = json.loads(z.read("data.json"))
        sets_csv = z.read("sets.csv").decode()
        assert z.read("report.pdf").startswith(b"%PDF")
    assert {"data.json", "sets.csv", "reps.csv", "programmes.json", "report.pdf"} <= names
    assert sum(n.startswith("files/profiles/") and n.endswith(".toml") for n in names) == 2   # current + history
    assert any(n.startswith("files/sessions/") for n in names)
    assert data["patient"]["name"] == "Bob Patient" and data["patient"]["account"] == "bob"
    assert len(data["sets"]) == 1 and len(data["reps"]) == 2 and data["programmes"][0]["notes"] == "Bob's note ü"
    assert "Ann Patient" not in json.dumps(data) and "bridge" in sets_csv
    for who in (c.ann, c.other_therapist, c.admin):
        with pytest.raises(AccessDenied):
            export_patient(db.for_actor(who), GuardedStore(tmp_path, db.for_actor(who)), "Bob Patient",
                           tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_delete_leaves_nothing_of_the_patient(db, tmp_path):
    c = make_clinic(db)
    _fill(c, tmp_path)
    bob_id = repo.patient_id(db, "Bob Patient", actor=c.therapist)
    for who in (c.bob, c.ann, c.other_therapist, c.admin):
        with pytest.raises(AccessDenied):
            delete_patient(db.for_actor(who), GuardedStore(tmp_path, db.for_actor(who)), "Bob Patient")
    t = db.for_actor(c.therapist)
    assert delete_patient(t, GuardedStore(tmp_path, t), "Bob Patient") == 1
    with db.engine.connect() as conn:
        for table, col in (("patients", "id"), ("sets", "patient_id"), ("programmes", "patient_id"),
                           ("users", "patient_id"), ("invites", "patient_id"), ("care_links", "patient_id")):
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE {col} = :p"), {"p": bob_id}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM reps")).scalar() == 0     # Ann's set has no reps
        assert conn.execute(text("SELECT count(*) FROM programme_items")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM auth_sessions a JOIN users u ON u.id = a.user_id "
                                 "WHERE u.username = 'bob'")).scalar() == 0
    assert not list(tmp_path.glob("profiles/bob-patient-*")) and not list(tmp_path.glob("sessions/bob-patient-*"))
    lines = [x for x in audit.read(db, c.admin) if x.action in ("delete patient", "record set", "change programme")]
    assert any(x.action == "delete patient" and x.patient == "deleted patient" for x in lines)
    assert all(x.patient != "Bob Patient" for x in audit.read(db, c.admin))
    from formcheck.storage import auth

    with pytest.raises(auth.LoginFailed):
        auth.login(db, "bob", PW)                  # the account went with the patient
    assert [s.exercise for s in repo.history(db, "Ann Patient", actor=c.ann)] == ["bridge"]   # Ann untouched


def test_export_and_delete_from_the_cli(tmp_path, capsys, monkeypatch):
    from formcheck.storage import open_database

    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    db = open_database(tmp_path)
    c = make_clinic(db)
    _fill(c, tmp_path)
    monkeypatch.setenv("FORMCHECK_PASSWORD", PW)
    base = ["--patient", "Bob Patient", "--data-dir", str(tmp_path)]
    assert main(["export", *base, "-o", str(tmp_path / "b.zip"), "--as", "ann"]) == 2
    assert "not for your account" in capsys.readouterr().err
    assert main(["export", *base, "-o", str(tmp_path / "b.zip"), "--as", "terry"]) == 0
    assert zipfile.is_zipfile(tmp_path / "b.zip")
    assert main(["delete-patient", *base, "--as", "terry"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert main(["delete-patient", *base, "--yes", "--as", "terry"]) == 0
    assert "deleted Bob Patient: 1 sets" in capsys.readouterr().out
    assert repo.patients(db, actor=c.therapist) == ["Ann Patient"]
    db.dispose()
