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
