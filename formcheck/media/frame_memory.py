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
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

M_MMAP_THRESHOLD = -3          # glibc's mallopt parameter number (malloc.h)
# At most 4 MB: a 1080p RGB frame (6.2 MB) and larger, where the hundreds of MB were. At 1 MB
# FFmpeg's own per-frame buffers of a 1080p clip were mmapped too: +0.5 s CPU decoding a
# 231-frame 1080p clip (1.03 -> 1.56 s; 4 MB: 1.23 s) for no less memory (analyze peaks
# 385-393 MB at 4 MB).
FRAME_MMAP_THRESHOLD = 4 << 20
# Smaller clips: the threshold is one RGB frame of the clip. A 640x480 frame (0.9 MB) under a
# 4 MB threshold came from the heap, and the adaptive pass over a 24 s 480p clip grew the heap
# by about a frame per analysed frame (peak 435 MB, 219 MB of it free heap by mallinfo2: holes,
# not live data; most likely small blocks kept per frame splitting each freed frame's hole).
# At one frame's size: 262 MB, no more CPU. A frame's luma plane, FFmpeg's largest
# buffer, is a third of the RGB frame, so it stays in the heap's pool. Not below 512 KB: the
# pose model's per-frame tensors (0.6-0.8 MB) are not worth an mmap each for tiny clips.
MIN_MMAP_THRESHOLD = 512 << 10

_threshold = 0   # the threshold in force (0: glibc's default, dynamic)


def frames_to_system(frame_bytes: int = FRAME_MMAP_THRESHOLD) -> bool:
    """Make glibc ``mmap`` every block the size of one decoded RGB frame (``frame_bytes``,
    within MIN_MMAP_THRESHOLD..FRAME_MMAP_THRESHOLD) or more; called per clip opened (the
    last clip's size holds). A no-op elsewhere, e.g. on macOS or musl. Returns whether a
    threshold is in force."""
    return _set_threshold(max(MIN_MMAP_THRESHOLD, min(FRAME_MMAP_THRESHOLD, int(frame_bytes))))


def _set_threshold(want: int) -> bool:
    global _threshold
    if want == _threshold:
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
    if mallopt(M_MMAP_THRESHOLD, want):
        _threshold = want
    else:
        log.debug("mallopt(M_MMAP_THRESHOLD) refused; frame memory left to glibc's defaults")
    return _threshold > 0


# Every this many frames of a long pass, the heaps' free pages go back to the system: what
# the threshold above leaves in the heaps (smaller buffers freed on one thread and made on
# another) still grew a 60 s 480p clip's adaptive pass by ~1 MB a second (peak 307 MB, bare
# loop 227); trimmed every 30 analysed frames: 268 MB, no more CPU (malloc_trim is ~1 ms).
TRIM_EVERY_FRAMES = 30


def trimmed(frames: Iterable[T], every: int = TRIM_EVERY_FRAMES) -> Iterator[T]:
    """``frames`` as they come, with glibc's ``malloc_trim`` every ``every`` of them (a no-op
    without glibc)."""
    trim = _malloc_trim()
    for i, frame in enumerate(frames, 1):
        if trim is not None and i % every == 0:
            trim(0)
        yield frame


# The model on every frame (a clip at full rate, a pose file) makes three frame-sized blocks
# a frame: the RGB frame, MediaPipe's copy of it and that copy's aligned copy. As mmaps (the
# threshold above) each is fresh, zeroed pages: ~3,500 page faults a 1080p frame, 1.2-1.9 s
# of CPU on 231 1080p frames (wanshape, 8.7-11.1 s in all; A/B pairs). From the heaps, with
# their free pages returned every FULL_RATE_TRIM_EVERY_FRAMES frames and the decoder FULL_RATE_PREFETCH
# frames ahead (a deeper queue only holds more frames: 8 peaked at 344-361 MB), 7 runs of
# `formcheck analyze` on it peaked at 305-329 MB (mmapped, 8 ahead: 327-333; bare loop ~300).
# With an annotated video (the decoder 8 ahead, the encoder thread drawing on and freeing the
# frames), interleaved pairs mmapped / heap: wanshape CPU 10.9-11.2 -> 9.8-10.7 s, peak 435-437
# -> 442-453 MB; the 1080x1920 bird-dog 18.0-18.4 -> 16.9-17.1 s, 429 -> 428-447 MB; darebee
# 720p 8.2-8.3 -> 7.8-8.2 s, 357 MB both; wanshape looped 4x (924 frames) 420-422 -> 432 MB.
FULL_RATE_TRIM_EVERY_FRAMES = 10
FULL_RATE_PREFETCH = 4
MAX_MMAP_THRESHOLD = 32 << 20   # glibc's largest (DEFAULT_MMAP_THRESHOLD_MAX, 64-bit)


def frames_in_heap(frame_bytes: int) -> bool:
    """Blocks up to twice one decoded RGB frame (``frame_bytes``) come from the malloc heaps,
    not ``mmap`` (see FULL_RATE_TRIM_EVERY_FRAMES; iterate the frames through :func:`trimmed`
    with it). A no-op elsewhere than glibc, or when a frame is over half MAX_MMAP_THRESHOLD.
    Returns whether it is in force."""
    want = 2 * int(frame_bytes)
    if want > MAX_MMAP_THRESHOLD:
        return False
    return _set_threshold(want)


def free_to_system() -> None:
    """Return the heaps' free pages to the system now (glibc ``malloc_trim``; ~1 ms), e.g.
    when a pose landmarker has closed. Its threads have ended, and what they freed stays in
    their heaps (arenas), which the next landmarker's threads take over piecemeal: the peak of
    the pass after it then depended on timing. ``formcheck analyze`` of a 1080p clip whose
    sampled pass goes to full rate (wanshape, 231 frames) peaked at 332-355 MB in 7 runs
    without it and at 331-333 MB in 5 runs with it (bare decode + model loop: ~300 MB)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim if sys.platform.startswith("linux") else None
    except (OSError, AttributeError):   # not glibc
        return None
