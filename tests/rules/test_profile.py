from __future__ import annotations

import pytest

from formcheck.core.errors import DefinitionError
from formcheck.rules.definition import get_definition
from formcheck.rules.profile import Bounds, Profile, apply_profile, load_profile


def test_profile_overrides_only_named_thresholds():
    d = get_definition("bridge")
    p = Profile(exercise="bridge", definition_version=d.version, patient="jd", hold_target_s=3,
                thresholds={"hips_too_low": Bounds(min=160)})
    d2 = apply_profile(d, p)
    by = {c.id: c for c in d2.checks}
    assert by["hips_too_low"].min == 160 and by["knee_angle"].max == 100
    assert d2.hold.target_s == 3 and d.hold.target_s == 0   # original untouched


@pytest.mark.parametrize("kw,msg", [
    ({"exercise": "sitting"}, "profile is for 'sitting'"),
    ({"definition_version": "0.9"}, "version '0.9'"),
    ({"thresholds": {"no_such": Bounds(min=1)}}, "thresholds.no_such: unknown check id"),
    ({"thresholds": {"knee_angle": Bounds(min=120)}}, r"min \(120.0\) is above max"),
])
def test_bad_profiles_are_rejected_with_field(kw, msg):
    d = get_definition("bridge")
    args = {"exercise": "bridge", "definition_version": d.version} | kw
    with pytest.raises(DefinitionError, match=msg):
        apply_profile(d, Profile(**args))


def test_profile_file_unknown_key_and_range(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text('exercise = "bridge"\ndefinition_version = "1.0"\nextra = 1\n'
                 '[thresholds.knee_angle]\nmin = 500\n')
    with pytest.raises(DefinitionError) as e:
        load_profile(p)
    assert "extra: unknown key" in str(e.value) and "thresholds.knee_angle.min" in str(e.value)
