"""Opening the database in a new process, as every `formcheck history` does: a database already
at this formcheck's schema is read without Alembic (about 0.2 s of CPU per command) or SQLAlchemy
(storage/read_only.py: ~0.35 s more), and an older one is still migrated, keeping what it holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from formcheck.engine.reps import Rep
from formcheck.storage import Database, open_database, repo
from formcheck.storage.database import HEAD, _alembic_config

ROOT = Path(__file__).resolve().parents[2]
HISTORY = """
import sys
from formcheck.cli.main import main
rc = main(["history", "--patient", "Ann Old", "--data-dir", sys.argv[1]])
print("ALEMBIC", "alembic" in sys.modules, "SQLALCHEMY", "sqlalchemy" in sys.modules, "RC", rc)
"""


def _history(data_dir: Path) -> tuple[str, bool, bool]:
    """`formcheck history` of Ann Old in a new process: (its output, whether Alembic and
    SQLAlchemy were loaded)."""
    out = subprocess.run([sys.executable, "-c", HISTORY, str(data_dir)], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    last = out.strip().splitlines()[-1].split()
    assert last[-1] == "0", out
    return out, last[1] == "True", last[3] == "True"


def _a_set(data_dir: Path) -> None:
    db = open_database(data_dir)
    sid = repo.start_set(db, "Ann Old", "bridge", "clip", "1.1")
    repo.add_rep(db, sid, Rep(1, None, 0.0, 1000.0, 2000.0, 400.0, ["hips_too_low"],
                              key_angles={"hip_extension_deg": 160.0}))
    repo.finish_set(db, sid, {"faults": {"hips_too_low": 1}})
    db.dispose()


def test_a_database_at_the_head_opens_without_alembic(tmp_path):
    _a_set(tmp_path)
    out, alembic, sqla = _history(tmp_path)
    assert "reps   1  good   0  faults: hips_too_low x1" in out
    assert not alembic, "a database at the head revision loaded Alembic"
    assert not sqla, "reading a database at the head revision loaded SQLAlchemy (the quick read)"


def test_an_older_database_is_still_migrated_and_keeps_its_sets(tmp_path):
    from alembic import command

    _a_set(tmp_path)
    old = Database(data_dir=tmp_path, migrate=False)
    with old.engine.begin() as conn:   # back to the revision before the head: its table goes
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
    with old.engine.connect() as c:
        before = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert before is not None and before != HEAD
    out, alembic, _ = _history(tmp_path)
    assert alembic, "the migration needs Alembic"
    assert "reps   1  good   0  faults: hips_too_low x1" in out   # the set is still there
    with old.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    old.dispose()
    assert not _history(tmp_path)[1]   # migrated once: the next command is quick again
