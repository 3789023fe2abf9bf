"""The login gate of clinic mode (a database with accounts, or a server started by
``formcheck serve`` beyond loopback): log in, or open a patient account with an invite code
(``?invite=CODE`` in the link fills it in), or, when .streamlit/secrets.toml has an ``[auth]``
section, through the clinic's identity provider (st.login; formcheck.storage.oidc maps the identity
to the account an administrator linked it to). The session token lives in this browser tab's
server-side state only; formcheck.storage.auth checks it, and its expiry, on every run."""

from __future__ import annotations

import os

import streamlit as st

from formcheck.cli.serve import is_loopback
from formcheck.core.errors import FormcheckError
from formcheck.storage import Database, accounts, auth, oidc
from formcheck.storage.access import Actor
from formcheck.ui.live_browser import forget_socket_tokens

TOKEN = "fc_session_token"
CLINIC_ENV = "FORMCHECK_CLINIC"   # set by formcheck serve beyond loopback: login even if the db is down


def clinic_mode(db: Database | None) -> bool:
    if os.environ.get(CLINIC_ENV) == "1":
        return True
    try:
        return db is not None and db.has_accounts()
    except FormcheckError:
        return True   # cannot tell: fail closed


def exposure_problem(has_accounts: bool) -> str | None:
    """Started with ``streamlit run --server.address`` beyond loopback, without what
    ``formcheck serve`` would have asked for."""
    address = str(st.get_option("server.address") or "")
    if is_loopback(address):
        return None
    if not has_accounts:
        return (f"This server listens on {address or 'every interface'} but has no accounts: "
                "create an administrator (formcheck users add-admin NAME) and start it with formcheck serve.")
    if not st.get_option("server.sslCertFile"):
        return (f"This server listens on {address or 'every interface'} without HTTPS: start it with "
                "formcheck serve --cert FILE --key FILE (or behind a TLS reverse proxy on 127.0.0.1).")
    return None


def gate(db: Database) -> Actor | None:
    """The logged-in actor, or None after showing the login form (the caller stops)."""
    token = st.session_state.get(TOKEN)
    if isinstance(token, str):
        who = auth.resume(db, token)
        if who is not None:
            return who
        del st.session_state[TOKEN]
        st.info("Your session has ended: please log in again.")
    if oidc_configured() and _provider_login(db):
        return None
    _login_form(db)
    _invite_form(db)
    return None


def oidc_configured() -> bool:
    """An ``[auth]`` section in .streamlit/secrets.toml: the clinic's identity provider."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:   # no secrets file (Streamlit's StreamlitSecretNotFoundError is one)
        return False


def _provider_login(db: Database) -> bool:
    """Log in through st.login (OIDC): True when it reran or stopped the page (the caller
    shows nothing more); False to show the password form under the provider's button."""
    if not st.user.get("is_logged_in"):
        if st.button("Log in with the clinic's identity provider", key="oidc_login"):
            st.login()   # to the provider and back to this page, logged in there
        return False
    try:
        token, _ = oidc.login(db, st.user.to_dict())
    except FormcheckError as e:
        st.error(str(e))
        if st.button("Log out of the identity provider", key="oidc_logout"):
            st.logout()
        return True
    st.session_state[TOKEN] = token
    st.rerun()
    return True   # not reached: st.rerun ends the run


def _login_form(db: Database) -> None:
    st.title("formcheck")
    with st.form("login"):
        st.subheader("Log in")
        user = st.text_input("Username", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        if st.form_submit_button("Log in"):
            try:
                token, _ = auth.login(db, user, password)
            except FormcheckError as e:
                st.error(str(e))
                return
            st.session_state[TOKEN] = token
            st.rerun()


def _invite_form(db: Database) -> None:
    invite = st.query_params.get("invite", "")
    title = "New patient? Open your account with the code from your therapist"
    with st.expander(title, expanded=bool(invite)), st.form("invite"):
        code = st.text_input("Invite code", value=str(invite)[:40], key="invite_code")
        user = st.text_input("Choose a username", key="invite_user")
        pw = st.text_input("Choose a password (10 characters or more)", type="password", key="invite_pw")
        again = st.text_input("The password again", type="password", key="invite_pw2")
        if st.form_submit_button("Open my account"):
            if pw != again:
                st.error("The two passwords differ.")
                return
            try:
                accounts.redeem_invite(db, code, user, pw)
                token, _ = auth.login(db, user, pw)
            except FormcheckError as e:
                st.error(str(e))
                return
            st.session_state[TOKEN] = token
            st.query_params.clear()
            st.rerun()


def logout_button(db: Database, who: Actor) -> None:
    st.sidebar.caption(f"Logged in as {who.name} ({who.role})")
    if st.sidebar.button("Log out", key="logout"):
        token = st.session_state.pop(TOKEN, None)
        if isinstance(token, str):
            auth.logout(db, token)
        forget_socket_tokens()   # an open landmark socket of this session closes too
        if oidc_configured() and st.user.get("is_logged_in"):
            st.logout()   # else the provider's cookie would log straight back in
        st.rerun()
