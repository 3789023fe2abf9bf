"""Atomic file writes: a reader (or a crash) sees the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success fsync it and rename it over
    ``target``; on any exception delete it and leave ``target`` untouched.

    The temp file keeps ``target``'s suffix by default because some writers (numpy, PyAV)
    choose the format from the file name.

    A ``target`` that exists and is not a regular file (``/dev/null``, a pipe, a terminal) is
    written into, not renamed over: renaming would replace the device itself (as root,
    ``--report /dev/null`` turned /dev/null into a plain file for every process).
    """
    target = Path(target)
    if _special(target):
        yield from _through(target, suffix)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix if suffix is not None else target.suffix,
        dir=target.parent,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _special(p: Path) -> bool:
    try:
        return not stat.S_ISREG(p.stat().st_mode) and not stat.S_ISDIR(p.stat().st_mode)
    except OSError:   # missing (or unreadable): the normal path creates or reports it
        return False


def _through(target: Path, suffix: str | None) -> Iterator[Path]:
    """A temp file (in the system's temp folder), copied into ``target`` on success."""
    fd, tmp_name = tempfile.mkstemp(suffix=suffix if suffix is not None else target.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Atomically replace ``target`` with ``text`` (UTF-8)."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Atomically replace ``target`` with ``data``."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
