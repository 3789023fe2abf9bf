"""The measure-kind registry (formcheck/core/measure_kinds.py): every kind's convention on known
points, its world twin agreeing with the image value in a true side view, and an unknown kind
being a definition error naming the file."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from formcheck.core.errors import DefinitionError
from formcheck.core.measure_kinds import KINDS, kind_of
from formcheck.engine.features import WORLD_KINDS
from formcheck.rules.definition import POINTS_PER_KIND, load_definition

# image pixels, y down: a knee at (0, 0), the hip 100 px up, the ankle 100 px to the right
HIP, KNEE, ANKLE = (0.0, -100.0), (0.0, 0.0), (100.0, 0.0)


@pytest.mark.parametrize("kind,points,facing,value", [
    ("angle", [HIP, KNEE, ANKLE], 1.0, 90.0),
    ("bend", [HIP, KNEE, ANKLE], 1.0, -90.0),         # knee below the hip-ankle line
    ("bend", [HIP, (100.0, -100.0), ANKLE], 1.0, 90.0),
    ("elevation", [KNEE, HIP], 1.0, 90.0),
    ("elevation", [KNEE, ANKLE], -1.0, 0.0),
    ("forward_lean", [KNEE, (100.0, -100.0)], 1.0, 45.0),
    ("forward_lean", [KNEE, (100.0, -100.0)], -1.0, -45.0),   # facing left: that lean is back
    ("inclination", [KNEE, (100.0, -100.0)], -1.0, 45.0),
    ("gap", [KNEE, ANKLE, HIP, (0.0, -300.0)], 1.0, 50.0),     # 100 px is half the 200 px segment
    # limb_gap: a wrist 10 px off the shin, in % of the 100 px thigh; beside the hip (the near
    # half of the thigh) it is measured to the thigh's middle, not to the hip
    ("limb_gap", [(50.0, 10.0), HIP, KNEE, ANKLE], 1.0, 10.0),
    ("limb_gap", [(0.0, -30.0), HIP, KNEE, ANKLE], 1.0, 0.0),   # on the far half of the thigh
    ("limb_gap", [(10.0, -100.0), HIP, KNEE, ANKLE], 1.0, math.hypot(10.0, 50.0)),
])
def test_each_kind_keeps_its_convention(kind: str, points: list, facing: float, value: float) -> None:
    k = KINDS[kind]
    assert len(points) == k.points == POINTS_PER_KIND[kind]
    assert k.in_2d(points, facing) == pytest.approx(value, abs=1e-9)


def test_units_and_world_twins() -> None:
    assert {n: k.unit for n, k in KINDS.items()} == {
        "angle": "deg", "bend": "deg", "elevation": "deg", "forward_lean": "deg", "inclination": "deg", "gap": "%",
        "limb_gap": "%", "rise": "%"}
    assert {"elevation", "inclination", "forward_lean"} == WORLD_KINDS
    assert [n for n, k in KINDS.items() if not k.foreshortened] == ["gap", "rise"]
    # a covered limb's phase measure is estimated only by world twins that need no facing
    assert [n for n, k in KINDS.items() if k.covers_hidden] == ["elevation", "inclination"]
    assert all(KINDS[n].in_3d is not None for n in ("elevation", "inclination"))


@pytest.mark.parametrize("kind", sorted(WORLD_KINDS))
def test_world_twin_equals_the_image_value_in_a_side_view(kind: str) -> None:
    """Camera at the person's side: world x = image x (metres), y down alike, z = 0."""
    p, q = (0.1, 0.2), (0.4, -0.1)
    k = KINDS[kind]
    world = k.in_3d([(*p, 0.0), (*q, 0.0)], (1.0, 0.0))  # type: ignore[misc]
    assert world == pytest.approx(k.in_2d([p, q], 1.0), abs=1e-9)
    assert not math.isnan(world)


def test_an_unknown_kind_is_a_definition_error_naming_the_file(tmp_path: Path) -> None:
    src = (Path(__file__).resolve().parents[2] / "exercises" / "bridge.toml").read_text()
    bad = tmp_path / "bridge.toml"
    bad.write_text(src.replace('kind = "bend"', 'kind = "curl"', 1))
    with pytest.raises(DefinitionError) as e:
        load_definition(bad)
    msg = str(e.value)
    assert str(bad) in msg and "unknown measure kind 'curl'" in msg and "gap" in msg
    with pytest.raises(ValueError, match="kinds: angle, bend"):
        kind_of("curl")
