"""Reading clips and stills as frames with true timestamps (writing: video_writer.py; opening a
clip and its errors: video_open.py; stills: stills.py; decoding ahead: prefetch.py).

Reading uses PyAV (FFmpeg) for every container (mp4, mov, avi, webm, mkv, gif): it gives the
real presentation time of each frame (variable frame rate stays true) and the display-rotation
metadata of phone clips. Stills (jpg, png, webp, bmp) are read with OpenCV as one frame at t=0;
an animated WebP frame by frame with Pillow (:mod:`formcheck.media.animated`).
Frames are yielded as RGB uint8 arrays (H, W, 3), rotated upright.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from formcheck.core.config import IMAGE_SUFFIXES
from formcheck.core.errors import MediaError
from formcheck.core.pose import ClipInfo
from formcheck.media.animated import AnimatedImage, is_animated
from formcheck.media.frame_memory import frames_to_system
from formcheck.media.prefetch import prefetched
from formcheck.media.stills import fit_size, read_still
from formcheck.media.video_open import open_video

if TYPE_CHECKING:
    import av  # imported by open_video when a clip is opened (a still never needs it)

log = logging.getLogger(__name__)

# Frames with a longer side above this are scaled down while decoding: the pose model works
# at 256 px anyway, and a queue of 8K frames (100 MB each) would exhaust memory.
MAX_ANALYSIS_SIDE_PX = 1920
MAX_BAD_PACKETS = 300        # this many damaged packets in a row: give up with a clear message

RGBFrame = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Frame:
    """One decoded frame: index in decode order, presentation time, upright RGB (H, W, 3)."""

    index: int
    t_ms: float
    rgb: RGBFrame


def _rotate(img: RGBFrame, rotation_deg: int) -> RGBFrame:
    # FFmpeg's display rotation is counter-clockwise; showing the frame upright means
    # turning it by the opposite amount (np.rot90 with positive k turns counter-clockwise).
    k = (round(rotation_deg / 90)) % 4
    return np.ascontiguousarray(np.rot90(img, k=k)) if k else img


class MediaReader:
    """Open a clip or still, validate it, and iterate its frames.

    >>> with MediaReader("clip.mp4") as r:
    ...     for frame in r: ...

    ``info`` is filled on open (frame count and duration are the container's estimate until
    the clip has been read to the end). Raises :class:`MediaError` with a one-line message for
    a missing, empty, non-media or undecodable file.
    """

    def __init__(self, path: str | os.PathLike[str], prefetch: int = 8, every_ms: float = 0.0,
                 decode_threads: bool | None = None, steer: bool = False, threads_above_px: int = 0) -> None:
        """``every_ms`` > 0 samples: a frame is converted and yielded only when at least this
        long after the last one yielded (the others are decoded, which a video needs, but
        never converted to RGB: a 2 per second monitor does not pay for 30). ``steer``: the
        consumer moves the next sample as it goes (:meth:`sample_at`, never backwards); with
        ``prefetch`` the decoding then runs ahead on a thread, skipping the B-frames well before
        the due time it last saw, and only the due frames are converted. ``decode_threads``:
        FFmpeg frame threads (default: on unless sampling), for frames of > ``threads_above_px``."""
        self.path = Path(path)
        self._prefetch = prefetch
        self._every_ms = every_ms if every_ms > 0 or not steer else 1e-3
        self._steer = steer
        self._threads = (every_ms <= 0 if decode_threads is None else decode_threads, threads_above_px)
        self._due_ms = -np.inf   # sampling: when the next frame is due (decode-time skipping)
        self._frame_ms = 1000.0 / 30.0
        self.frames_seen = 0     # video frames in the clip so far, sampled or not
        self.last_ms = 0.0       # presentation time of the latest of them
        self._container: av.container.InputContainer | None = None
        self._still: RGBFrame | None = None
        self._anim: AnimatedImage | None = None
        self._decode_size: tuple[int, int] | None = None
        self.info = self._open()

    # -- opening -------------------------------------------------------------------------
    def _open(self) -> ClipInfo:
        p = self.path
        if not p.exists():
            raise MediaError(f"{p}: no such file")
        if p.is_dir():
            raise MediaError(f"{p}: is a folder, not a clip or image")
        if p.stat().st_size == 0:
            raise MediaError(f"{p}: the file is empty")
        if is_animated(p):
            return self._open_animated()
        if p.suffix.lower() in IMAGE_SUFFIXES:
            return self._open_still()
        return self._open_video()

    def _open_still(self) -> ClipInfo:
        rgb = read_still(self.path, MAX_ANALYSIS_SIDE_PX)
        self._still = rgb
        h, w = rgb.shape[:2]
        return ClipInfo(path=str(self.path), fps=0.0, width=w, height=h, frames=1,
                        duration_s=0.0, is_image=True)

    def _open_animated(self) -> ClipInfo:
        a = AnimatedImage(self.path, MAX_ANALYSIS_SIDE_PX)
        self._anim = a
        w, h = a.size
        return ClipInfo(path=str(self.path), fps=a.fps, width=w, height=h, frames=a.frames,
                        duration_s=a.duration_s)

    def _animated_frames(self) -> Iterator[Frame]:
        """An animation's frames: every one, or the due samples when sampling."""
        assert self._anim is not None
        for i, t, rgb in self._anim:
            self.frames_seen, self.last_ms = i + 1, t
            if self._every_ms > 0:
                if t + 1e-6 < self._due_ms:
                    continue
                self._due_ms = t + self._every_ms
            yield Frame(i, t, rgb)

    def _open_video(self) -> ClipInfo:
        c, s = open_video(self.path, *self._threads)
        ctx = s.codec_context
        self._container = c
        rate = s.average_rate or s.guessed_rate or Fraction(0)
        self._frame_ms = 1000.0 / float(rate) if rate else 1000.0 / 30.0
        duration = float(s.duration * s.time_base) if s.duration and s.time_base else (
            c.duration / 1e6 if c.duration else 0.0)
        w, h = ctx.width, ctx.height
        self._intra_only = bool(ctx.codec.intra_only)   # a sampler need not decode what is not due
        try:
            first = next(iter(self._decode()), None)
        except MediaError:
            c.close()
            raise
        if first is None:
            c.close()
            raise MediaError(f"{self.path}: the clip has no decodable frames")
        rotation = int(first.rotation or 0)
        self._decode_size = fit_size(w, h, MAX_ANALYSIS_SIDE_PX)
        if self._decode_size is not None:
            w, h = self._decode_size
            log.info("%s: %dx%d frames analysed at %dx%d", self.path, ctx.width, ctx.height, w, h)
        frames_to_system(w * h * 3)   # a clip's peak memory must not depend on thread timing
        if round(rotation / 90) % 2:
            w, h = h, w
        self._first = first
        return ClipInfo(path=str(self.path), fps=float(rate), width=w, height=h,
                        frames=int(s.frames or round(duration * float(rate))),
                        duration_s=duration, rotation_deg=rotation)

    def _decode(self) -> Iterator[av.VideoFrame]:
        """Decoded frames; damaged packets are skipped (and counted) rather than ending the
        clip, up to MAX_BAD_PACKETS in a row."""
        import av  # (already imported by open_video)

        assert self._container is not None
        bad = run = 0
        skipping = False
        try:
            for packet in self._container.demux(video=0):
                if self._every_ms > 0:
                    # Steered and decoding ahead, this thread sees the due time of a frame
                    # the consumer took a few frames ago: never later than the real one (it
                    # only moves forward), so what it skips could not have been due either,
                    # whatever the threads' timing.
                    skipping = self._skip_nonref(packet, skipping)
                    self._count(packet)
                    if skipping and self._intra_only:   # (MJPEG: every packet is its own picture)
                        continue
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    bad, run = bad + 1, run + 1
                    if run > MAX_BAD_PACKETS:
                        raise
                    continue
                run = 0
                yield from frames
        except av.error.FFmpegError as e:
            raise MediaError(f"{self.path}: cannot decode the video ({e})") from None
        finally:
            if bad:
                log.warning("%s: skipped %d damaged packet(s)", self.path, bad)

    def _skip_nonref(self, packet: av.Packet, skipping: bool) -> bool:
        """A sampling reader lets FFmpeg skip the non-reference frames (B-frames nothing else
        is predicted from) of packets more than 1.5 frames before the next sample is due: they
        could never be yielded, and skipping them cut the decode CPU of the benchmark and
        labelled clips by 23-40% at 2 samples per second. Frames at or after the due time, and
        every reference frame, are still decoded, so the samples are the same frames as without
        it. An intra-only stream (MJPEG, as webcams send) skips those packets whole: 1.4 ms of
        decode CPU a 640x480 sample, not 11.1. Returns whether skipping is on (was: ``skipping``)."""
        ctx, base = packet.stream.codec_context, packet.stream.time_base
        if ctx is None:
            return skipping
        want = (packet.pts is not None and base is not None
                and float(packet.pts * base) * 1000.0 + 1.5 * self._frame_ms < self._due_ms)
        if want != skipping:
            ctx.skip_frame = "NONREF" if want else "DEFAULT"
        return want

    def _count(self, packet: av.Packet) -> None:
        """Count a sampling reader's frames by their packets (a skipped B-frame is never
        decoded, but it is in the clip)."""
        if packet.size and packet.pts is not None and packet.time_base is not None:
            self.frames_seen += 1
            self.last_ms = max(self.last_ms, float(packet.pts * packet.time_base) * 1000.0)

    def sample_at(self, t_ms: float) -> None:
        """A steered reader: the next frame yielded is the first at or after ``t_ms`` (instead
        of ``every_ms`` after the last one); the consumer decides as it goes."""
        if not self._steer:
            raise ValueError("sample_at needs a reader made with steer=True")
        self._due_ms = t_ms

    # -- iteration -----------------------------------------------------------------------
    def _frames(self) -> Iterator[Frame]:
        if self._still is not None:
            yield Frame(0, 0.0, self._still)
            return
        yield from self._select(self._decoded())

    def _decoded(self) -> Iterator[av.VideoFrame]:
        return _chain(iter([self._first]), self._decode())

    def _select(self, decoded: Iterator[av.VideoFrame]) -> Iterator[Frame]:
        """The frames to yield (all, or the due samples), converted to RGB."""
        last_t = -np.inf
        index = 0
        fps = self.info.fps or 30.0
        for vf in decoded:
            if self._every_ms > 0:
                t_raw = float(vf.time) * 1000.0 if vf.time is not None else index * 1000.0 / fps
                if t_raw + 1e-6 < self._due_ms:
                    index += 1
                    continue
                self._due_ms = t_raw + self._every_ms
            if self._decode_size is not None:   # scaled by libswscale while converting
                arr = vf.to_ndarray(format="rgb24", width=self._decode_size[0], height=self._decode_size[1])
            else:
                arr = vf.to_ndarray(format="rgb24")
            rgb = _rotate(np.asarray(arr, np.uint8), int(vf.rotation or 0))
            t = float(vf.time) * 1000.0 if vf.time is not None else index * 1000.0 / fps
            # Some containers repeat or reorder a timestamp; keep times strictly increasing
            # (the pose tracker requires it) by nudging by 1 ms, which no rule can notice.
            if t <= last_t:
                t = last_t + 1.0
            last_t = t
            yield Frame(index, t, rgb)
            index += 1

    def __iter__(self) -> Iterator[Frame]:
        """Frames in decode order; decoding runs ahead on a thread (bounded queue) so it
        overlaps with whatever the consumer does."""
        if self._anim is not None:   # decoded here: Pillow's image is not shared with a thread
            yield from self._animated_frames()
        elif self._prefetch <= 0 or self._still is not None:
            yield from self._frames()
        elif self._steer:   # decode ahead on the thread, choose and convert here
            yield from self._select(prefetched(self._decoded(), self._prefetch))
        else:
            yield from prefetched(self._frames(), self._prefetch)

    def close(self) -> None:
        if self._anim is not None:
            self._anim.close()
            self._anim = None
        if self._container is not None:
            self._container.close()
            self._container = None

    def __enter__(self) -> MediaReader:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _chain(*its: Iterator[av.VideoFrame]) -> Iterator[av.VideoFrame]:
    for it in its:
        yield from it
