"""The overlay (formcheck.media.draw.annotate): on a copy by default, on the frame itself when
asked and allowed (the encoder's last use of a frame)."""

from __future__ import annotations

import numpy as np

from formcheck.engine.session import Session
from formcheck.media.draw import annotate
from formcheck.rules.definition import get_definition


def _step():
    d = get_definition("bridge")
    feats, r = Session(d).update(0.0, None)
    return feats, r, d


def test_annotate_draws_on_a_copy_unless_asked_to_draw_in_place():
    feats, r, d = _step()
    rgb = np.full((120, 160, 3), 200, np.uint8)
    out = annotate(rgb, feats, r, d)
    assert out is not rgb and (rgb == 200).all() and (out != 200).any()
    same = annotate(rgb, feats, r, d, inplace=True)
    assert same is rgb and np.array_equal(same, out)


def test_a_read_only_frame_is_copied_even_in_place():
    feats, r, d = _step()
    rgb = np.full((120, 160, 3), 200, np.uint8)
    rgb.flags.writeable = False
    out = annotate(rgb, feats, r, d, inplace=True)
    assert out is not rgb and (rgb == 200).all() and (out != 200).any()


def test_text_panels_darken_exactly_as_the_float_blend_did():
    """The panel behind the text is a table lookup now: the same pixels as multiplying each level
    by (1 - alpha) in floats and truncating, inside the rectangle (clipped to the frame) only."""
    from formcheck.media.draw import PANEL_ALPHA, _panel

    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (90, 130, 3), dtype=np.uint8)
    img[0, :, 0] = np.arange(130) * 2   # every level at least once
    img[1, :, 1] = np.arange(130) * 2 + 1
    for x, y, w, h in ((0, 0, 130, 90), (7, 11, 40, 25), (100, 70, 80, 80), (-5, -5, 20, 20), (50, 50, 0, 10)):
        want = img.copy()
        roi = want[max(y, 0): max(y + h, 0), max(x, 0): max(x + w, 0)]
        roi[:] = (roi * (1.0 - PANEL_ALPHA)).astype(np.uint8)
        got = img.copy()
        _panel(got, x, y, w, h)
        assert np.array_equal(got, want), (x, y, w, h)
