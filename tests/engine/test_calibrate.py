"""Calibration from a good rep, set-up verdicts, on synthetic poses with known angles."""

from __future__ import annotations

import pytest
from synth import bridge_pose, bridge_reps, run

from formcheck.core.errors import FormcheckError
from formcheck.engine.calibrate import propose
from formcheck.engine.features import FeatureExtractor
from formcheck.engine.setup import setup_verdicts
from formcheck.rules.definition import get_definition


def test_proposal_brackets_what_the_patient_showed():
    d = get_definition("bridge")
    r = run(d, bridge_reps(3, top_deg=172.0, knee_deg=80.0))
    by_id = {p.check_id: p for p in propose(r, margin_deg=5.0)}
    low = by_id["hips_too_low"]
    # judged like faults: the settled top, within the 10 deg top margin of each rep's peak
    assert 162.0 <= low.observed_lo <= low.observed_hi <= 173.0 and low.observed_hi > 170.0
    assert low.proposed.min == pytest.approx(low.observed_lo - 5.0, abs=0.05) and low.proposed.max is None
    knee = by_id["knee_angle"]
    assert knee.proposed.min < 80.0 < knee.proposed.max and knee.frames > 10


def test_nothing_to_calibrate_without_a_top():
    d = get_definition("bridge")
    with pytest.raises(FormcheckError, match="nothing to calibrate"):
        propose(run(d, [bridge_pose(125.0)] * 30))


@pytest.mark.parametrize("pose,expect", [
    (bridge_pose(178.0), [True, True, True, True]),
    (bridge_pose(178.0, hidden=("left_ankle", "right_ankle")), [True, False, True, True]),
    (bridge_pose(178.0, view="front"), [True, True, False, True]),
    (None, [False, None, None, True]),
])
def test_setup_verdicts(pose, expect):
    d = get_definition("bridge")
    fx = FeatureExtractor(d, (1000, 800))
    f = None
    for i in range(20):   # the view settles over a few hundred ms
        f = fx(i * 33.3, pose)
    items = setup_verdicts(d, f, people=1)
    assert [i.ok for i in items] == expect
    crowded = setup_verdicts(d, f, people=2)[3]
    assert crowded.ok is False and "Two people" in crowded.message
    assert setup_verdicts(d, f, people=None)[3].ok is None
    if expect[1] is False:
        assert "ankle" in items[1].message
