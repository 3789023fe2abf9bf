"""Fixtures for the clinic-server tests: a database of each kind (SQLite, the real PostgreSQL
of tests/dbserver.py) with a cheap Argon2id cost (the production cost takes ~0.6 s a hash on
these 2 shared cores; the algorithm and code paths are the same)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from dbserver import fresh_database_url

from formcheck.storage import Database, accounts, auth, repo
from formcheck.storage.access import Actor

PW = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    base = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    d = Database(fresh_database_url(request.param, tmp_path, base))
    yield d
    d.dispose()


@dataclass
class Clinic:
    db: Database
    admin: Actor
    therapist: Actor
    other_therapist: Actor
    ann: Actor        # patient account of "Ann Patient" (the therapist's)
    bob: Actor        # patient account of "Bob Patient" (the therapist's too)
    cy_name: str      # the other therapist's patient (no account)


def make_clinic(db: Database) -> Clinic:
    admin = accounts.create_admin(db, "admin", PW, "Clinic Admin")
    t = accounts.create_therapist(db, admin, "terry", PW, "Terry Therapist")
    t2 = accounts.create_therapist(db, admin, "tina", PW, "Tina Therapist")
    people = {}
    for name, user in (("Ann Patient", "ann"), ("Bob Patient", "bob")):
        code = accounts.create_invite(db, name, actor=t)
        people[user] = accounts.redeem_invite(db, code, user, PW)
    repo.ensure_patient(db, "Cy Patient", actor=t2)
    return Clinic(db, admin, t, t2, people["ann"], people["bob"], "Cy Patient")
