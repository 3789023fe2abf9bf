"""End-to-end on the real clips in ../shared/media with their labels (skipped when absent):
the real model finds the person, stills match golden landmarks, evaluate passes the labels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import LABELS, MEDIA, media_or_skip

from formcheck.definition import load_toml

pytestmark = [pytest.mark.media, pytest.mark.slow]
GOLDEN = Path(__file__).parent / "golden" / "stills.json"
# Golden tolerance: 1.5% of the image's longer side for x/y (a few px), 0.05 for visibility.
TOL_FRACTION = 0.015
KNOWN_LIMITATIONS = {
    # MediaPipe puts this hip only 4 deg above the shoulder-knee line, less than the good
    # darebee reps reach (5 deg): no 2D hip-line rule separates them (see issue 3 note).
    "bridge/fedb_butt_lift_bridge_1.jpg": "hyperextension not visible in MediaPipe landmarks",
}


def _entries():
    if not LABELS.is_file():
        return []
    data = load_toml(LABELS)
    return [("clip", e) for e in data.get("clip", [])] + [("image", e) for e in data.get("image", [])]


CLIPS = [e["path"] for k, e in _entries() if k == "clip"]


@pytest.mark.parametrize("rel", CLIPS or ["(no media)"])
def test_person_found_in_95_percent_of_frames(rel, pose_cache):
    media_or_skip()
    seq = pose_cache(rel)
    assert len(seq) > 0
    assert seq.detected.mean() >= 0.95, f"{rel}: person in {seq.detected.mean():.0%} of frames"


def test_stills_match_golden_landmarks(media, pose_cache):
    golden = json.loads(GOLDEN.read_text())
    for rel, want in golden.items():
        seq = pose_cache(rel)
        got = seq.landmarks[0]
        tol = TOL_FRACTION * max(seq.info.width, seq.info.height)
        want_arr = np.array(want["landmarks"], np.float32)
        np.testing.assert_allclose(got[:, :2], want_arr[:, :2], atol=tol, err_msg=rel)
        np.testing.assert_allclose(got[:, 3], want_arr[:, 3], atol=0.05, err_msg=rel)


@pytest.fixture(scope="module")
def evaluated(media, tmp_path_factory):
    from formcheck.evaluate import evaluate

    return {x.path: x for x in evaluate(LABELS, cache_dir=tmp_path_factory.mktemp("evalcache"))}


@pytest.mark.parametrize("kind,entry", _entries() or [("none", {"path": "(no media)"})],
                         ids=lambda v: v if isinstance(v, str) else v.get("path"))
def test_evaluate_labels_entry(kind, entry, evaluated):
    x = evaluated[entry["path"]]
    if entry["path"] in KNOWN_LIMITATIONS:
        pytest.xfail(KNOWN_LIMITATIONS[entry["path"]])
    assert x.passed is not False, f"{x.path}: {'; '.join(x.problems)}"


def test_known_limitations_still_fail(evaluated):
    """If a known limitation starts passing, drop it from the list (strict bookkeeping)."""
    for path in KNOWN_LIMITATIONS:
        assert evaluated[path].passed is False, f"{path} passes now: remove it from KNOWN_LIMITATIONS"


def test_evaluate_cli_exit_code_and_table(media, tmp_path):
    from formcheck.cli import main

    # a small labels file in the same format, in another folder: the tool must follow paths
    lab = tmp_path / "LABELS.toml"
    clip = MEDIA / "sitting" / "ipd_sitting_front.mp4"
    lab.write_text(f'[[clip]]\npath = "{clip}"\nexercise = "sitting"\nview = "front"\n'
                   f'[[image]]\npath = "{MEDIA / "sitting" / "bozliu_recline.jpg"}"\n'
                   'exercise = "sitting"\nform = "fault"\nfaults = ["trunk_reclined"]\n')
    assert main(["evaluate", str(lab)]) == 0
    lab.write_text(f'[[image]]\npath = "{MEDIA / "sitting" / "bozliu_recline.jpg"}"\n'
                   'exercise = "sitting"\nform = "good"\n')
    assert main(["evaluate", str(lab)]) == 1
