"""Opening a clip with PyAV (FFmpeg): every way a file can fail to be a decodable video (not a
media file, truncated, audio only, an unsupported codec, too large) is one line of MediaError;
the frames are read by video_reader.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.core.errors import MediaError

if TYPE_CHECKING:
    import av

MAX_PIXELS = 8192 * 8192  # larger frames are refused rather than exhausting memory


def open_video(path: Path, threads: bool,
               threads_above_px: int = 0) -> tuple[av.container.InputContainer, av.VideoStream]:
    """The open container and its first video stream (``threads``: FFmpeg frame threads, for
    frames of more than ``threads_above_px`` pixels)."""
    # PyAV is imported when a clip is opened, not with the package: ~0.1 s of imports that a
    # still's command (read by OpenCV) never needs
    import av

    try:
        c = av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError:
        raise MediaError(f"{path}: not a video or image file (unrecognised format: not a video, "
                         "or truncated or corrupt, e.g. a recording that was cut off)") from None
    except av.error.EOFError:
        raise MediaError(f"{path}: the clip has no decodable frames (it ends right after "
                         "its header)") from None
    except (av.error.FFmpegError, OSError) as e:
        raise MediaError(f"{path}: cannot open ({e.__class__.__name__}: {e})") from None
    if not c.streams.video:
        kind = "audio-only file" if c.streams.audio else "file with no video stream"
        c.close()
        raise MediaError(f"{path}: {kind}; formcheck needs a video or an image")
    s = c.streams.video[0]
    ctx = s.codec_context
    if ctx is None:
        tag = getattr(s, "codec_tag", "") or "unknown"
        c.close()
        raise MediaError(f"{path}: cannot decode the video: unsupported codec ({tag}); "
                         "convert it to H.264 mp4")
    # Frame threads decode ahead in parallel (clip analysis runs at full speed); a sampling
    # reader keeps pace with real time, where one thread costs less CPU in all.
    s.thread_type = "AUTO" if threads and ctx.width * ctx.height > threads_above_px else "NONE"
    if ctx.width * ctx.height > MAX_PIXELS:
        c.close()
        raise MediaError(f"{path}: {ctx.width}x{ctx.height} is too large (max 8K)")
    return c, s
