"""The engine's NaN-free fast paths (formcheck/engine/smoothing.py, view.py) give what their
general, NaN-repairing paths give on the same positions: the swap check, whose torso is taken
from math.hypot away from its threshold, and the jump check with its reused buffers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from synth import bird_dog_pose

from formcheck.engine.smoothing import _SAME, MIN_JUMP, is_swapped, swap_sides
from formcheck.engine.view import MAX_TRUNK_SPEED_PER_S, JumpDetector

BASE = bird_dog_pose(-20.0, -40.0).landmarks[:, :2].astype(np.float64)


def torso(xy: np.ndarray) -> float:
    return float(np.hypot(*(xy[11] - xy[23])))


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), jump=st.floats(0.0, 3.0), swap=st.booleans())
def test_swap_check_fast_path_decides_as_the_general_one(seed: int, jump: float, swap: bool) -> None:
    rng = np.random.default_rng(seed)
    prev = BASE + rng.normal(0, 2, BASE.shape)
    # moves scaled to about MIN_JUMP x torso, so many cases sit right at the threshold
    step = rng.normal(0, 1, BASE.shape)
    mean = float(np.sqrt((step[_SAME] ** 2).sum(-1)).mean())
    cur = prev + step * (jump * MIN_JUMP * torso(prev) / mean)
    cur = swap_sides(cur) if swap else cur
    assert is_swapped(cur, prev, finite=True) == is_swapped(cur, prev, finite=False)


def test_swap_check_exactly_at_the_threshold() -> None:
    prev = BASE.copy()
    cur = prev.copy()
    cur[_SAME, 0] += MIN_JUMP * torso(prev)   # every body landmark moved by the limit itself
    assert is_swapped(cur, prev, finite=True) == is_swapped(cur, prev, finite=False)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), speed=st.floats(0.0, 2.0 * MAX_TRUNK_SPEED_PER_S),
       frames=st.integers(2, 6))
def test_jump_check_fast_path_and_buffers(seed: int, speed: float, frames: int) -> None:
    rng = np.random.default_rng(seed)
    fast, general = JumpDetector(), JumpDetector()
    xy = BASE.copy()
    trunk = torso(BASE)
    for i in range(frames):
        xy = xy + rng.normal(0, 1, BASE.shape) * speed * trunk / 30.0 / 1.25
        t = i * 1000.0 / 30.0
        assert fast(xy.copy(), t, (1280, 720), True) == general(xy.copy(), t, (1280, 720), False)
