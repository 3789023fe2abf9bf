"""Per-patient threshold profiles: small TOML files that override an exercise's thresholds
without touching the exercise file.

    exercise = "bridge"
    definition_version = "1.0"
    patient = "jane-doe"
    hold_target_s = 3.0
    [thresholds.hips_too_low]
    min = 160.0
"""

from __future__ import annotations

import os
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from formcheck.core.errors import DefinitionError
from formcheck.rules.definition import Check, Criterion, Definition, Deg, load_validated


class Bounds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: Deg | None = None
    max: Deg | None = None


class Profile(BaseModel):
    """Threshold overrides for one patient and one exercise definition version."""

    model_config = ConfigDict(extra="forbid")
    exercise: str
    definition_version: str
    patient: str = ""
    version: Annotated[int, Field(ge=1)] = 1
    saved_at: str = ""
    note: str = ""
    hold_target_s: Annotated[float, Field(ge=0.0, le=600.0)] | None = None
    # left/right flagged above this asymmetry share (formcheck.engine.asymmetry); None = the definition's
    asymmetry_flag_share: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    thresholds: dict[str, Bounds] = Field(default_factory=dict)
    # the desk monitor's calibration: the patient's own good posture, measure -> deg
    baseline_deg: dict[str, Annotated[float, Field(ge=-180.0, le=180.0)]] = Field(default_factory=dict)

    def label(self) -> str:
        who = self.patient or "profile"
        return f"{who} v{self.version}"


def load_profile(path: str | os.PathLike[str]) -> Profile:
    """Load and validate a profile file; raises DefinitionError naming file and field."""
    return load_validated(Profile, path)


def _shift_also(c: Check, new_min: float | None, new_max: float | None) -> list[Criterion]:
    """A check's ``also`` bounds loosen or tighten by as much as the profile moved the check's
    own bound: a therapist who allows 10 deg more trunk-thigh angle allows 10 deg more recline
    on the trunk line of the same check too, so the check keeps meaning one thing."""
    d_min = (new_min - c.min) if new_min is not None and c.min is not None else 0.0
    d_max = (new_max - c.max) if new_max is not None and c.max is not None else 0.0
    # A bound on the same side moves the same way; a bound on the other side moves opposite
    # (raising a max and lowering a min both loosen).
    up = d_max if c.max is not None else -d_min
    down = d_min if c.min is not None else -d_max
    out = []
    for a in c.also:
        lo = None if a.min is None else max(-180.0, min(180.0, a.min + down))
        hi = None if a.max is None else max(-180.0, min(180.0, a.max + up))
        out.append(a.model_copy(update={"min": lo, "max": hi}))
    return out


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def apply_profile(d: Definition, profile: Profile | None, where: str = "profile") -> Definition:
    """A copy of ``d`` with the profile's thresholds; DefinitionError naming the field when
    the profile is for another exercise/version or names an unknown check."""
    if profile is None:
        return d
    if profile.exercise != d.id:
        raise DefinitionError(f"{where}: exercise: profile is for {profile.exercise!r}, not {d.id!r}")
    # A definition's minor version (1.0 -> 1.1) may add measures and gates and move defaults,
    # but keeps every check's id and measure, so a profile's thresholds still mean the same
    # thing; a major version changes what a check measures and needs a review.
    if _major(profile.definition_version) != _major(d.version):
        raise DefinitionError(
            f"{where}: definition_version: profile was made for {d.id} version "
            f"{profile.definition_version!r}, this is version {d.version!r}; review and re-save it")
    known = {c.id for c in d.checks}
    checks = []
    for cid in profile.thresholds:
        if cid not in known:
            raise DefinitionError(f"{where}: thresholds.{cid}: unknown check id; "
                                  f"allowed: {', '.join(sorted(known))}")
    for c in d.checks:
        b = profile.thresholds.get(c.id)
        if b is None:
            checks.append(c)
            continue
        new_min = b.min if b.min is not None else c.min
        new_max = b.max if b.max is not None else c.max
        if new_min is not None and new_max is not None and new_min > new_max:
            raise DefinitionError(f"{where}: thresholds.{c.id}: min ({new_min}) is above max ({new_max})")
        checks.append(c.model_copy(update={"min": new_min, "max": new_max,
                                           "also": _shift_also(c, new_min, new_max)}))
    hold = d.hold if profile.hold_target_s is None else d.hold.model_copy(
        update={"target_s": profile.hold_target_s})
    update: dict[str, object] = {"checks": checks, "hold": hold}
    if profile.asymmetry_flag_share is not None:
        update["asymmetry_flag_share"] = profile.asymmetry_flag_share
    return d.model_copy(update=update)
