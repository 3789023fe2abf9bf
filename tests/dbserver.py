"""A throwaway PostgreSQL server on loopback for the storage tests (Debian's package; the test
is skipped with the reason when it is not installed). PostgreSQL refuses to run as root, so
as root the cluster belongs to the ``postgres`` user."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster on 127.0.0.1:<free port>; yield a SQLAlchemy URL; stop and remove it."""
    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    root = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="formcheck-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if root else []
    if root:
        shutil.chown(base, "postgres")
    data, port = base / "data", _free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    try:
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "formcheck"],
                       **run)  # type: ignore[call-overload]
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                        "-o", f"-k {base} -h 127.0.0.1 -p {port}", "start"], **run)  # type: ignore[call-overload]
        yield f"postgresql+psycopg://formcheck@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """The URL of a PostgreSQL server started for the test module (every storage test's one
    fixture for it, through conftest); skipped with the reason where PostgreSQL is absent."""
    if pg_bin() is None:
        pytest.skip("PostgreSQL not installed here (./install.sh --dev installs it)")
    with postgres_server() as url:
        yield url


def fresh_database_url(kind: str, tmp_path: Path, pg_base: str | None) -> str:
    """A new empty database: SQLite in tmp_path, or a new database on the PostgreSQL server."""
    import time

    from sqlalchemy import text

    from formcheck.storage import Database

    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'formcheck.db'}"
    assert pg_base is not None
    name = f"t{os.getpid()}_{time.monotonic_ns()}"
    admin = Database(pg_base, migrate=False)
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg_base.rsplit("/", 1)[0] + "/" + name
