"""Frame-sized buffers go back to the system when freed (glibc), so a clip's peak memory does
not depend on thread timing.

A 1080p RGB frame is 6.2 MB. glibc serves blocks that large with ``mmap`` (and returns them
to the system on ``free``) only until the first such block is freed: then its "dynamic mmap
threshold" rises to that size and later frames come from the malloc heaps instead, one heap
(arena) per thread that allocates. Frames made on the decode thread and freed on the model's
leave holes that are reused or not depending on which thread got there first, and a heap only
shrinks from its top: three identical runs of ``formcheck analyze`` on a 1080p clip peaked at
414, 577 and 623 MB (a bare decode + detect loop: 346-355 MB). A fixed threshold (which
also turns the dynamic one off) keeps every such frame an ``mmap`` of its own: the same runs
peaked at 377-396 MB. Small objects are unaffected (they stay in the heaps).
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3          # glibc's mallopt parameter number (malloc.h)
# From 4 MB up: a 1080p RGB frame (6.2 MB) and larger, where the hundreds of MB were. At 1 MB
# FFmpeg's own per-frame buffers were mmapped too: +0.5 s CPU decoding a 231-frame 1080p clip
# (1.03 -> 1.56 s; 4 MB: 1.23 s) for no less memory (analyze peaks 385-393 MB at 4 MB).
FRAME_MMAP_THRESHOLD = 4 << 20

_done = False


def frames_to_system() -> bool:
    """Make glibc ``mmap`` every block of FRAME_MMAP_THRESHOLD bytes or more (once per
    process; a no-op elsewhere, e.g. on macOS or musl). Returns whether it is in force."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        # the process's own symbols (libc among them): ctypes.util.find_library would run
        # ldconfig in a subprocess, 30 ms of every command that opens a clip
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):   # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _done = bool(mallopt(M_MMAP_THRESHOLD, FRAME_MMAP_THRESHOLD))
    if not _done:
        log.debug("mallopt(M_MMAP_THRESHOLD) refused; frame memory left to glibc's defaults")
    return _done
