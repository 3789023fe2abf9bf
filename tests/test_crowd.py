"""The people check of clip analysis: deferred until the tracking landmarker is closed (the two
models never in memory together), with the same counts as checking inline."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formcheck.crowd import CrowdCheck
from formcheck.models import default_model_path
from formcheck.video_reader import MediaReader

CLIP = Path(__file__).resolve().parent.parent / "sample_videos" / "physioplus_bridging.mp4"


def _frames() -> list[tuple[np.ndarray, float]]:
    with MediaReader(CLIP) as r:
        return [(f.rgb, f.t_ms) for f in r]


def test_deferred_people_check_loads_its_model_only_at_close_and_counts_like_inline():
    frames = _frames()
    doubled = [(np.concatenate([rgb, rgb], axis=1), t) for rgb, t in frames]   # two people side by side
    for seq, want in ((frames, 0), (doubled, None)):
        inline, deferred = CrowdCheck(default_model_path()), CrowdCheck(default_model_path(), deferred=True)
        for rgb, t in seq:
            inline.offer(rgb, t)
            deferred.offer(rgb, t)
        assert deferred._est is None, "no second model while the clip is being tracked"
        inline.close()
        deferred.close()
        assert deferred.checks == inline.checks >= 2   # one check every 2 s of a 3 s clip
        assert deferred.crowded == inline.crowded
        if want == 0:
            assert deferred.crowded == 0 and deferred.message() is None
        else:
            assert deferred.crowded >= 1 and "More than one person" in (deferred.message() or "")
