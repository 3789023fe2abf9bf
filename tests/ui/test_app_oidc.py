"""The login gate with an identity provider configured (AppTest: ``at.secrets`` holds the
``[auth]`` section, ``at.user`` what st.user says after st.login came back): a linked identity
opens the app as its account; an unlinked or stale one opens nothing. The redirect to a real
provider and back is the browser test's (tests/ui/test_browser_oidc.py)."""

from __future__ import annotations

import test_app_roles
from test_app_roles import _text

from formcheck.storage import auth, oidc, open_database
from formcheck.ui.roles import PAGES

clinic_app = test_app_roles.clinic_app   # the same clinic fixture
ISS = "https://idp.clinic.example"
AUTH = {"auth": {"redirect_uri": "https://127.0.0.2:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "formcheck", "client_secret": "s",
                 "server_metadata_url": f"{ISS}/.well-known/openid-configuration"}}


def _link(home) -> None:
    db = open_database(home)
    with db.session() as s:
        from formcheck.storage.account_models import User

        admin = auth.actor_of(s.query(User).filter_by(username="admin").one())
    oidc.link(db, admin, "terry", issuer=ISS, subject="terry-1")
    db.dispose()


def _provider_user(sub: str, age_s: int = 60) -> dict:
    return {"is_logged_in": True, "iss": ISS, "sub": sub, "iat": int(auth.now().timestamp()) - age_s}


def test_the_provider_button_shows_with_the_password_form(clinic_app):
    at = clinic_app(None)
    at.secrets = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.tabs
    assert [b for b in at.button if b.key == "oidc_login"]
    assert [t for t in at.text_input if t.key == "login_password"]   # passwords still work


def test_no_provider_button_without_an_auth_section(clinic_app):
    at = clinic_app(None).run()
    assert not at.exception and not [b for b in at.button if b.key == "oidc_login"]


def test_a_linked_identity_opens_its_account(clinic_app, tmp_path):
    at = clinic_app(None)
    _link(tmp_path)
    at.secrets = AUTH
    at.user = _provider_user("terry-1")
    at.run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == list(PAGES)
    assert "Logged in as Terry Therapist (therapist)" in "\n".join(str(c.value) for c in at.sidebar.caption)


def test_an_unlinked_or_stale_identity_opens_nothing(clinic_app, tmp_path):
    _link(tmp_path)
    for user, says in ((_provider_user("someone-else"), "not linked to a formcheck account"),
                       (_provider_user("terry-1", age_s=13 * 3600), "log in again")):
        at = clinic_app(None)
        at.secrets = AUTH
        at.user = user
        at.run()
        assert not at.exception, at.exception
        assert not at.tabs and says in _text(at)
        assert [b for b in at.button if b.key == "oidc_logout"]
