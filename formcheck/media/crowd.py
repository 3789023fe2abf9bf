"""How many people are in view, checked now and then on a second, two-person landmarker.

The tracking landmarker follows one person (num_poses=1; two cost +10 ms on every frame here)
and cannot tell that someone else walked in. A two-person IMAGE-mode check every couple of
seconds of stream time costs ~27 ms per check (about 1% of the time) and lets the page and
the report say "two people in view: coaching the one nearest the camera". Checks look at the
frame reduced to about 360 px on its shorter side (:func:`_smaller`).
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

import numpy as np

from formcheck.media.estimator import PoseEstimator
from formcheck.media.video_reader import RGBFrame

log = logging.getLogger(__name__)
CHECK_EVERY_MS = 2000.0
# The frame a check sees is reduced by a whole factor to no less than this on its shorter side:
# the landmarker's person detector sees the whole frame at 224 x 224 anyway (a 16:9 frame: a
# 126 px high strip), so a 360 px frame keeps ~3x its detail, and the 256 px crop for a person's
# landmarks is about 1:1. The model costs the same at any frame size; what a full-size frame
# added was keeping it (JPEG) and reading it back: 10 + 10 ms a check for 720p, ~4x for 1080p.
PEOPLE_CHECK_SHORT_SIDE_PX = 360


class CrowdCheck:
    """``offer(rgb, t_ms)`` every frame; a check runs when one is due.

    ``threaded=True`` runs checks on a worker thread so they never delay a frame (the pose
    pipeline leaves most of a second core idle). ``skip_when_busy=True`` (live) drops a
    check while the previous one runs; otherwise (clips) every due check runs, so the totals
    are the same as inline. ``people`` is the last count, ``checks``/``crowded`` the totals
    (final after :meth:`close`)."""

    def __init__(self, model: Path, every_ms: float = CHECK_EVERY_MS, threaded: bool = False,
                 skip_when_busy: bool = False, deferred: bool = False,
                 counts_from: PoseEstimator | None = None) -> None:
        """``counts_from``: an IMAGE-mode landmarker for two people that judges the same frames
        (stills, key poses): a due check takes its count of the frame just detected instead of
        loading a model of its own (a still's whole process was two landmarkers)."""
        self._model = model
        self._counts_from = counts_from
        self._every_ms = every_ms
        self._next_ms = 0.0
        self._est: PoseEstimator | None = None
        self.people: int | None = None
        self.checks = 0
        self.crowded = 0
        self._lock = threading.Lock()
        self._q: queue.Queue[RGBFrame | None] | None = None
        self._thread: threading.Thread | None = None
        # deferred (clips): keep the due frames (JPEG, ~1/30 of the pixels' size) and check
        # them in close(), after the tracking landmarker is closed, so the two models are never
        # in memory together (the whole-process peak is one model's, not two).
        self._kept: list[bytes] | None = [] if deferred else None
        if threaded and not deferred:
            self._q = queue.Queue(maxsize=1 if skip_when_busy else 0)
            self._thread = threading.Thread(target=self._run, name="formcheck-crowd", daemon=True)
            self._thread.start()

    def offer(self, rgb: RGBFrame, t_ms: float) -> None:
        if t_ms < self._next_ms:
            return
        self._next_ms = t_ms + self._every_ms
        if self._counts_from is not None:
            self._count(self._counts_from.people_last_frame)
            return
        if self._kept is not None:
            self._kept.append(_jpeg(_smaller(rgb)))
            return
        if self._q is None:
            self._check(rgb)
            return
        small = _smaller(rgb)
        try:
            self._q.put_nowait(small if small is not rgb else rgb.copy())
        except queue.Full:   # the previous check is still running: skip this one
            pass

    def _run(self) -> None:
        assert self._q is not None
        while (rgb := self._q.get()) is not None:
            try:
                self._check(rgb)
            except Exception:   # a failed check must never stop the stream
                log.exception("people count failed")
        self._close_estimator()   # on the thread that created it

    def _check(self, rgb: RGBFrame) -> None:
        if self._est is None:
            self._est = PoseEstimator(self._model, mode="image", num_poses=2)
        self._est.detect(_smaller(rgb))
        self._count(self._est.people_last_frame)

    def _count(self, n: int) -> None:
        with self._lock:
            self.people = n
            self.checks += 1
            self.crowded += n > 1

    def close(self) -> None:
        if self._kept is not None:
            kept, self._kept = self._kept, []
            try:
                for data in kept:   # (none when the judging landmarker counted)
                    rgb = _unjpeg(data)
                    if rgb is not None:   # our own encoding: always decodable
                        self._check(rgb)
            finally:
                self._close_estimator()
            return
        if self._q is not None and self._thread is not None:
            self._q.put(None, timeout=10)
            self._thread.join(timeout=60)   # clips: let every due check finish
        else:
            self._close_estimator()

    def discard(self) -> None:
        """Drop the frames a deferred check still keeps, unchecked (their clip's verdict was not
        used); then :meth:`close` checks nothing. Nothing to drop otherwise (a threaded check's
        landmarker belongs to its thread: :meth:`close` ends it)."""
        if self._kept is not None:
            self._kept = []

    def _close_estimator(self) -> None:
        if self._est is not None:
            self._est.close()
            self._est = None

    def message(self) -> str | None:
        """What to tell the user when someone else was in view, else None."""
        if not self.crowded:
            return None
        return (f"More than one person was in view ({self.crowded} of {self.checks} checks): formcheck "
                "followed the person nearest the camera. Ask others to step out of the picture.")


# Pillow, not OpenCV: the same libjpeg-turbo at the same settings (quality 95, 4:2:0), so the same
# bytes and pixels as cv2.imencode/imdecode gave, without loading OpenCV into a clip's analysis:
# its libraries were 26-30 MB of `formcheck analyze`'s peak on a 1080p clip (359-365 -> 333-335 MB,
# a bare decode + model loop 301 MB; the GIF path never loaded it).
JPEG_QUALITY = 95


def _smaller(rgb: RGBFrame) -> RGBFrame:
    """The (H, W, 3) frame reduced by the largest whole factor that keeps its shorter side at
    least PEOPLE_CHECK_SHORT_SIDE_PX (each pixel the mean of a k x k block, Pillow's
    ``reduce``); the frame itself when it is no larger than that."""
    k = min(rgb.shape[:2]) // PEOPLE_CHECK_SHORT_SIDE_PX
    if k < 2:
        return rgb
    from PIL import Image

    return np.asarray(Image.fromarray(np.ascontiguousarray(rgb)).reduce(k), np.uint8)


def _jpeg(rgb: RGBFrame) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def _unjpeg(data: bytes) -> RGBFrame | None:
    """A kept frame back as RGB (H, W, 3), None if it does not decode."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            return np.asarray(im.convert("RGB"), np.uint8)
    except (UnidentifiedImageError, OSError):
        return None
