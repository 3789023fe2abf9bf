"""Where frame-sized blocks come from (formcheck.media.frame_memory): mmapped for sampled passes,
from the heaps, trimmed as they go, for the model on every frame."""

from __future__ import annotations

import sys

import pytest

from formcheck.media import frame_memory as fm

glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")


@pytest.fixture(autouse=True)
def _restore():
    before = fm._threshold
    yield
    if before:
        fm._set_threshold(before)


@glibc
@pytest.mark.parametrize("frame_bytes,threshold", [
    (640 * 480 * 3, 2 * 640 * 480 * 3),        # twice a frame: MediaPipe's copies are a frame each
    (1920 * 1080 * 3, 2 * 1920 * 1080 * 3),
    (3840 * 2160 * 3, None),                   # over half glibc's largest threshold: left as it was
])
def test_full_rate_frames_come_from_the_heaps_up_to_twice_a_frame(frame_bytes, threshold):
    fm.frames_to_system(1920 * 1080 * 3)
    before = fm._threshold
    assert fm.frames_in_heap(frame_bytes) is (threshold is not None)
    assert fm._threshold == (threshold if threshold is not None else before)


@glibc
@pytest.mark.parametrize("frame_bytes,threshold", [
    (100 * 100 * 3, fm.MIN_MMAP_THRESHOLD),
    (640 * 480 * 3, 640 * 480 * 3),
    (1920 * 1080 * 3, fm.FRAME_MMAP_THRESHOLD),
])
def test_sampled_passes_mmap_every_frame_sized_block(frame_bytes, threshold):
    fm.frames_in_heap(1280 * 720 * 3)   # a full-rate clip before: the next clip's own threshold holds
    assert fm.frames_to_system(frame_bytes)
    assert fm._threshold == threshold


def test_trimmed_yields_every_frame_in_order_and_trims_every_n(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(fm, "_malloc_trim", lambda: lambda pad: calls.append(pad) or 1)
    assert list(fm.trimmed(iter(range(25)), every=10)) == list(range(25))
    assert calls == [0, 0]


@pytest.mark.parametrize("full_rate,video,heap,ahead", [
    (True, False, True, fm.FULL_RATE_PREFETCH),    # --full-rate: the model's copies from the heaps
    (True, True, True, 8),                         # an annotated video too; its decoder 8 ahead
    (False, False, False, None),                   # sampled: frame-sized blocks stay mmapped
])
def test_frames_come_from_the_heaps_whenever_the_model_sees_every_frame(tmp_path, monkeypatch, full_rate, video,
                                                                         heap, ahead):
    """The heap decision per run: every frame through the model (with or without a video) takes
    its frame-sized blocks from the heaps and trims them as it goes; a sampled pass does not."""
    from pathlib import Path

    from formcheck.media import video_reader
    from formcheck.rules.definition import get_definition
    from formcheck.run import pipeline

    asked: list[int] = []
    trims: list[int] = []
    monkeypatch.setattr(pipeline, "frames_in_heap", lambda n: asked.append(n) or True)
    monkeypatch.setattr(pipeline, "trimmed", lambda frames, every: (trims.append(every), frames)[1])
    opened: list[int] = []
    real_init = video_reader.MediaReader.__init__

    def init(self, path, *a, **kw):  # type: ignore[no-untyped-def]
        opened.append(kw.get("prefetch", 0))
        real_init(self, path, *a, **kw)

    monkeypatch.setattr(video_reader.MediaReader, "__init__", init)
    clip = Path(__file__).resolve().parents[2] / "sample_videos" / "physioplus_bridging.mp4"
    pipeline.analyze_clip(clip, get_definition("bridge"), full_rate=full_rate,
                          video_out=tmp_path / "v.mp4" if video else None)
    if heap:
        assert asked == [640 * 480 * 3] and trims == [fm.FULL_RATE_TRIM_EVERY_FRAMES]
        assert opened == [ahead]
    else:
        assert asked == [] and trims == []
