from __future__ import annotations

import pytest

from formcheck.core.errors import DefinitionError
from formcheck.rules.definition import available_exercises, get_definition, load_definition

REQUIRED = {
    "bridge": {"hips_too_low", "hips_too_high", "knee_angle", "hold_too_short"},
    "bird_dog": {"arm_not_level", "leg_too_high", "leg_too_low", "elbow_bent", "knee_bent",
                 "trunk_not_level", "hold_too_short"},
    "sitting": {"knees_above_hips", "trunk_slouched", "trunk_reclined", "forward_head"},
    # the rest of the home programme (issue: at least these ids)
    "pelvic_tilt": {"hips_lifted"},
    "cat_cow": {"arms_bent", "small_range"},
    "wall_sit": {"too_high", "knees_past_ankles", "back_off_wall"},
    "plank": {"hips_sagging", "hips_piking", "head_dropped"},
    "knee_to_chest": {"other_leg_lifted"},
    "seated_hamstring_stretch": {"knee_bent", "back_rounded"},
    "piriformis_stretch": {"ankle_not_on_knee"},
    "standing_posture": {"forward_head", "sway_back", "trunk_leaning"},
    # issue 26: the three the patient guide names that were not judged yet
    "standing_hamstring_stretch": {"knee_bent", "back_rounded"},
    "sciatic_nerve_glide": {"tensioning"},
    "safe_lift": {"stooped_back", "knees_past_toes"},
}
# Held positions carry the sources' dose as the programme's default hold.
HOLDS = {"wall_sit": 30.0, "plank": 20.0, "knee_to_chest": 15.0, "seated_hamstring_stretch": 20.0,
         "piriformis_stretch": 20.0, "standing_hamstring_stretch": 20.0, "sciatic_nerve_glide": 0.0,
         "safe_lift": 0.0}
ONE_SIDED = {"bird_dog", "knee_to_chest", "seated_hamstring_stretch", "piriformis_stretch",
             "standing_hamstring_stretch", "sciatic_nerve_glide"}


@pytest.mark.parametrize("exercise", sorted(REQUIRED))
def test_bundled_definitions_have_required_checks_and_sources(exercise):
    d = get_definition(exercise)
    assert REQUIRED[exercise] <= set(d.check_ids())
    assert d.view == "side" and d.sources
    assert all(c.source for c in d.checks), "every threshold cites a source"


@pytest.mark.parametrize("exercise", sorted(REQUIRED))
def test_every_exercise_says_how_to_set_up_and_where_it_is_done(exercise):
    d = get_definition(exercise)
    assert d.view_cue and "camera" in d.view_cue.lower()
    assert d.position, "the body position the exercise is done in (look-alikes elsewhere)"
    assert all(q.source and q.cue for q in [*d.position, *d.shape])
    assert (d.phases.kind == "sided") == (exercise in ONE_SIDED), "per-side results"
    assert d.hold.recommended_s == HOLDS.get(exercise, d.hold.recommended_s)


def test_available_lists_the_three():
    assert {"bridge", "bird_dog", "sitting"} <= set(available_exercises())


BASE = (get_definition.__globals__["config"].EXERCISES_DIR / "sitting.toml").read_text()


@pytest.mark.parametrize("edit,expect", [
    (lambda s: s + "\ncolour = 'red'\n", r"colour: unknown key"),
    (lambda s: s.replace('points = ["hip", "shoulder"]', 'points = ["hip", "sholder"]', 1),
     r"measures.trunk_lean_deg.points: unknown landmark name"),
    (lambda s: s.replace("max = 20                  # RULA/REBA", "min = 30\nmax = 20 #", 1),
     r"min \(30.0\) is above max \(20.0\)"),
    (lambda s: s.replace("max = 120", "max = 250", 1), r"checks.2.max: .*less than or equal to 180"),
    (lambda s: s.replace('measure = "neck_lean_deg"', 'measure = "neck_deg"', 1),
     r"unknown measure 'neck_deg'"),
    (lambda s: s.replace('max = 10\n', 'max = "ten"\n', 1), r"checks.0.max: .*valid number"),
    (lambda s: s + "\n[[checks\n", r"not valid TOML"),
])
def test_invalid_definitions_name_file_field_and_reason(tmp_path, edit, expect):
    p = tmp_path / "broken.toml"
    p.write_text(edit(BASE))
    with pytest.raises(DefinitionError, match=expect) as e:
        load_definition(p)
    assert str(p) in str(e.value)


def test_unknown_exercise_lists_choices():
    with pytest.raises(DefinitionError, match=r"choose one of .*bridge"):
        get_definition("squat")


GLIDE = (get_definition.__globals__["config"].EXERCISES_DIR / "sciatic_nerve_glide.toml").read_text()
STEP = (get_definition.__globals__["config"].EXERCISES_DIR / "standing_hamstring_stretch.toml").read_text()


@pytest.mark.parametrize("base,edit,expect", [
    # an outside-band shape needs both ends of the band
    (GLIDE, lambda s: s.replace("min = -35\nmax = 5\noutside = true", "max = 5\noutside = true", 1),
     r"outside = true needs both min and max"),
    # a rise measure takes four points like a gap
    (STEP, lambda s: s.replace('points = ["opposite_ankle", "ankle", "opposite_knee", "opposite_ankle"]',
                               'points = ["opposite_ankle", "ankle"]', 1), r"kind 'rise' needs 4 points, got 2"),
])
def test_new_measure_kind_and_outside_band_are_validated(tmp_path, base, edit, expect):
    p = tmp_path / "broken.toml"
    p.write_text(edit(base))
    with pytest.raises(DefinitionError, match=expect):
        load_definition(p)


def test_outside_band_fails_inside_it_and_never_on_nan():
    q = get_definition("sciatic_nerve_glide").shape[0]
    assert q.outside and q.fails(-10.0) and not q.fails(20.0) and not q.fails(-45.0)
    assert not q.fails(float("nan"))


def test_a_where_condition_names_its_measure_and_gates_only_the_own_bound(tmp_path):
    """Check.where (issue 24): the own bound is judged only where the condition measure is seen
    and in range; the ``also`` criteria judge regardless; an unknown measure is an error."""
    import math

    from formcheck.engine.checks import compile_checks, judge, status_of

    p = tmp_path / "broken.toml"
    p.write_text(BASE.replace('measure = "shin_elevation_deg"', 'measure = "shin_deg"', 1))
    with pytest.raises(DefinitionError, match=r"checks\[knees_above_hips\].where: unknown measure 'shin_deg'"):
        load_definition(p)
    c = next(c for c in get_definition("sitting").checks if c.id == "trunk_reclined")
    reclined_by_thigh = {"trunk_thigh_deg": 125.0, "trunk_lean_deg": -10.0}
    assert status_of(c, {**reclined_by_thigh, "shin_elevation_deg": -80.0}) == "fail"
    assert status_of(c, {**reclined_by_thigh, "shin_elevation_deg": math.nan}) == "ok"   # the trunk line judged
    assert status_of(c, {**reclined_by_thigh, "shin_elevation_deg": 10.0}) == "ok"       # shin not below the knee
    assert status_of(c, {"trunk_thigh_deg": 125.0, "trunk_lean_deg": -30.0}) == "fail"
    k = next(c for c in compile_checks(get_definition("sitting")) if c.id == "knees_above_hips")
    r = judge(k, {"thigh_elevation_deg": 20.0}, {"shin_elevation_deg": ["left ankle"]})
    assert (r.status, r.value, r.message) == ("skipped", None, "Cannot judge: left ankle not visible.")
