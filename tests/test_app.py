"""The Streamlit page with AppTest (webrtc patched: AppTest cannot render it) and the live
frame callback driven directly with real frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import media_or_skip

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.fixture
def app(monkeypatch):
    import streamlit_webrtc
    from streamlit.testing.v1 import AppTest

    class _Ctx:
        class state:  # noqa: N801
            playing = False

    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **kw: _Ctx())
    return AppTest.from_file(APP, default_timeout=60)


def test_page_renders_three_tabs_without_errors(app):
    at = app.run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Live", "Clip review", "Therapist tuning"]
    assert any(m.label == "Reps" for m in at.metric)


def test_tuning_lists_every_check_with_source(app):
    at = app.run()
    labels = " ".join(e.label for e in at.expander)
    for cid in ("arm_not_level", "leg_too_high", "trunk_not_level"):   # first exercise: bird_dog
        assert cid in labels


def test_live_callback_on_real_frames():
    import av

    from formcheck.definition import get_definition
    from formcheck.live import LiveProcessor
    from formcheck.models import default_model_path

    media = media_or_skip()
    proc = LiveProcessor(get_definition("bridge"), default_model_path())
    with av.open(str(media / "bridge" / "physioplus_bridging.mp4")) as c:
        for i, frame in enumerate(c.decode(video=0)):
            rgb = frame.to_ndarray(format="rgb24")
            if i % 2:   # the browser may lower the resolution mid-stream
                rgb = np.ascontiguousarray(rgb[::2, ::2])
            out = proc.process(rgb)
            assert out.shape == rgb.shape
    snap = proc.snapshot()
    proc.close()
    assert snap.error is None and snap.frames > 80
    assert len(snap.reps) == 1
