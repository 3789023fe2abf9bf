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
    # the pixels the encoder made of an RGB frame itself (the browser sees what it saw)
    assert _planes(out) == _planes(_own_conversion(rgb))


@pytest.mark.parametrize("size", [(64, 48), (63, 47), (32, 24)])
def test_frames_of_any_size_go_back_as_the_encoder_would_convert_them(size):
    rgb = np.random.default_rng(5).integers(0, 256, (size[1], size[0], 3), np.uint8)
    for _ in range(2):   # (the kept converter, again and after another size)
        out = video_frame(rgb, _incoming())
        assert (out.width, out.height) == size and _planes(out) == _planes(_own_conversion(rgb))


def _own_conversion(rgb: np.ndarray) -> av.VideoFrame:
    """What aiortc's VP8 encoder did with an RGB frame: reformat it to YUV 4:2:0."""
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


def _planes(vf: av.VideoFrame) -> list[bytes]:
    """Each plane's pixels (without the padding at the end of its lines)."""
    return [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width].tobytes() for p in vf.planes]


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
