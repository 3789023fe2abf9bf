"""The MediaPipe adapter (formcheck.media.estimator): a frame with padded rows (as a decoder gives
a 1080 px wide frame) is judged exactly as its packed copy, through one buffer kept per stream."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from formcheck.media.bundles import default_model_path
from formcheck.media.estimator import PoseEstimator
from formcheck.media.video_reader import MediaReader

CLIP = Path(__file__).resolve().parents[2] / "sample_videos" / "polybag_bird_dog.mp4"   # 1080 x 1920


def test_a_frame_with_padded_rows_gives_the_pose_of_its_packed_copy():
    with MediaReader(CLIP, prefetch=0) as r:
        frames = [(f.rgb, f.t_ms) for f, _ in zip(r, range(3), strict=False)]
    assert not frames[0][0].flags.c_contiguous, "the decoder pads a 1080 px row (3240 -> 3264 bytes)"
    with PoseEstimator(default_model_path()) as padded, PoseEstimator(default_model_path()) as packed:
        buffers = set()
        for rgb, t in frames:
            a, b = padded.detect(rgb, t), packed.detect(np.ascontiguousarray(rgb), t)
            assert a is not None and b is not None
            assert np.array_equal(a.landmarks, b.landmarks) and np.array_equal(a.world_m, b.world_m)
            buffers.add(id(padded._rows))
        assert len(buffers) == 1 and packed._rows is None   # one buffer for the stream, none when packed
