"""Geometry: table-driven known angles and property tests (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from formcheck.core import geometry as g

finite = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)
point2 = st.tuples(finite, finite).map(np.array)
point3 = st.tuples(finite, finite, finite).map(np.array)


@pytest.mark.parametrize("a,b,c,deg", [
    ((1, 0), (0, 0), (0, 1), 90.0),
    ((1, 0), (0, 0), (-1, 0), 180.0),
    ((1, 0), (0, 0), (1, 0), 0.0),
    ((1, 0), (0, 0), (1, 1), 45.0),
    ((1, 0, 0), (0, 0, 0), (0, 0, 1), 90.0),
    ((0, 0), (0, 0), (1, 1), math.nan),   # degenerate: NaN, never a guess
])
def test_joint_angle_table(a, b, c, deg):
    got = float(g.joint_angle_deg(a, b, c))
    assert (math.isnan(got) and math.isnan(deg)) or got == pytest.approx(deg, abs=1e-9)


@pytest.mark.parametrize("p,q,vertical,elev", [
    ((0, 0), (0, -1), 0.0, 90.0),      # straight up in the image
    ((0, 0), (1, 0), 90.0, 0.0),
    ((0, 0), (-1, 0), 90.0, 0.0),
    ((0, 0), (1, 1), 135.0, -45.0),    # down-right
])
def test_inclination_and_elevation(p, q, vertical, elev):
    assert float(g.inclination_from_vertical_deg(p, q)) == pytest.approx(vertical)
    assert float(g.elevation_deg(p, q)) == pytest.approx(elev)


@pytest.mark.parametrize("q,facing,lean", [
    ((1, -1), 1, 45.0), ((1, -1), -1, -45.0), ((-1, -1), -1, 45.0), ((0, -1), 1, 0.0),
])
def test_forward_lean_sign_follows_facing(q, facing, lean):
    assert float(g.forward_lean_deg((0, 0), q, facing)) == pytest.approx(lean)


@pytest.mark.parametrize("b,sign", [((5, -1), 1), ((5, 1), -1), ((5, 0), 0)])
def test_bend_sign_is_above_line(b, sign):
    for a, c in (((0, 0), (10, 0)), ((10, 0), (0, 0))):   # independent of a/c order
        v = float(g.bend_deg(a, b, c))
        assert np.sign(round(v, 9)) == sign


def _rot(theta: float) -> np.ndarray:
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


@settings(max_examples=200, deadline=None)
@given(point2, point2, point2, finite, finite, st.floats(0, 2 * math.pi), st.floats(0.01, 100))
def test_angle_invariant_under_similarity(a, b, c, tx, ty, theta, scale):
    assume(np.linalg.norm(a - b) > 1e-3 and np.linalg.norm(c - b) > 1e-3)
    base = float(g.joint_angle_deg(a, b, c))
    t = np.array([tx, ty])
    moved = [scale * (_rot(theta) @ p) + t for p in (a, b, c)]
    assert 0.0 <= base <= 180.0
    assert float(g.joint_angle_deg(*moved)) == pytest.approx(base, abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(point3, point3, point3)
def test_angle_3d_range_and_symmetry(a, b, c):
    assume(np.linalg.norm(a - b) > 1e-3 and np.linalg.norm(c - b) > 1e-3)
    v = float(g.joint_angle_deg(a, b, c))
    assert 0.0 <= v <= 180.0
    assert float(g.joint_angle_deg(c, b, a)) == pytest.approx(v, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(point2, point2, st.sampled_from([-1.0, 1.0]))
def test_mirror_symmetry(p, q, facing):
    """Mirroring the image (x -> -x) and the facing direction leaves signed leans unchanged,
    and mirrors nothing in interior angles or elevations."""
    assume(np.linalg.norm(q - p) > 1e-3)
    m = np.array([-1.0, 1.0])
    assert float(g.forward_lean_deg(p * m, q * m, -facing)) == pytest.approx(
        float(g.forward_lean_deg(p, q, facing)), abs=1e-9)
    assert float(g.elevation_deg(p * m, q * m)) == pytest.approx(float(g.elevation_deg(p, q)), abs=1e-9)


def test_vectorised_over_sequences():
    a = np.tile([1.0, 0.0], (5, 33, 1))
    b = np.zeros((5, 33, 2))
    c = np.tile([0.0, 1.0], (5, 33, 1))
    out = g.joint_angle_deg(a, b, c)
    assert out.shape == (5, 33) and np.allclose(out, 90.0)


def test_near_side_score_prefers_nearer_and_more_visible():
    assert g.near_side_score([-0.2, -0.2], [0.2, 0.2], [0.99, 0.99], [0.5, 0.5]) > 0
    assert g.near_side_score([0.2, 0.2], [-0.2, -0.2], [0.5, 0.5], [0.99, 0.99]) < 0


# -- The scalar fast path the live engine uses must agree with the array versions. -----------
pt = st.tuples(finite, finite)
edge_pt = st.sampled_from([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (math.nan, 0.0)])
any_pt = pt | edge_pt


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, abs=1e-6)


@settings(max_examples=300)
@given(any_pt, any_pt, any_pt, st.sampled_from([1.0, -1.0]))
def test_scalar_fast_path_matches_arrays(a, b, c, facing):
    with np.errstate(invalid="ignore"):
        assert _same(g.joint_angle_2d(a, b, c), float(g.joint_angle_deg(a, b, c)))
        assert _same(g.bend_2d(a, b, c), float(g.bend_deg(a, b, c)))
        assert _same(g.elevation_2d(a, b), float(g.elevation_deg(a, b)))
        assert _same(g.forward_lean_2d(a, b, facing), float(g.forward_lean_deg(a, b, facing)))
        assert _same(g.inclination_2d(a, b), float(g.inclination_from_vertical_deg(a, b)))


@given(st.lists(st.tuples(finite, finite, st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=3),
       st.floats(0.5, 500))
def test_scalar_near_side_matches_arrays(pairs, scale):
    lz, rz, lv, rv = (np.array(col) for col in zip(*pairs, strict=True))
    want = float(g.near_side_score(lz / scale, rz / scale, lv, rv))
    assert _same(g.near_side_score_2(tuple(pairs), scale), want)


@pytest.mark.parametrize("a,b,r1,r2,pct", [
    ((0, 100), (50, 60), (0, 0), (0, 80), 50.0),     # b 40 px higher than a, reference 80 px
    ((0, 60), (0, 100), (0, 0), (30, 40), -80.0),    # b lower: negative
    ((0, 10), (99, 10), (0, 0), (3, 4), 0.0),        # level: 0 whatever the horizontal gap
    ((0, 10), (0, 0), (5, 5), (5, 5), math.nan),     # no reference length: NaN
])
def test_rise_pct_table(a, b, r1, r2, pct):
    got = g.rise_pct_2d(a, b, r1, r2)
    assert (math.isnan(got) and math.isnan(pct)) or got == pytest.approx(pct)


@settings(max_examples=200, deadline=None)
@given(point2, point2, point2, point2, finite, finite, st.floats(0.01, 100))
def test_rise_is_scale_free_and_ignores_horizontal_moves(a, b, r1, r2, tx, ty, scale):
    assume(np.linalg.norm(r2 - r1) > 1e-3)
    base = g.rise_pct_2d(a, b, r1, r2)
    t = np.array([tx, ty])
    moved = g.rise_pct_2d(*(scale * p + t for p in (a, b, r1, r2)))
    assert moved == pytest.approx(base, rel=1e-6, abs=1e-6)
    assert g.rise_pct_2d(a, b + np.array([tx, 0.0]), r1, r2) == pytest.approx(base, rel=1e-6, abs=1e-6)
    assert g.rise_pct_2d(b, a, r1, r2) == pytest.approx(-base, rel=1e-6, abs=1e-6)
