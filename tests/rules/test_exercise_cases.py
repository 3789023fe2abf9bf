"""Every exercise's cases file (exercises/cases/*.cases.toml) run through the engine: the
verdict a synthetic pose sequence must get, per exercise, with no model. Any cases file
present is picked up; the file format itself is validated (see tests/exercise_cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from exercise_cases import CASES_DIR, cases_files, load_cases, mismatches, run_case

from formcheck.core.errors import DefinitionError

ALL = [(p, c.id) for p in cases_files() for c in load_cases(p)[0].cases]


@pytest.mark.parametrize("path,case_id", ALL, ids=[f"{p.name.split('.')[0]}:{c}" for p, c in ALL])
def test_case_verdict(path: Path, case_id: str) -> None:
    cf, d, poses = load_cases(path)
    case = next(c for c in cf.cases if c.id == case_id)
    problems = mismatches(case, run_case(d, case, poses))
    if case.known_limitation:
        assert problems, f"{path.name} [{case_id}] now passes: remove its known_limitation"
        pytest.xfail(f"{case.known_limitation} ({'; '.join(problems)})")
    assert not problems, f"{path.name} [{case_id}]: " + "; ".join(problems)


# the bundled exercises that must have cases; any other cases file present is run as well
EXERCISES = ["bridge", "bird_dog", "sitting", "pelvic_tilt", "cat_cow", "wall_sit", "plank", "knee_to_chest",
             "seated_hamstring_stretch", "piriformis_stretch", "standing_posture"]


def test_every_bundled_exercise_has_cases() -> None:
    have = {p.name.removesuffix(".cases.toml") for p in cases_files()}
    assert not set(EXERCISES) - have, f"no cases file in {CASES_DIR} for {sorted(set(EXERCISES) - have)}"


@pytest.mark.parametrize("path", cases_files(), ids=lambda p: p.name.split(".")[0])
def test_cases_cover_every_check_a_good_rep_and_the_gates(path: Path) -> None:
    """At least one case (not a known limitation) per check that expects it, one with no fault at
    all, and, where the definition gates its reps by shape or position, one refused (0 reps)."""
    cf, d, _ = load_cases(path)
    cases = [c for c in cf.cases if not c.known_limitation]
    named = {x for c in cases for x in [*(f for rep in c.expect.faults or [] for f in rep),
                                        *(c.expect.episodes or {})]}
    unnamed = sorted({c.id for c in d.checks} - named)
    assert not unnamed, f"{path.name}: no case expects {unnamed}"
    good = [c for c in cases if (c.expect.faults and not any(c.expect.faults)) or c.expect.episodes == {}]
    assert good, f"{path.name}: no case expects good form"
    if d.shape or d.position:
        assert any(c.expect.reps == 0 or (c.expect.episodes == {} and c.expect.messages) for c in cases), \
            f"{path.name}: no case shows a look-alike or an out-of-position body refused"


GOOD = """exercise = "bridge"
[poses.rest]
trunk = 180
neck = 180
face = 150
upper_arm = -20
forearm = 0
thigh = 45
shin = -60
[[cases]]
id = "c"
steps = ["rest"]
expect = { reps = 0 }
"""


@pytest.mark.parametrize("edit,message", [
    (("expect = { reps = 0 }", "expect = { reps = 0, colour = 1 }"), "expect.colour: unknown key"),
    (("id = \"c\"", "id = \"c\"\nspeed = 2"), "speed: unknown key"),
    (("expect = { reps = 0 }", "expect = { faults = [[\"hips_too_lo\"]] }"), "unknown check id(s) ['hips_too_lo']"),
    (("expect = { reps = 0 }", "expect = { skipped = { knee = \"x\" } }"), "unknown check id(s) ['knee']"),
    (("steps = [\"rest\"]", "steps = [\"top\"]"), "unknown pose 'top'"),
    (("shin = -60", "shin = -60\ntail = 3"), "poses.rest.tail: unknown segment"),
    (("shin = -60", ""), "poses.rest: missing segment(s) ['shin']"),
    (("steps = [\"rest\"]", "steps = [{ pose = \"rest\", hidden = [\"left_paw\"] }]"),
     "unknown landmark(s) ['left_paw']"),
    (("exercise = \"bridge\"", "exercise = \"plank\""), "does not match the file name"),
    (("reps = 0", "reps = -1"), "expect.reps"),
])
def test_a_bad_cases_file_is_an_error_naming_the_file(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    path = tmp_path / "bridge.cases.toml"
    path.write_text(GOOD.replace(*edit))
    with pytest.raises(DefinitionError) as e:
        load_cases(path)
    assert str(path) in str(e.value) and message in str(e.value)


def test_the_sample_file_above_is_valid_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "bridge.cases.toml"
    path.write_text(GOOD)
    cf, d, poses = load_cases(path)
    assert not mismatches(cf.cases[0], run_case(d, cf.cases[0], poses))


def test_an_unknown_exercise_is_named(tmp_path: Path) -> None:
    path = tmp_path / "rowing.cases.toml"
    path.write_text(GOOD.replace("exercise = \"bridge\"", "exercise = \"rowing\""))
    with pytest.raises(DefinitionError, match=r"rowing.cases.toml: exercise: unknown exercise 'rowing'"):
        load_cases(path)


def test_cases_folder_is_not_read_as_exercise_definitions() -> None:
    from formcheck.rules.definition import available_exercises
    assert not any("cases" in p.parts[-2] for p in available_exercises().values())
    assert set(EXERCISES) <= set(available_exercises())


def test_a_wrong_expectation_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bridge.cases.toml"
    path.write_text(GOOD.replace("expect = { reps = 0 }", "expect = { reps = 1, messages = [\"Lift\"] }"))
    cf, d, poses = load_cases(path)
    problems = mismatches(cf.cases[0], run_case(d, cf.cases[0], poses))
    assert problems[0].startswith("reps: expected 1, got 0") and "messages: none has 'Lift'" in problems[1]
