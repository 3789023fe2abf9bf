"""``formcheck serve``: the Streamlit app as a clinic server. On loopback (the default) it is
the app as at home; beyond loopback it starts only with accounts in the database (an
administrator made with ``formcheck users add-admin``) and HTTPS (a certificate and its key),
and otherwise says in one line what is missing. Behind a reverse proxy that terminates TLS
(Caddy, nginx), listen on 127.0.0.1 and let the proxy face the network."""

from __future__ import annotations

import ipaddress
import os
import ssl
import sys
from pathlib import Path

from formcheck.core import config
from formcheck.core.errors import FormcheckError


def is_loopback(address: str) -> bool:
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip()).is_loopback
    except ValueError:
        return False   # a host name or "" (every interface): treat as reachable from outside


def check_cert(cert: str | None, key: str | None) -> str | None:
    """What is wrong with the certificate and key, or None when they load together."""
    if not cert or not key:
        return "HTTPS: give --cert FILE --key FILE (a browser gives camera access only on a secure origin)"
    for what, path in (("certificate", cert), ("key", key)):
        if not Path(path).is_file():
            return f"HTTPS: the {what} file {path} does not exist"
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError, ValueError) as e:
        return f"HTTPS: {cert} and {key} do not load as a certificate and its key ({e.__class__.__name__})"
    return None


def missing_for(address: str, cert: str | None, key: str | None, has_accounts: bool) -> list[str]:
    """What a server on ``address`` lacks (empty: it may start)."""
    if is_loopback(address):
        return [] if not (cert or key) else [m for m in [check_cert(cert, key)] if m]
    out = []
    if not has_accounts:
        out.append("authentication: no accounts in the database; create the first administrator with "
                   "'formcheck users add-admin USERNAME'")
    bad = check_cert(cert, key)
    if bad:
        out.append(bad)
    return out


def streamlit_args(address: str, port: int, cert: str | None, key: str | None) -> list[str]:
    args = [sys.executable, "-m", "streamlit", "run", str(config.PROJECT_ROOT / "streamlit_app.py"),
            "--server.address", address, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            "--server.runOnSave", "false", "--global.developmentMode", "false",
            "--server.enableXsrfProtection", "true",
            "--runner.postScriptGC", "false"]   # see .streamlit/config.toml
    if not is_loopback(address):
        # nobody outside sees a traceback (it may hold a file path or a name)
        args += ["--client.showErrorDetails", "none", "--browser.serverAddress", address]
    if cert and key:
        args += ["--server.sslCertFile", str(Path(cert).resolve()), "--server.sslKeyFile", str(Path(key).resolve())]
    return args


def serve_command(address: str, port: int, cert: str | None, key: str | None,
                  data_dir: str | None) -> tuple[list[str], dict[str, str]]:
    """The streamlit command and its environment; raises FormcheckError naming what is missing."""
    from formcheck.storage import open_database

    env = dict(os.environ)
    if data_dir:
        env["FORMCHECK_HOME"] = str(Path(data_dir).expanduser().resolve())
    if is_loopback(address):
        missing = missing_for(address, cert, key, False)
    else:
        db = open_database(data_dir)
        try:
            missing = missing_for(address, cert, key, db.has_accounts())
        finally:
            db.dispose()
    if not is_loopback(address):
        env["FORMCHECK_CLINIC"] = "1"   # the app asks for a login even if the database cannot be read
    if missing:
        raise FormcheckError(f"not listening on {address or 'every interface'}: missing " + "; and ".join(missing))
    return streamlit_args(address, port, cert, key), env
