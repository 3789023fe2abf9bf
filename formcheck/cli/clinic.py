"""The clinic server's commands: ``serve``, ``users`` (accounts, invites, the audit log),
``backup`` and ``restore``. Passwords are read with a prompt (or $FORMCHECK_NEW_PASSWORD for
a new account, $FORMCHECK_PASSWORD to log in with --as), never from the command line, where
other users of the machine could read them."""

from __future__ import annotations

import argparse
import getpass
import os
from collections.abc import Callable
from typing import Any

from formcheck.core.errors import FormcheckError

NEW_PASSWORD_ENV = "FORMCHECK_NEW_PASSWORD"
SERVE_HELP = """\
Start the app. On 127.0.0.1 (the default) it is the app as at home (no login unless the
database has accounts). To serve a clinic on the network:

  formcheck users add-admin admin                      # the first administrator
  formcheck users add-therapist terry --as admin       # each therapist
  formcheck serve --address 0.0.0.0 --cert cert.pem --key key.pem

Beyond loopback it refuses to start without accounts and HTTPS (a certificate and its key,
e.g. from your clinic's CA or Let's Encrypt), and says what is missing. Behind a reverse proxy
that does TLS (Caddy, nginx), keep --address 127.0.0.1 and point the proxy at the port.
Therapists make a patient's one-time invite code with 'formcheck users invite NAME --as terry'
or in the app (Account tab). With the clinic's identity provider (OIDC) in
.streamlit/secrets.toml [auth], an administrator links each login to an account:
'formcheck users link-oidc terry --email terry@clinic.example --as admin' (see the README)."""


def _new_password(user: str) -> str:
    pw = os.environ.get(NEW_PASSWORD_ENV)
    if pw:
        return pw
    pw = getpass.getpass(f"new password for {user}: ")
    if getpass.getpass("again: ") != pw:
        raise FormcheckError("the two passwords differ; nothing was changed")
    return pw


def cmd_serve(a: argparse.Namespace) -> int:
    from formcheck.cli.serve import serve_command

    args, env = serve_command(a.address, a.port, a.cert, a.key, a.data_dir)
    # streamlit replaces this process: a service manager's stop signal reaches the server itself
    os.execve(args[0], args, env)


def cmd_users(a: argparse.Namespace) -> int:
    from formcheck.cli.access import database
    from formcheck.storage import accounts

    db = database(a)
    if a.action == "add-admin":
        who = accounts.create_admin(db, a.name, _new_password(a.name), a.display_name or "", actor=db.actor)
        print(f"administrator {a.name} created (account {who.user_id})")
    elif a.action == "add-therapist":
        who = accounts.create_therapist(db, _need(db.actor), a.name, _new_password(a.name), a.display_name or "")
        print(f"therapist {a.name} created (account {who.user_id})")
    elif a.action == "invite":
        code = accounts.create_invite(db, a.name)
        print(f"one-time invite code for {a.name}: {code} (the patient opens their account in the app with it; "
              f"valid 7 days)")
    elif a.action == "link-oidc":
        from formcheck.storage import oidc

        linked = oidc.link(db, _need(db.actor), a.name, email=a.email or "", issuer=a.issuer or "",
                           subject=a.subject or "")
        print(f"{a.name} now also logs in through the identity provider with this {linked}")
    elif a.action == "list":
        for x in accounts.accounts(db, _need(db.actor)):
            print(f"{x.role:<10} {x.username:<24} {x.display_name:<24} {x.patient}{'  LOCKED' if x.locked else ''}")
    elif a.action == "audit":
        from formcheck.storage import audit, repo

        pid = repo.patient_id(db, a.name) if a.name else None
        for e in audit.read(db, _need(db.actor), pid):
            print(f"{e.at.astimezone():%Y-%m-%d %H:%M:%S}  {e.actor:<20} {e.action:<16} {e.patient:<20} {e.detail}")
    return 0


def _need(actor: Any) -> Any:
    if actor is None:
        raise FormcheckError("this needs --as USERNAME (an account allowed to do it)")
    return actor


