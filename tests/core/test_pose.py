from __future__ import annotations

import numpy as np
import pytest

from formcheck.core.errors import FormcheckError
from formcheck.core.landmarks import Landmark, resolve
from formcheck.core.pose import ClipInfo, FramePose, PoseSequence, empty_frame_arrays


def _pose() -> FramePose:
    return FramePose(np.ones((33, 5), np.float32), np.zeros((33, 3), np.float32))


def test_landmark_names_and_resolution():
    assert len(Landmark) == 33 and Landmark.LEFT_HIP == 23
    assert resolve("hip", "left") is Landmark.LEFT_HIP
    assert resolve("opposite_wrist", "left") is Landmark.RIGHT_WRIST
    assert resolve("nose", "right") is Landmark.NOSE
    with pytest.raises(KeyError, match="allowed"):
        resolve("elbw", "left")


@pytest.mark.parametrize("shape,dtype,msg", [
    ((32, 5), np.float32, r"shape \(33, 5\)"),
    ((33, 5), np.float64, "float32"),
])
def test_frame_pose_validation(shape, dtype, msg):
    with pytest.raises(ValueError, match=msg):
        FramePose(np.zeros(shape, dtype), np.zeros((33, 3), np.float32))


def test_sequence_validation():
    lm, wm = empty_frame_arrays()
    with pytest.raises(ValueError, match="strictly increasing"):
        PoseSequence(np.array([0.0, 0.0]), np.stack([lm, lm]), np.stack([wm, wm]))
    with pytest.raises(ValueError, match="shape"):
        PoseSequence(np.array([0.0]), np.stack([lm, lm]), np.stack([wm, wm]))


def test_roundtrip_keeps_arrays_metadata_and_missing_frames(tmp_path):
    info = ClipInfo(path="x.mp4", fps=30.0, width=640, height=480, frames=2, model="m.task")
    seq = PoseSequence.from_frames([0.0, 33.3], [_pose(), None], info)
    seq.save(tmp_path / "p.npz")
    back = PoseSequence.load(tmp_path / "p.npz")
    assert back.info == info
    assert back.detected.tolist() == [True, False]
    assert back.frame(1) is None
    np.testing.assert_array_equal(back.landmarks[0], seq.landmarks[0])


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_load_rejects_non_pose_files(tmp_path, content):
    p = tmp_path / "bad.npz"
    p.write_bytes(content)
    with pytest.raises(FormcheckError, match=r"bad\.npz"):
        PoseSequence.load(p)


def test_load_missing_file(tmp_path):
    with pytest.raises(FormcheckError, match="no such pose file"):
        PoseSequence.load(tmp_path / "none.npz")
