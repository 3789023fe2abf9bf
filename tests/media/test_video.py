"""Video I/O on clips generated at test time: timestamps, rotation, VFR, GIF, stills, bad files."""

from __future__ import annotations

from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from formcheck.core.errors import MediaError
from formcheck.media.video_reader import MediaReader
from formcheck.media.video_writer import VideoWriter


def _write(path, times_ms, size=(64, 48), codec="libx264", rotation=None):
    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=30)
        s.width, s.height = size
        s.pix_fmt = "yuv420p" if codec != "gif" else "rgb8"
        s.time_base = Fraction(1, 1000)
        s.codec_context.time_base = Fraction(1, 1000)
        if rotation is not None:
            s.set_display_rotation(rotation)
        for i, t in enumerate(times_ms):
            img = np.zeros((size[1], size[0], 3), np.uint8)
            img[:, : size[0] // 2] = 255          # white left half marks the orientation
            img[0, 0] = (i * 10) % 255
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = int(t), Fraction(1, 1000)
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode():
            out.mux(p)


def test_reads_frames_with_true_variable_timestamps(tmp_path):
    times = [0, 33, 66, 150, 200, 400, 433]
    p = tmp_path / "vfr.mp4"
    _write(p, times)
    with MediaReader(p) as r:
        frames = list(r)
    assert [round(f.t_ms) for f in frames] == times
    assert frames[0].rgb.shape == (48, 64, 3) and frames[0].rgb.dtype == np.uint8


def test_honours_rotation_metadata(tmp_path):
    p = tmp_path / "rot.mp4"
    _write(p, [0, 33, 66], rotation=-90)   # phone portrait: turn clockwise to show upright
    with MediaReader(p) as r:
        info, frame = r.info, next(iter(r))
    assert (info.width, info.height) == (48, 64) and info.rotation_deg == -90
    assert frame.rgb.shape == (64, 48, 3)
    # the white left half of the stored frame becomes the top half once turned clockwise
    assert frame.rgb[: 32].mean() > 200 and frame.rgb[32:].mean() < 50


def test_gif_and_still_images(tmp_path):
    g = tmp_path / "a.gif"
    _write(g, [0, 100, 200], codec="gif")
    with MediaReader(g) as r:
        assert len(list(r)) == 3
    img = tmp_path / "a.png"
    cv2.imwrite(str(img), np.full((20, 30, 3), (0, 0, 255), np.uint8))   # BGR red
    with MediaReader(img) as r:
        frames = list(r)
        assert r.info.is_image and len(frames) == 1
    assert tuple(frames[0].rgb[0, 0]) == (255, 0, 0)   # delivered as RGB


@pytest.mark.parametrize("name,content,msg", [
    ("empty.mp4", b"", "the file is empty"),
    ("text.mp4", b"hello, this is not a video\n" * 20, "not a video or image"),
    ("text.jpg", b"not an image", "not a readable image"),
])
def test_bad_files_give_one_line_errors(tmp_path, name, content, msg):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(MediaError, match=msg) as e:
        MediaReader(p)
    assert "\n" not in str(e.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        MediaReader(tmp_path / "nope.mp4")
    with pytest.raises(MediaError, match="is a folder"):
        MediaReader(tmp_path)


def test_audio_only_file(tmp_path):
    p = tmp_path / "audio.m4a"
    with av.open(str(p), "w") as out:
        s = out.add_stream("aac", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 8000
        for pkt in s.encode(frame):
            out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    with pytest.raises(MediaError, match="audio-only"):
        MediaReader(p)


def test_truncated_clip_reads_what_it_can_or_says_why(tmp_path):
    p = tmp_path / "full.mp4"
    _write(p, list(range(0, 3000, 33)), size=(128, 96))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with MediaReader(p) as r:
        total = len(list(r))
    try:
        with MediaReader(cut) as r:
            n = len(list(r))
        # half the bytes: some frames, never more than the whole clip had
        assert 0 < n < total
    except MediaError as e:
        assert "cut.mp4" in str(e)


def test_writer_makes_browser_playable_h264_atomically(tmp_path):
    out = tmp_path / "o.mp4"
    with VideoWriter(out, 63, 47, fps=30) as w:     # odd sizes are padded to even
        for i in range(10):
            w.write(np.full((47, 63, 3), i * 20, np.uint8), i * 33.3)
        assert not out.exists()                     # nothing visible until complete
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
        assert sum(1 for _ in c.decode(s)) == 10
    assert not list(tmp_path.glob(".o.mp4*"))


def test_writer_keeps_the_colours_of_the_frames_it_is_given(tmp_path):
    """Converted to 4:2:0 before the encoder: red stays red (not blue), greys stay grey."""
    img = np.zeros((64, 96, 3), np.uint8)
    img[:, :32] = (220, 30, 30)
    img[:, 32:64] = (30, 200, 40)
    img[:, 64:] = (128, 128, 128)
    out = tmp_path / "c.mp4"
    with VideoWriter(out, 96, 64, fps=30) as w:
        for i in range(3):
            w.write(img, i * 33.3)
    with av.open(str(out)) as c:
        back = next(c.decode(video=0)).to_ndarray(format="rgb24")
    for x0, x1 in ((0, 32), (32, 64), (64, 96)):
        got = back[8:56, x0 + 4: x1 - 4].reshape(-1, 3).mean(axis=0)
        assert np.abs(got - img[0, x0]).max() < 8, (x0, got)


def test_writer_leaves_nothing_on_error(tmp_path):
    out = tmp_path / "o.mp4"
    with pytest.raises(RuntimeError), VideoWriter(out, 32, 32) as w:
        w.write(np.zeros((32, 32, 3), np.uint8), 0)
        raise RuntimeError("boom")
    assert not out.exists() and not list(tmp_path.iterdir())


def test_prefetch_worker_ends_at_once_when_the_consumer_stops_after_the_source_ran_dry():
    """A consumer that stops early must not wait for the decode thread: the worker used to
    block forever queueing its end marker into a full queue (and the consumer's join timed out
    after 5 s)."""
    import time

    from formcheck.media.prefetch import prefetched

    it = prefetched(iter(range(3)), depth=2)
    assert next(it) == 0
    time.sleep(0.3)            # the source is exhausted, the queue full, the end marker waiting
    t0 = time.perf_counter()
    it.close()                 # the consumer stops
    assert time.perf_counter() - t0 < 1.0


def _every_half_second(path):
    """(t_ms, rgb) of the frames a 2-per-second sampler must yield, from a reader decoding all."""
    with MediaReader(path, prefetch=0) as r:
        every = [(f.t_ms, f.rgb.copy()) for f in r]
    expected, due = [], -1.0
    for t, rgb in every:
        if t + 1e-6 >= due:
            expected.append((t, rgb))
            due = t + 500.0
    return expected


def test_a_sampling_reader_yields_the_same_frames_while_skipping_non_reference_ones(tmp_path, monkeypatch):
    """A 2-per-second sampler lets FFmpeg skip B-frames before each due time; the samples must
    be exactly the frames (times and pixels) a reader decoding everything would pick."""
    path = tmp_path / "b.mp4"
    _write(path, [i * 1000 / 30 for i in range(150)], size=(96, 64))
    expected = _every_half_second(path)
    skipped = []
    original = MediaReader._skip_nonref

    def spy(self, packet, skipping):
        skipped.append(original(self, packet, skipping))
        return skipped[-1]

    monkeypatch.setattr(MediaReader, "_skip_nonref", spy)
    with MediaReader(path, prefetch=0, every_ms=500.0) as r:
        got = [(f.t_ms, f.rgb.copy()) for f in r]
    assert [t for t, _ in got] == [t for t, _ in expected] and len(got) == 10
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, expected, strict=True))
    assert sum(skipped) > len(skipped) / 2     # most packets were eligible for skipping


@pytest.mark.parametrize("prefetch", [0, 4])
def test_a_steered_reader_yields_the_first_frame_at_or_after_each_time_asked(tmp_path, prefetch):
    """Adaptive sampling moves the next sample as it goes (every frame near a limit, a step
    on elsewhere); the reader must give those frames exactly, and count every frame."""
    path = tmp_path / "s.mp4"
    _write(path, [i * 1000 / 30 for i in range(90)], size=(96, 64))
    with MediaReader(path, prefetch=0) as r:
        every = {round(f.t_ms): f.rgb.copy() for f in r}
    got = []
    with MediaReader(path, prefetch=prefetch, steer=True) as r:
        for f in r:
            got.append(round(f.t_ms))
            assert np.array_equal(f.rgb, every[got[-1]])
            # one frame in 7 for the first second, then every frame
            r.sample_at(f.t_ms + (230.0 if f.t_ms < 1000 else 0.0))
        assert r.frames_seen == 90
    times = sorted(every)
    want, due = [], -1.0
    for t in times:
        if t + 1 >= due:
            want.append(t)
            due = t + (230.0 if t < 1000 else 0.0)
    assert got == want and len(got) < 90


@pytest.mark.parametrize("above_px", [0, 96 * 64])
def test_frame_threads_only_above_a_size_and_the_same_frames_either_way(tmp_path, above_px):
    """Adaptive sampling decodes with FFmpeg's frame threads only for frames larger than
    ``threads_above_px``; with or without them a steered reader gives the same frames."""
    path = tmp_path / "t.mp4"
    _write(path, [i * 1000 / 30 for i in range(60)], size=(96, 64))
    with MediaReader(path, prefetch=0, decode_threads=False) as r:
        every = {round(f.t_ms): f.rgb.copy() for f in r}
    got = []
    with MediaReader(path, prefetch=4, steer=True, decode_threads=True, threads_above_px=above_px) as r:
        assert r._container is not None
        assert r._container.streams.video[0].thread_type.name == ("AUTO" if above_px == 0 else "NONE")
        for f in r:
            got.append(round(f.t_ms))
            assert np.array_equal(f.rgb, every[got[-1]])
            r.sample_at(f.t_ms + 100.0)
        assert r.frames_seen == 60
    assert len(got) == 20   # 2 s, one every 100 ms


def test_only_a_steered_reader_can_be_steered(tmp_path):
    path = tmp_path / "s.mp4"
    _write(path, [i * 1000 / 30 for i in range(10)])
    with MediaReader(path) as r, pytest.raises(ValueError, match="steer"):
        r.sample_at(100.0)


class _Counting:
    """A container (or packet) that records the pts of every packet decoded."""

    def __init__(self, inner, decoded):
        self._inner, self._decoded = inner, decoded

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def demux(self, **kw):
        return (_Counting(p, self._decoded) for p in self._inner.demux(**kw))

    def decode(self):
        self._decoded.append(self._inner.pts)
        return self._inner.decode()


@pytest.mark.parametrize("prefetch", [0, 4])
def test_a_sampler_decodes_only_the_due_pictures_of_an_intra_only_clip(tmp_path, prefetch):
    """MJPEG (what a webcam sends): the samples are exactly the frames a reader decoding
    everything picks, every frame is counted, and the packets well before a due time are
    never decoded."""
    path = tmp_path / "m.mkv"
    with av.open(str(path), "w") as out:
        s = out.add_stream("mjpeg", rate=30)
        s.width, s.height, s.pix_fmt = 96, 64, "yuvj420p"
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        for i in range(90):
            f = av.VideoFrame.from_ndarray(np.full((64, 96, 3), (i * 2, 255 - i, 7), np.uint8), format="rgb24")
            f = f.reformat(format="yuvj420p")
            f.pts, f.time_base = round(i * 1000 / 30), Fraction(1, 1000)
            for p in s.encode(f):
                out.mux(p)
    expected = _every_half_second(path)
    decoded: list[int] = []
    with MediaReader(path, prefetch=prefetch, every_ms=500.0) as r:
        r._container = _Counting(r._container, decoded)
        got = [(f.t_ms, f.rgb.copy()) for f in r]
        assert r.frames_seen == 90
    assert [t for t, _ in got] == [t for t, _ in expected] and len(got) == 6
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, expected, strict=True))
    assert len(decoded) <= 2 * len(got) + 1   # the due picture and the one before it (1.5 frames' margin)
