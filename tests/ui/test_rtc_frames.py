"""The WebRTC fallback's frame conversions (formcheck/ui/rtc_frames.py) and drawing on the
callback's own frame."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from formcheck.ui.rtc_frames import rgb_of, video_frame


def _incoming(w: int = 64, h: int = 48) -> av.VideoFrame:
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (h, w, 3), np.uint8)
    vf = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
    vf.pts, vf.time_base = 1234, Fraction(1, 90000)
    return vf


def test_a_returned_frame_is_the_encoder_s_yuv_with_the_incoming_timing_and_colours():
    incoming = _incoming()
    rgb = rgb_of(incoming)
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8 and rgb.flags.writeable
    assert np.array_equal(rgb, incoming.to_ndarray(format="rgb24"))   # the model sees the same pixels
    other = _incoming(32, 24)   # a new size mid-stream (the browser lowered the resolution)
    assert np.array_equal(rgb_of(other), other.to_ndarray(format="rgb24"))
    assert rgb_of(incoming) is not rgb_of(incoming)
    out = video_frame(rgb, incoming)
    assert out.format.name == "yuv420p" and (out.width, out.height) == (64, 48)
    assert (out.pts, out.time_base) == (1234, Fraction(1, 90000))
    # what libswscale (the encoder's own conversion of an RGB frame) makes of it: the same
    # brightness to a level (its chroma filter differs where colours change from pixel to pixel)
    assert np.abs(_swscale(rgb)[:48] - out.to_ndarray().astype(int)[:48]).max() <= 1
    flat = np.full((48, 64, 3), (200, 40, 90), np.uint8)   # and the same colours, to a level
    assert np.abs(_swscale(flat) - video_frame(flat, incoming).to_ndarray().astype(int)).max() <= 1


def _swscale(rgb: np.ndarray) -> np.ndarray:
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray().astype(int)


@pytest.mark.parametrize("size", [(63, 48), (64, 47)])
def test_a_frame_4_2_0_cannot_hold_goes_back_as_rgb(size):
    rgb = np.full((size[1], size[0], 3), 77, np.uint8)
    out = video_frame(rgb, _incoming())
    assert out.format.name == "rgb24" and np.array_equal(out.to_ndarray(), rgb)


def test_the_live_overlay_can_be_drawn_on_the_callback_s_own_frame():
    from formcheck.media.bundles import default_model_path
    from formcheck.rules.definition import get_definition
    from formcheck.run.live.video import LiveProcessor, blank_frame

    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    try:
        kept = blank_frame()
        drawn = proc.process(kept, 0.0)
        assert drawn is not kept and not kept.any() and drawn.any()   # default: a copy is drawn on
        own = blank_frame()
        same = proc.process(own, 0.04, inplace=True)
        assert same is own and own.any()
        assert np.array_equal(own[:60], drawn[:60])   # the same status lines
    finally:
        proc.close()
