"""A patient's data from the app's Account tab (AppTest, the clinic of test_app_roles): the
therapist downloads one patient's archive (the same zip as ``formcheck export``) and deletes a
patient only after typing the name; a patient downloads their own archive, never another's,
and has no delete form."""

from __future__ import annotations

import io
import json
import zipfile

import test_app_roles
from test_app_roles import _page_as, _text

from formcheck.core.patients import patient_key
from formcheck.storage import open_database, repo
from formcheck.storage.patient_data import export_patient
from formcheck.storage.profiles import store_for

clinic_app = test_app_roles.clinic_app   # the same clinic fixture


def _zip_of(at, patient: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(at.session_state[f"fc_export_zip_{patient_key(patient)}"]))


def _downloads(at) -> list[str]:
    return [str(e.proto.label) for e in at.get("download_button")]


def test_therapist_downloads_a_patients_archive_like_the_cli(clinic_app, tmp_path):
    at = clinic_app("therapist")
    at.session_state["patient"] = "Bob Patient"
    at.run()
    assert not at.exception and "Download Bob Patient's data" not in _downloads(at)
    at.button(key="export_prepare").click().run()
    assert not at.exception, at.exception
    assert "Download Bob Patient's data" in _downloads(at)
    z = _zip_of(at, "Bob Patient")
    data = json.loads(z.read("data.json"))
    assert data["patient"]["name"] == "Bob Patient" and data["programmes"][0]["notes"] == "BOBS-SECRET-NOTE"
    assert [r["faults"] for r in data["reps"]] == [["hips_too_low"]]
    db = open_database(tmp_path)
    terry = db.for_actor(repo_actor(db, "terry"))
    cli = zipfile.ZipFile(export_patient(terry, store_for(str(tmp_path), terry), "Bob Patient", tmp_path / "b.zip"))
    assert sorted(z.namelist()) == sorted(cli.namelist())
    db.dispose()


def repo_actor(db, username: str):
    from formcheck.storage.account_models import User
    from formcheck.storage.auth import actor_of

    with db.session() as s:
        return actor_of(s.query(User).filter_by(username=username).one())


def test_therapist_deletes_a_patient_only_with_the_typed_name(clinic_app, tmp_path):
    at = clinic_app("therapist")
    at.session_state["patient"] = "Bob Patient"
    at.run()
    at.text_input(key="delete_confirm").input("bob patient")
    at.button(key="FormSubmitter:delete_patient-Delete this patient").click().run()
    assert not at.exception and "Nothing deleted" in _text(at)
    db = open_database(tmp_path)
    terry = db.for_actor(repo_actor(db, "terry"))
    assert "Bob Patient" in repo.patients(terry)
    at.text_input(key="delete_confirm").input("Bob Patient")
    at.button(key="FormSubmitter:delete_patient-Delete this patient").click().run()
    assert not at.exception, at.exception
    assert "Deleted Bob Patient: 1 sets" in _text(at)
    assert "Bob Patient" not in repo.patients(terry) and "Ann Patient" in repo.patients(terry)
    assert "Bob Patient" not in [o for s in at.selectbox if s.label == "Patient" for o in s.options]
    db.dispose()


def test_patient_downloads_only_their_own_archive_and_cannot_delete(clinic_app):
    at = clinic_app("patient")
    at.session_state["patient"] = "Bob Patient"        # a tampered widget state
    at.run()
    assert not at.exception
    assert not [t for t in at.text_input if t.key == "delete_confirm"]
    at.button(key="export_prepare").click().run()
    assert not at.exception, at.exception
    assert "Download your data" in _downloads(at)
    z = _zip_of(at, "Ann Patient")
    assert json.loads(z.read("data.json"))["patient"]["name"] == "Ann Patient"
    everything = b"".join(z.read(n) for n in z.namelist())
    assert b"BOBS-SECRET-NOTE" not in everything and b"Bob Patient" not in everything
    assert f"fc_export_zip_{patient_key('Bob Patient')}" not in at.session_state


def test_patient_asking_for_another_patients_archive_is_refused(clinic_app, tmp_path):
    """The Account page given Bob's name while Ann is logged in: the export is refused."""
    from streamlit.testing.v1 import AppTest

    clinic_app(None)
    at = AppTest.from_function(_page_as, args=("Account", str(tmp_path), "Bob Patient", "ann"), default_timeout=60)
    at.run()
    at.button(key="export_prepare").click().run()
    assert not at.exception, at.exception
    assert "not for your account" in _text(at)
    assert f"fc_export_zip_{patient_key('Bob Patient')}" not in at.session_state
    assert not _downloads(at)


def test_a_name_with_no_record_gets_a_clear_message(clinic_app, tmp_path):
    """A name with no record of this therapist's in the database (the data layer does not say
    whether it exists elsewhere) cannot be exported: a message, not a traceback."""
    from streamlit.testing.v1 import AppTest

    clinic_app(None)
    at = AppTest.from_function(_page_as, args=("Account", str(tmp_path), "Nobody Known", "terry"), default_timeout=60)
    at.run()
    at.button(key="export_prepare").click().run()
    assert not at.exception, at.exception
    assert "not for your account" in _text(at) and not _downloads(at)