def cmd_export(a: argparse.Namespace) -> int:
    from formcheck.cli.access import database
    from formcheck.storage.patient_data import export_patient
    from formcheck.storage.profiles import store_for

    db = database(a)
    print(f"wrote {export_patient(db, store_for(a.data_dir, db), a.patient, a.output)}")
    return 0


def cmd_delete_patient(a: argparse.Namespace) -> int:
    from formcheck.cli.access import database
    from formcheck.storage.patient_data import delete_patient
    from formcheck.storage.profiles import store_for

    if not a.yes:
        raise FormcheckError(f"this deletes {a.patient} and all their data for good: add --yes "
                             "(export a copy first with formcheck export)")
    db = database(a)
    n = delete_patient(db, store_for(a.data_dir, db), a.patient)
    print(f"deleted {a.patient}: {n} sets, their programmes, profiles and account")
    return 0


def cmd_backup(a: argparse.Namespace) -> int:
    from formcheck.storage.backup import backup_now

    print(f"backed up to {backup_now(a.data_dir)}")
    return 0


def cmd_restore(a: argparse.Namespace) -> int:
    from formcheck.storage.backup import restore

    saved = restore(a.file, a.data_dir)
    print(f"restored {a.file}" + (f"; the database as it was is kept in {saved}" if saved else ""))
    return 0


def add_parsers(sub: Any, make: Callable[..., argparse.ArgumentParser], data_dir_help: str) -> None:
    sv = make(sub, "serve", help="start the app as a clinic server (login, HTTPS); see --help",
              description=SERVE_HELP)
    sv.add_argument("--address", default="127.0.0.1", help="bind address (beyond loopback: needs accounts and HTTPS)")
    sv.add_argument("--port", type=int, default=8501)
    sv.add_argument("--cert", help="TLS certificate (PEM) for HTTPS")
    sv.add_argument("--key", help="its private key (PEM)")
    sv.add_argument("--data-dir", help=data_dir_help)
    sv.set_defaults(func=cmd_serve)

    us = make(sub, "users", help="clinic accounts: add-admin, add-therapist, invite, link-oidc, list, audit")
    us.add_argument("action", choices=("add-admin", "add-therapist", "invite", "link-oidc", "list", "audit"))
    us.add_argument("name", nargs="?", default="",
                    help="the new account's username; for invite (and optionally audit) the patient's name")
    us.add_argument("--display-name", help="the name shown for a new account")
    us.add_argument("--email", help="link-oidc: the identity provider's (verified) e-mail address of this account")
    us.add_argument("--issuer", help="link-oidc: the provider's issuer URL (with --subject)")
    us.add_argument("--subject", help="link-oidc: the person's subject (sub claim) at that provider")
    us.add_argument("--as", dest="as_user", metavar="USERNAME",
                    help="act as this account (password from $FORMCHECK_PASSWORD or a prompt)")
    us.add_argument("--data-dir", help=data_dir_help)
    us.set_defaults(func=cmd_users)

    ex = make(sub, "export", help="everything of one patient as one zip (sets, reps, programmes, "
                                  "profiles, PDF report, JSON)")
    ex.add_argument("--patient", required=True)
    ex.add_argument("-o", "--output", required=True, help="the .zip to write")
    ex.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this account")
    ex.add_argument("--data-dir", help=data_dir_help)
    ex.set_defaults(func=cmd_export)
    dl = make(sub, "delete-patient", help="delete a patient with all their data (the audit log keeps "
                                          "'deleted patient')")
    dl.add_argument("--patient", required=True)
    dl.add_argument("--yes", action="store_true", help="yes, delete for good")
    dl.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this account")
    dl.add_argument("--data-dir", help=data_dir_help)
    dl.set_defaults(func=cmd_delete_patient)

    bk = make(sub, "backup", help="back up the SQLite database now (the last 7 are kept)")
    bk.add_argument("--data-dir", help=data_dir_help)
    bk.set_defaults(func=cmd_backup)
    rs = make(sub, "restore", help="replace the SQLite database with a backup (the current one is kept aside)")
    rs.add_argument("file", help="a backup file (formcheck backup prints where they are)")
    rs.add_argument("--data-dir", help=data_dir_help)
    rs.set_defaults(func=cmd_restore)
