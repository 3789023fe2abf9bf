"""Logging for the command line, set up in one place, and MediaPipe's native chatter kept off
the terminal.

MediaPipe's C++ side (LiteRT, XNNPACK, glog) writes about 100 lines to file descriptor 2 for
one landmarker: model loading, accelerator registration, alignment warnings, teardown. No
environment variable silences all of them, and they come from native threads at any time
(creation, first frame, close). So, unless asked to be verbose, the command line points fd 2
at /dev/null for the whole command and gives Python's own ``sys.stderr`` (errors, warnings,
the progress bar) a private copy of the real stderr.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Iterator
from typing import TextIO

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


@contextlib.contextmanager
def cli_logging(verbose: bool) -> Iterator[None]:
    """Python logging at INFO (verbose) or WARNING to stderr; native stderr silenced unless
    ``verbose``. Restores file descriptor 2 and ``sys.stderr`` on exit."""
    os.environ.setdefault("GLOG_minloglevel", "0" if verbose else "2")
    if verbose:
        _configure(logging.INFO, sys.stderr)
        yield
        return
    with _native_stderr_to_devnull() as stderr:
        _configure(logging.WARNING, stderr)
        yield


def _configure(level: int, stream: TextIO) -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_formcheck", False):
            root.removeHandler(h)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler._formcheck = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


@contextlib.contextmanager
def _native_stderr_to_devnull() -> Iterator[TextIO]:
    try:
        sys.stderr.flush()
        real = sys.stderr.fileno() == 2
        saved = os.dup(2) if real else -1
    except (OSError, ValueError, AttributeError):
        real = False
    if not real:   # stderr already redirected in Python (a test, an embedding): leave fd 2 alone
        yield sys.stderr
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    old_stderr = sys.stderr
    ours = io.TextIOWrapper(os.fdopen(os.dup(saved), "wb", buffering=0), write_through=True,
                            encoding=getattr(old_stderr, "encoding", None) or "utf-8", errors="replace")
    try:
        os.dup2(devnull, 2)
        sys.stderr = ours
        yield ours
    finally:
        with contextlib.suppress(Exception):
            ours.flush()
        sys.stderr = old_stderr
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
        with contextlib.suppress(Exception):
            ours.close()
