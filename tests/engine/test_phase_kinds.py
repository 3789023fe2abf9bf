"""Phase kinds, directions and gates added for the home programme, on synthetic measure
sequences fed straight to the scorer (no landmarks): direction down, swing, rep_range checks,
from_rest, must_see shape gates, count_views, the front-view gate rule, the shape-aware side
pick, and the gap measure."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formcheck.core import geometry as g
from formcheck.core.errors import DefinitionError  # noqa: F401  (validation errors below are pydantic's)
from formcheck.engine.checks import OBLIQUE_MESSAGE
from formcheck.engine.features import Features
from formcheck.engine.scorer import Scorer
from formcheck.rules.definition import Definition

DT_MS = 1000.0 / 30.0


def _definition(phases: dict, checks: list[dict] | None = None, **extra) -> Definition:
    data = {
        "id": "t", "name": "T", "version": "1.0", "view": "side",
        "measures": {
            "m": {"kind": "angle", "points": ["hip", "knee", "ankle"]},
            "gate": {"kind": "elevation", "points": ["hip", "knee"]},
            "reach": {"kind": "gap", "points": ["wrist", "ankle", "shoulder", "hip"]},
        },
        "phases": phases,
        "checks": checks if checks is not None else [
            {"id": "c", "measure": "m", "phase": phases.get("active", "top"), "min": -180, "cue": "x"}],
    }
    data.update(extra)
    return Definition.model_validate(data)


def _feed(d: Definition, values: list[dict[str, float] | tuple[str, dict[str, dict[str, float]]]],
          view: str = "side", still: bool = False, gates: list[dict] | None = None) -> Scorer:
    """Run per-frame measure dicts (near side left) through a scorer."""
    sc = Scorer(d, still=still)
    for i, v in enumerate(values):
        per_side = v if isinstance(v, dict) and "left" in v else {"left": v, "right": v}
        gate = gates[i] if gates else {s: dict(x) for s, x in per_side.items()}
        sc(Features(t_ms=i * DT_MS, pose=True, view=view, near_side="left",
                    values=per_side, gate_values=gate))
    sc.finish()
    return sc


def _ramp(a: float, b: float, n: int = 15) -> list[float]:
    return [a + (b - a) * i / (n - 1) for i in range(n)]


# -- direction down -------------------------------------------------------------------------
def test_direction_down_counts_where_the_measure_is_low():
    d = _definition({"kind": "cycle", "direction": "down", "measure": "m", "enter": 120, "exit": 130,
                     "rest": 145, "active": "hold"})
    knee = [170.0] * 10 + _ramp(170, 90) + [90.0] * 20 + _ramp(90, 170) + [170.0] * 10
    sc = _feed(d, [{"m": v} for v in knee * 2])
    assert len(sc.reps) == 2
    # and a knee that only bends to 125 never enters
    assert not _feed(d, [{"m": v} for v in _ramp(170, 125) + _ramp(125, 170)]).reps


def test_direction_down_needs_mirrored_hysteresis():
    with pytest.raises(ValueError, match="exit >= enter"):
        _definition({"kind": "cycle", "direction": "down", "measure": "m", "enter": 120, "exit": 110})


# -- swing ----------------------------------------------------------------------------------
def _swing(offset: float, amplitude: float, rounds: int) -> list[dict[str, float]]:
    lo, hi = offset - amplitude / 2, offset + amplitude / 2
    seq = []
    for _ in range(rounds):
        seq += _ramp(lo, hi, 20) + [hi] * 10 + _ramp(hi, lo, 20) + [lo] * 10
    return [{"m": v} for v in seq]


SWING = {"kind": "swing", "measure": "m", "enter": 20, "exit": 10, "active": "cat"}


@pytest.mark.parametrize("offset", [-40.0, -10.0, 0.0, 25.0])
def test_swing_counts_rounds_whatever_the_persons_neutral_angle(offset):
    assert len(_feed(_definition(SWING), _swing(offset, 45.0, 3)).reps) == 3


def test_swing_ignores_small_movements():
    assert not _feed(_definition(SWING), _swing(0.0, 15.0, 4)).reps


def test_rep_range_check_names_a_small_round():
    checks = [{"id": "small_range", "measure": "m", "phase": "cat", "of": "rep_range", "min": 30,
               "cue": "Move further."}]
    d = _definition(SWING, checks)
    small, full = _feed(d, _swing(0.0, 25.0, 2)), _feed(d, _swing(0.0, 45.0, 2))
    assert len(small.reps) == 2 and all("small_range" in r.faults for r in small.reps)
    assert len(full.reps) == 2 and not any(r.faults for r in full.reps)


def test_rep_range_check_must_be_on_the_phase_measure():
    with pytest.raises(ValueError, match="rep_range"):
        _definition(SWING, [{"id": "r", "measure": "gate", "of": "rep_range", "min": 30, "cue": "x"}])


def test_swing_needs_positive_rise_and_fall():
    with pytest.raises(ValueError, match="swing"):
        _definition({"kind": "swing", "measure": "m", "enter": -5, "exit": 10})


# -- from_rest --------------------------------------------------------------------------------
FROM_REST = {"kind": "cycle", "direction": "down", "measure": "m", "enter": 120, "exit": 130,
             "rest": 145, "active": "hold", "from_rest": True}


def test_from_rest_counts_only_a_top_reached_from_the_rest_position():
    d = _definition(FROM_REST)
    seated = [{"m": 92.0}] * 60                          # already down (on a chair) the whole time
    assert not _feed(d, seated).reps
    slid = [{"m": v} for v in [170.0] * 10 + _ramp(170, 92) + [92.0] * 30]
    assert len(_feed(d, slid).reps) == 1
    half = [{"m": v} for v in _ramp(92, 138) + _ramp(138, 92)]   # rises, not to standing
    assert len(_feed(d, slid + half).reps) == 1
    assert not _feed(d, [{"m": 92.0}], still=True).reps   # a photo cannot tell wall from chair


# -- shape gates ------------------------------------------------------------------------------
def _gated(must_see: bool) -> Definition:
    return _definition({"kind": "cycle", "measure": "m", "enter": 150, "exit": 140, "rest": 130},
                       shape=[{"measure": "gate", "max": -50, "cue": "Knee down.", "must_see": must_see}])


def _up_and_down() -> list[dict[str, float]]:
    return [{"m": v} for v in _ramp(120, 170) + [170.0] * 10 + _ramp(170, 120)]


def test_hidden_shape_measure_counts_with_a_note_unless_it_must_be_seen():
    frames = _up_and_down()
    hidden = [{"left": {"gate": math.nan}, "right": {"gate": math.nan}} for _ in frames]
    loose = _feed(_gated(False), frames, gates=hidden)
    assert len(loose.reps) == 1 and loose.reps[0].notes
    assert not _feed(_gated(True), frames, gates=hidden).reps


def test_front_view_trusts_only_distance_gates():
    """Foreshortened angles in a front view neither block nor confirm; gap gates still do."""
    d = _definition({"kind": "cycle", "measure": "m", "enter": 150, "exit": 140, "rest": 130},
                    count_views=["side", "front"],
                    shape=[{"measure": "gate", "max": -50, "cue": "Knee down."},
                           {"measure": "reach", "max": 80, "cue": "Reach."}])
    frames = _up_and_down()
    angle_fails = [{"left": {"gate": 0.0, "reach": 50.0}, "right": {"gate": 0.0, "reach": 50.0}}] * len(frames)
    assert not _feed(d, frames, view="side", gates=angle_fails).reps
    front = _feed(d, frames, view="front", gates=angle_fails)
    assert len(front.reps) == 1
    far = [{"left": {"gate": -80.0, "reach": 120.0}, "right": {"gate": -80.0, "reach": 120.0}}] * len(frames)
    assert not _feed(d, frames, view="front", gates=far).reps


def test_sided_pick_prefers_the_side_whose_shape_holds():
    """A crossed leg reads as flexed as the pulled one; the side whose shape holds is the rep's."""
    d = _definition({"kind": "sided", "direction": "down", "measure": "m", "enter": 80, "exit": 95,
                     "rest": 110, "active": "hold"},
                    shape=[{"measure": "reach", "max": 75, "cue": "Cross."}])
    vals, gates = [], []
    for v in _ramp(120, 70) + [70.0] * 10 + _ramp(70, 120):
        vals.append({"left": {"m": v - 30}, "right": {"m": v}})     # left reads deeper...
        gates.append({"left": {"reach": 150.0}, "right": {"reach": 30.0}})   # ...but is not crossed
    sc = _feed(d, vals, gates=gates)
    assert [r.side for r in sc.reps] == ["right"]


