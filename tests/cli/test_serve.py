"""formcheck serve: refuses to listen beyond loopback without accounts and HTTPS (one line
saying what is missing), starts streamlit over HTTPS when both are there, and --help says how."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from certs import self_signed
from clinic import PW

from formcheck.cli.main import main
from formcheck.cli.serve import is_loopback, missing_for, serve_command
from formcheck.storage import accounts, open_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("address", "loop"), [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                               ("localhost", True), ("0.0.0.0", False), ("", False),
                                               ("192.168.1.10", False), ("clinic.lan", False)])
def test_loopback_addresses(address, loop):
    assert is_loopback(address) is loop


def test_beyond_loopback_without_accounts_or_https_is_refused_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    base = ["--address", "0.0.0.0", "--data-dir", str(tmp_path)]
    assert main(["serve", *base]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "authentication" in err and "--cert FILE --key FILE" in err
    db = open_database(tmp_path)
    accounts.create_admin(db, "admin", PW)
    db.dispose()
    assert main(["serve", *base]) == 2
    err = capsys.readouterr().err.strip()
    assert "authentication" not in err and "HTTPS" in err
    (tmp_path / "cert.pem").write_text("not a certificate")
    (tmp_path / "key.pem").write_text("nor a key")
    assert main(["serve", *base, "--cert", str(tmp_path / "cert.pem"), "--key", str(tmp_path / "key.pem")]) == 2
    assert "do not load as a certificate" in capsys.readouterr().err
    cert, key = self_signed(tmp_path)
    args, env = serve_command("0.0.0.0", 8599, str(cert), str(key), str(tmp_path))
    assert args[args.index("--server.sslCertFile") + 1] == str(cert.resolve())
    assert args[args.index("--server.address") + 1] == "0.0.0.0" and env["FORMCHECK_HOME"] == str(tmp_path)
    assert "--client.showErrorDetails" in args


def test_loopback_needs_nothing(tmp_path):
    assert missing_for("127.0.0.1", None, None, False) == []
    args, _ = serve_command("127.0.0.1", 8599, None, None, str(tmp_path))
    assert "--server.sslCertFile" not in args and args[args.index("--server.address") + 1] == "127.0.0.1"
    assert not (tmp_path / "formcheck.db").exists()   # the home app opens nothing to start


def test_serve_help_says_how_to_start_a_clinic_server(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    for expect in ("users add-admin", "add-therapist", "--cert", "--key", "reverse proxy", "invite"):
        assert expect in out, expect


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def test_serve_starts_streamlit_over_https_on_another_loopback_address(tmp_path, monkeypatch):
    """A real server on 127.0.0.2 with a certificate made here answers over HTTPS only."""
    monkeypatch.delenv("FORMCHECK_DATABASE_URL", raising=False)
    host = "127.0.0.2"
    db = open_database(tmp_path)
    accounts.create_admin(db, "admin", PW)
    db.dispose()
    cert, key = self_signed(tmp_path, host)
    port = _free_port(host)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen([sys.executable, "-m", "formcheck", "serve", "--address", host, "--port", str(port),
                          "--cert", str(cert), "--key", str(key), "--data-dir", str(tmp_path)],
                         env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ctx = ssl.create_default_context(cafile=str(cert))
        body = ""
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"https://{host}:{port}/_stcore/health", context=ctx, timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body == "ok"
        with pytest.raises(OSError):   # plain HTTP is not served
            urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=5).read()
    finally:
        p.terminate()
        p.wait(30)
