"""Accounts, login, lockout, sessions and invites on SQLite and the real PostgreSQL."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from clinic import PW, make_clinic

from formcheck.core import config
from formcheck.core.errors import FormcheckError
from formcheck.storage import Database, accounts, auth
from formcheck.storage.access import AccessDenied


def test_login_success_and_failure(db, caplog):
    caplog.set_level(logging.DEBUG)
    c = make_clinic(db)
    token, who = auth.login(db, "TERRY", PW)            # usernames are case-insensitive
    assert who == c.therapist and auth.resume(db, token) == c.therapist
    for user, pw in (("terry", PW + "x"), ("nobody", PW), ("", ""), ("terry", "")):
        with pytest.raises(auth.LoginFailed, match=r"^wrong username or password$"):
            auth.login(db, user, pw)   # the same message whether or not the account exists
    logged = caplog.text
    assert PW not in logged and token not in logged


def test_stored_passwords_are_argon2id_and_tokens_only_hashed(db):
    from sqlalchemy import text

    make_clinic(db)
    token, _ = auth.login(db, "ann", PW)
    with db.engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(text("SELECT password_hash FROM users"))]
        stored = [r[0] for r in conn.execute(text("SELECT token_hash FROM auth_sessions"))]
    assert hashes and all(h.startswith("$argon2id$") and PW not in h for h in hashes)
    assert token not in stored and len(stored[0]) == 64


def test_lockout_with_back_off_then_success(db):
    make_clinic(db)
    t0 = auth.now()
    for i in range(config.LOCKOUT_AFTER_FAILURES):
        with pytest.raises(auth.LoginFailed) as e:
            auth.login(db, "bob", "wrong password!", at=t0)
        locked = i == config.LOCKOUT_AFTER_FAILURES - 1
        assert ("locked for 30 s" in str(e.value)) == locked
    with pytest.raises(auth.LoginFailed, match="too many failed logins"):
        auth.login(db, "bob", PW, at=t0 + timedelta(seconds=10))   # even the right password waits
    with pytest.raises(auth.LoginFailed, match="locked for 60 s"):   # the next failure doubles it
        auth.login(db, "bob", "wrong password!", at=t0 + timedelta(seconds=31))
    with pytest.raises(auth.LoginFailed, match="too many failed logins"):
        auth.login(db, "bob", PW, at=t0 + timedelta(seconds=31 + 50))
    _, who = auth.login(db, "bob", PW, at=t0 + timedelta(seconds=31 + 61))
    assert who.role == "patient"
    with pytest.raises(auth.LoginFailed, match=r"^wrong username or password$"):   # the count restarted
        auth.login(db, "bob", "wrong password!", at=t0 + timedelta(seconds=100))
    assert auth.lockout_s(1000) == config.LOCKOUT_MAX_S


def test_sessions_expire_idle_and_absolute_and_logout(db):
    c = make_clinic(db)
    t0 = auth.now()
    token, _ = auth.login(db, "ann", PW, at=t0)
    step = timedelta(seconds=config.SESSION_IDLE_S - 60)
    assert auth.resume(db, token, t0 + step) == c.ann          # in use: the idle limit moves on
    assert auth.resume(db, token, t0 + 2 * step) == c.ann
    assert auth.resume(db, token, t0 + 3 * step + timedelta(seconds=config.SESSION_IDLE_S)) is None   # idle
    assert auth.resume(db, token, t0 + 2 * step) is None        # and removed, not revived
    token, _ = auth.login(db, "ann", PW, at=t0)
    t = t0
    while t < t0 + timedelta(seconds=config.SESSION_MAX_S - step.total_seconds()):
        t += step
        assert auth.resume(db, token, t) == c.ann
    assert auth.resume(db, token, t0 + timedelta(seconds=config.SESSION_MAX_S)) is None   # absolute
    token, _ = auth.login(db, "ann", PW)
    auth.logout(db, token)
    assert auth.resume(db, token) is None


@pytest.mark.parametrize("bad", ["", "x" * 10_000, "' OR 1=1 --", "\x00\n", "Ωmega🙂"])
def test_a_tampered_or_made_up_token_is_nobody(db, bad):
    make_clinic(db)
    token, _ = auth.login(db, "ann", PW)
    assert auth.resume(db, bad) is None
    assert auth.resume(db, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert auth.resume(db, token) is not None   # the real one still works


def test_invite_used_once_expires_and_links_the_patient(db):
    from formcheck.storage import repo

    c = make_clinic(db)
    code = accounts.create_invite(db, "Dee Patient", actor=c.therapist)
    assert len(code) == 14 and code.count("-") == 2
    who = accounts.redeem_invite(db, code.lower().replace("-", " "), "dee", PW)   # as typed from paper
    assert who.role == "patient" and repo.patients(db, actor=who) == ["Dee Patient"]
    with pytest.raises(FormcheckError, match="not valid"):
        accounts.redeem_invite(db, code, "dee2", PW)
    with pytest.raises(FormcheckError, match="already has an account"):
        accounts.create_invite(db, "Dee Patient", actor=c.therapist)
    with pytest.raises(AccessDenied, match="not for your account"):   # another therapist's patient
        accounts.create_invite(db, c.cy_name, actor=c.therapist)
    with pytest.raises(AccessDenied):
        accounts.create_invite(db, "Eve Patient", actor=c.ann)          # a patient cannot invite
    code = accounts.create_invite(db, "Eve Patient", actor=c.therapist)
    with pytest.raises(FormcheckError, match="taken"):                  # the code stays unused
        accounts.redeem_invite(db, code, "ann", PW)
    with pytest.raises(FormcheckError, match="at least 10"):
        accounts.redeem_invite(db, code, "eve", "short")
    from sqlalchemy import update

    from formcheck.storage.account_models import Invite

    with db.session() as s:
        s.execute(update(Invite).values(expires_at=auth.now() - timedelta(seconds=1)))
        s.commit()
    with pytest.raises(FormcheckError, match="not valid"):
        accounts.redeem_invite(db, code, "eve", PW)


@pytest.mark.parametrize("username", ["a b", "ab", "x" * 81, "'; DROP TABLE users; --", "<script>", ""])
def test_bad_usernames_are_refused_clearly(db, username):
    c = make_clinic(db)
    with pytest.raises(FormcheckError, match="3-80 letters"):
        accounts.create_therapist(db, c.admin, username, PW)
    assert len(accounts.accounts(db, c.admin)) == 5


def test_unicode_and_long_display_names(db):
    c = make_clinic(db)
    who = accounts.create_therapist(db, c.admin, "zoë.müller@clinic", PW, "Zoë Müller-Łukasiewicz 🙂")
    assert who.name == "Zoë Müller-Łukasiewicz 🙂"
    assert auth.login(db, "ZOË.MÜLLER@clinic", PW)[1] == who
    with pytest.raises(FormcheckError, match="at most 80"):
        accounts.create_therapist(db, c.admin, "long", PW, "n" * 81)
    with pytest.raises(FormcheckError, match="at most 256"):
        accounts.create_therapist(db, c.admin, "longpw", "p" * 257)


def test_only_an_admin_makes_therapists_and_later_admins(db):
    c = make_clinic(db)
    for who in (c.therapist, c.ann):
        with pytest.raises(AccessDenied):
            accounts.create_therapist(db, who, "sneaky", PW)
        with pytest.raises(AccessDenied):
            accounts.create_admin(db, "sneaky", PW, actor=who)
    with pytest.raises(AccessDenied):
        accounts.create_admin(db, "sneaky", PW)
    assert accounts.create_admin(db, "second", PW, actor=c.admin).role == "admin"
    with pytest.raises(AccessDenied):
        accounts.accounts(db, c.therapist)


def test_production_hash_cost_round_trip(tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr(auth, "_hasher", PasswordHasher)   # the real default parameters, once
    d = Database(f"sqlite:///{tmp_path / 'f.db'}")
    accounts.create_admin(d, "admin", PW)
    assert auth.login(d, "admin", PW)[1].role == "admin"
    d.dispose()


def _lockout_messages(db: Database, username: str) -> list[str]:
    """What a guesser sees trying one username: failures until locked, a try while locked,
    the doubled lock, and a try once that has run out."""
    t0, out = auth.now(), []
    tries = [(t0, "wrong password!")] * config.LOCKOUT_AFTER_FAILURES + [
        (t0 + timedelta(seconds=10), PW), (t0 + timedelta(seconds=31), "wrong password!"),
        (t0 + timedelta(seconds=31 + 50), PW), (t0 + timedelta(seconds=31 + 61), "wrong password!")]
    for at, pw in tries:
        with pytest.raises(auth.LoginFailed) as e:
            auth.login(db, username, pw, at=at)
        out.append(str(e.value))
    return out


def test_the_lockout_does_not_reveal_whether_an_account_exists(db):
    """A username with no account backs off like an account, with the very same messages;
    one locked username locks no other."""
    c = make_clinic(db)
    with db.session() as s:   # the account's right password would end the sequence: a disabled account
        from formcheck.storage.account_models import User

        s.query(User).filter_by(username="bob").update({"disabled": True})
        s.commit()
    known = _lockout_messages(db, "ann")   # an account, wrong password each time (no right one sent)
    assert known[config.LOCKOUT_AFTER_FAILURES - 1].endswith("locked for 30 s")
    assert "too many failed logins" in known[config.LOCKOUT_AFTER_FAILURES]
    for other in ("nobody", "bob", "x"):   # unknown, disabled, not even a valid username
        assert _lockout_messages(db, other) == known, other
    with pytest.raises(auth.LoginFailed, match=r"^wrong username or password$"):
        auth.login(db, "somebody-else", "wrong password!")
    assert auth.login(db, "terry", PW)[1] == c.therapist