# -- count_views --------------------------------------------------------------------------------
def test_count_views_counts_off_view_but_judges_only_in_view():
    d = _definition({"kind": "cycle", "measure": "m", "enter": 150, "exit": 140, "rest": 130},
                    [{"id": "c", "measure": "m", "phase": "top", "max": 160, "cue": "Less."}],
                    count_views=["side", "oblique", "front"])
    front = _feed(d, _up_and_down(), view="front")
    assert len(front.reps) == 1 and not front.reps[0].faults
    side = _feed(d, _up_and_down(), view="side")
    assert side.reps[0].faults == ["c"]
    plain = _definition({"kind": "cycle", "measure": "m", "enter": 150, "exit": 140, "rest": 130})
    assert not _feed(plain, _up_and_down(), view="front").reps
    assert plain.counts_in("oblique") and not plain.counts_in("front")
    assert OBLIQUE_MESSAGE.startswith("Can't judge")


# -- gap measure --------------------------------------------------------------------------------
def test_gap_is_a_percentage_of_the_reference_segment():
    assert g.gap_pct_2d((0, 0), (30, 40), (0, 0), (0, 100)) == pytest.approx(50.0)
    assert math.isnan(g.gap_pct_2d((0, 0), (1, 1), (5, 5), (5, 5)))


coords = st.floats(-500, 500, allow_nan=False)


@given(coords, coords, coords, coords, coords, coords, st.floats(0.1, 10.0), coords, coords)
def test_gap_does_not_depend_on_scale_or_position(ax, ay, bx, by, rx, ry, k, tx, ty):
    r2 = (rx + 50.0, ry + 20.0)
    base = g.gap_pct_2d((ax, ay), (bx, by), (rx, ry), r2)

    def tf(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] * k + tx, p[1] * k + ty)
    moved = g.gap_pct_2d(tf((ax, ay)), tf((bx, by)), tf((rx, ry)), tf(r2))
    assert moved == pytest.approx(base, rel=1e-6, abs=1e-6)
