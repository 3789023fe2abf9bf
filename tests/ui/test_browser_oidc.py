"""st.login in a real browser against a real OpenID Connect provider on loopback
(oidc-provider-mock, offline): the therapist clicks 'Log in with the clinic's identity
provider', authorises as their subject at the provider, comes back logged in as the account an
administrator linked that subject to; an unlinked subject comes back to a refusal."""

from __future__ import annotations

import json
import re
import urllib.request

import browser as browser_helpers
import pytest
from browser import CHROMIUM, CHROMIUM_FLAGS, running_app
from clinic import PW
from test_browser import browser  # noqa: F401  (fixture)

from formcheck.storage import accounts, oidc, open_database

pytestmark = [pytest.mark.browser]


def _authorise(pw, url: str, sub: str):  # type: ignore[no-untyped-def]
    chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Log in with the clinic's identity provider").click(timeout=90_000)
    page.locator("input[name=sub]").first.fill(sub, timeout=30_000)     # the provider's own page
    page.get_by_role("button", name="Authorize").click()
    return chromium, page


def test_a_linked_provider_identity_logs_in_through_st_login(browser, tmp_path, monkeypatch):  # noqa: F811
    mock = pytest.importorskip("oidc_provider_mock")
    pytest.importorskip("authlib")
    db = open_database(tmp_path)
    admin = accounts.create_admin(db, "admin", PW)
    accounts.create_therapist(db, admin, "terry", PW, "Terry Therapist")
    port = browser_helpers.free_port()
    monkeypatch.setattr(browser_helpers, "free_port", lambda: port)   # the redirect URI needs the port
    with mock.run_server_in_thread() as idp:
        meta_url = f"http://localhost:{idp.server_port}/.well-known/openid-configuration"
        with urllib.request.urlopen(meta_url, timeout=10) as r:
            issuer = json.load(r)["issuer"]
        oidc.link(db, admin, "terry", issuer=issuer, subject="terry-at-idp")
        db.dispose()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
                           f'cookie_secret = "{"k" * 40}"\nclient_id = "formcheck"\nclient_secret = "s3cret"\n'
                           f'server_metadata_url = "{meta_url}"\n')
        with running_app(tmp_path, extra=("--secrets.files", str(secrets))) as url:
            chromium, page = _authorise(browser, url, "terry-at-idp")
            try:
                page.get_by_text(re.compile("Logged in as Terry Therapist")).first.wait_for(timeout=60_000)
                assert page.get_by_role("tab", name="Programme").count() == 1
            finally:
                chromium.close()
            chromium, page = _authorise(browser, url, "somebody-else")
            try:
                page.get_by_text(re.compile("not linked to a formcheck account")).first.wait_for(timeout=60_000)
                assert page.get_by_role("tab", name="Programme").count() == 0
            finally:
                chromium.close()
