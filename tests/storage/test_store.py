"""Per-patient store: sanitised folders, versioned atomic profile saves (a kill mid-save
loses nothing), refusal to replace a broken profile, saved sessions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from formcheck.core.errors import DefinitionError, FormcheckError
from formcheck.rules.profile import Bounds, Profile, load_profile
from formcheck.storage.store import Store, patient_key, profile_toml

ROOT = Path(__file__).resolve().parents[2]


def prof(patient="Jane Doe", lo=160.0, **kw) -> Profile:
    return Profile(exercise="bridge", definition_version="1.0", patient=patient,
                   thresholds={"hips_too_low": Bounds(min=lo)}, **kw)


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c", "..", "/abs/path", "con", "x" * 80, "Zoë Ñ"])
def test_patient_key_cannot_escape_the_folder(name, tmp_path):
    key = patient_key(name)
    assert "/" not in key and "\\" not in key and ".." not in key and key.strip("-") == key
    path = Store(tmp_path).profile_path(name, "bridge")
    assert path.resolve().is_relative_to(tmp_path.resolve())


@pytest.mark.parametrize("a,b,same", [
    ("Jane Doe", "jane   doe", True),      # case and spacing do not make another patient
    ("Jane Doe", "Jane-Doe", False),       # different names never share a folder...
    ("Jane/Doe", "Jane Doe", False),       # ...even when their slugs look alike
])
def test_patient_keys_separate_patients(a, b, same):
    assert (patient_key(a) == patient_key(b)) is same


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81])
def test_bad_patient_names_are_refused(bad):
    with pytest.raises(FormcheckError):
        patient_key(bad)


def test_saves_are_versioned_and_keep_the_previous(tmp_path):
    store = Store(tmp_path)
    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    v1 = store.save(prof(lo=160), now=t1)
    v2 = store.save(prof(lo=165), now=t2)
    assert (v1.version, v2.version) == (1, 2)
    cur = store.load("jane doe", "bridge")
    assert cur is not None and cur.version == 2 and cur.thresholds["hips_too_low"].min == 165
    hist = store.history("Jane Doe", "bridge")
    assert [h.version for h in hist] == [1]
    assert load_profile(hist[0].path).thresholds["hips_too_low"].min == 160
    assert store.patients() == ["Jane Doe"]


def test_a_broken_profile_is_reported_never_replaced(tmp_path):
    store = Store(tmp_path)
    path = store.save(prof()).path
    path.write_text('exercise = "bridge"\ndefinition_version = "1.0"\n[thresholds.hips_too_low]\nmin = "high"\n')
    before = path.read_bytes()
    with pytest.raises(DefinitionError, match="hips_too_low"):
        store.save(prof(lo=150))
    assert path.read_bytes() == before


def test_profile_toml_round_trips(tmp_path):
    p = prof(note='says "ouch" at the top', hold_target_s=3.0)
    f = tmp_path / "p.toml"
    f.write_text(profile_toml(p))
    assert load_profile(f) == p


def test_sessions_are_saved_per_patient(tmp_path):
    path = Store(tmp_path).save_session("Jane Doe", "bridge", {"schema": 1, "rep_count": 3})
    assert path.parent.name == patient_key("Jane Doe") and json.loads(path.read_text())["rep_count"] == 3
    with pytest.raises(DefinitionError):
        Store(tmp_path).save_session("Jane", "../evil", {})


WRITER = """
import sys
from formcheck.rules.profile import Bounds, Profile
from formcheck.storage.store import Store
store = Store(sys.argv[1])
i = 0
while True:
    i += 1
    store.save(Profile(exercise="bridge", definition_version="1.0", patient="Kill Test",
                       note="x" * 20000, thresholds={"hips_too_low": Bounds(min=100 + i % 60)}))
    print(i, flush=True)
"""


def test_killing_a_writer_mid_save_loses_nothing(tmp_path):
    """SIGKILL a process that saves profiles back to back, 8 times at different moments:
    the current profile and every history file stay valid, versions only go up."""
    store = Store(tmp_path)
    last_version = 0
    for k in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE,
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.stdout is not None
        proc.stdout.readline()                    # at least one save finished
        time.sleep(0.01 * k)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        cur = store.load("Kill Test", "bridge")   # raises if half-written
        assert cur is not None and cur.version > last_version
        last_version = cur.version
    for h in store.history("Kill Test", "bridge"):
        load_profile(h.path)
    leftovers = [p for p in tmp_path.rglob(".*") if p.is_file()]
    assert len(leftovers) <= 8   # at most one temp file per kill, never mistaken for a profile


def test_the_profile_files_load_without_the_database():
    """`formcheck analyze` reads profile files through storage.store; the storage package must
    not bring SQLAlchemy with it (about 0.3 s of CPU on every clip's command)."""
    code = ("import sys; import formcheck.storage.store, formcheck.cli.access, formcheck.run.pipeline; "
            "print('sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
    from formcheck.storage import Database, open_database  # still there when asked for

    assert Database.__module__ == "formcheck.storage.database" and callable(open_database)
