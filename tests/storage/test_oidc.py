"""OIDC identities linked to accounts (formcheck.storage.oidc) on SQLite and the real PostgreSQL:
only an administrator links; a subject link and a verified e-mail log in; an unverified
e-mail, an unlinked identity or a disabled account log nobody in."""

from __future__ import annotations

import pytest
from clinic import make_clinic

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.storage import auth, oidc
from formcheck.storage.access import AccessDenied

ISS = "https://idp.clinic.example"


def _now() -> dict:
    return {"iat": int(auth.now().timestamp()) - 60}   # an ID token issued a minute ago


def test_only_an_administrator_links(db):
    c = make_clinic(db)
    for who in (c.therapist, c.ann):
        with pytest.raises(AccessDenied, match="not for your account"):
            oidc.link(db, who, "terry", email="terry@clinic.example")
    with pytest.raises(FormcheckError, match="no account"):
        oidc.link(db, c.admin, "nobody", email="x@clinic.example")
    with pytest.raises(FormcheckError, match="either"):
        oidc.link(db, c.admin, "terry", email="t@clinic.example", issuer=ISS, subject="1")
    with pytest.raises(FormcheckError, match="not an e-mail"):
        oidc.link(db, c.admin, "terry", email="' OR 1=1 --")


def test_linked_identities_log_in_and_unlinked_ones_do_not(db):
    c = make_clinic(db)
    oidc.link(db, c.admin, "terry", email="Terry@Clinic.example")
    oidc.link(db, c.admin, "ann", issuer=ISS, subject="ann-0001")
    with pytest.raises(FormcheckError, match="linked to an account already"):
        oidc.link(db, c.admin, "ann", email="terry@clinic.example")
    token, who = oidc.login(db, {"iss": "https://other", "sub": "x", "email": "terry@clinic.example",
                                 "email_verified": True, **_now()})
    assert who == c.therapist and auth.resume(db, token) == c.therapist
    assert oidc.login(db, {"iss": ISS, "sub": "ann-0001", **_now()})[1] == c.ann
    for claims in ({"iss": ISS, "sub": "ann-0002"},                                     # another subject
                   {"iss": "https://evil.example", "sub": "ann-0001"},                  # another issuer
                   {"email": "terry@clinic.example", "email_verified": False},          # not verified
                   {"email": "terry@clinic.example"},                                   # not said verified
                   {"email": "terry@clinic.example", "email_verified": "true"},         # not a boolean
                   {}):
        with pytest.raises(auth.LoginFailed, match="not linked to a formcheck account"):
            oidc.login(db, {**claims, **_now()})
    old = int(auth.now().timestamp()) - config.SESSION_MAX_S - 1
    for stale in ({"iat": old}, {}, {"iat": "0"}, {"iat": True}):   # too old, or no usable issue time
        with pytest.raises(auth.LoginFailed, match="log in again"):
            oidc.login(db, {"iss": ISS, "sub": "ann-0001", **stale})


def test_a_disabled_account_is_not_logged_in_through_its_link(db):
    from formcheck.storage.account_models import User

    c = make_clinic(db)
    oidc.link(db, c.admin, "bob", issuer=ISS, subject="bob")
    with db.session() as s:
        s.query(User).filter_by(username="bob").update({"disabled": True})
        s.commit()
    assert oidc.account_for(db, {"iss": ISS, "sub": "bob"}) is None


def test_deleting_a_patient_removes_their_link(db, tmp_path):
    from sqlalchemy import text

    from formcheck.storage.patient_data import delete_patient
    from formcheck.storage.profiles import store_for

    c = make_clinic(db)
    oidc.link(db, c.admin, "bob", email="bob@home.example")
    t = db.for_actor(c.therapist)
    delete_patient(t, store_for(str(tmp_path), t), "Bob Patient")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM oidc_links")).scalar() == 0
    assert oidc.account_for(db, {"email": "bob@home.example", "email_verified": True}) is None


def test_link_from_the_cli(tmp_path, capsys, monkeypatch):
    from clinic import PW

    from formcheck.cli.main import main
    from formcheck.storage import open_database

    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    db = open_database(tmp_path)
    c = make_clinic(db)
    monkeypatch.setenv("FORMCHECK_PASSWORD", PW)
    base = ["users", "link-oidc", "terry", "--data-dir", str(tmp_path)]
    assert main([*base, "--email", "terry@clinic.example", "--as", "terry"]) == 2
    assert "only an administrator" in capsys.readouterr().err
    assert main([*base, "--issuer", ISS, "--subject", "t-1", "--as", "admin"]) == 0
    assert "subject https://idp.clinic.example t-1" in capsys.readouterr().out
    assert oidc.account_for(db, {"iss": ISS, "sub": "t-1"}) == c.therapist
    db.dispose()
