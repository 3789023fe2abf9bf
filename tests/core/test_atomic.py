"""Atomic writes never replace a special file (issue 27: ``--report /dev/null`` as root
renamed a plain file over /dev/null)."""

from __future__ import annotations

import os
import stat
import threading

from formcheck.core.atomic import write_text


def test_writes_into_a_pipe_instead_of_renaming_over_it(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_text(fifo, '{"a": 1}')
    reader.join(timeout=10)
    assert got == ['{"a": 1}']
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_null_stays_a_device():
    write_text("/dev/null", "report")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_regular_file_is_replaced(tmp_path):
    p = tmp_path / "r.json"
    p.write_text("old")
    write_text(p, "new")
    assert p.read_text() == "new"
    assert not [q for q in tmp_path.iterdir() if q.name.startswith(".")]
