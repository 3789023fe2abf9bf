"""Exercise definitions: TOML data files validated into typed models.

A definition says which measures (angles by landmark names) an exercise uses, which camera
view it needs, how its phases and reps are detected (with hysteresis), which checks apply in
which phase with which thresholds, and the cue a patient hears when a check fails. Errors name
the file, the field, the bad value and what is allowed; unknown keys are errors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from formcheck.core import config
from formcheck.core.data_files import load_toml, load_validated
from formcheck.core.errors import DefinitionError
from formcheck.core.landmarks import is_valid_name
from formcheck.rules.parts import (
    POINTS_PER_KIND,
    Check,
    Criterion,
    Deg,
    Hold,
    Measure,
    MeasureKind,
    Phases,
    Position,
    Severity,
    Smoothing,
    _Strict,
)

__all__ = [
    "POINTS_PER_KIND",
    "Check",
    "Criterion",
    "Definition",
    "Deg",
    "Hold",
    "Measure",
    "MeasureKind",
    "Phases",
    "Position",
    "Severity",
    "Smoothing",
    "available_exercises",
    "get_definition",
    "humanize",
    "load_definition",
    "load_toml",
    "load_validated",
]



class Definition(_Strict):
    """One exercise, as loaded from ``exercises/<id>.toml``."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str
    version: str
    description: str = ""
    view: Literal["side", "front", "any"] = "side"
    view_cue: str = "Place the camera at your side, at hip height, whole body in view."
    # Views in which reps and holds are still counted though form is judged only in ``view``
    # (the checks then say they cannot judge from this angle). Default: a side-view exercise
    # also counts in an oblique view (see engine.features.WORLD_KINDS).
    count_views: list[Literal["side", "oblique", "front"]] | None = None
    forward: list[str] = Field(default_factory=lambda: ["hip", "knee"], min_length=2, max_length=2)
    required_landmarks: list[str] = Field(default_factory=list)
    min_visibility: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    # Landmarks whose position MediaPipe infers well when they are covered (e.g. a hip behind
    # folded arms): used down to ``inferred_min_visibility`` while every other required
    # landmark is clearly visible. Never used outside the frame. Shape gates use covered
    # landmarks the same way. Below 0.3 the estimate is a guess: a reaching arm that left the
    # frame (polybag bird-dog) reads 0.11-0.17 while drawn hanging; a far arm behind the body
    # that MediaPipe still follows reads about 0.4-0.5.
    inferred_landmarks: list[str] = Field(default_factory=list)
    inferred_min_visibility: Annotated[float, Field(ge=0.0, le=1.0)] = 0.3
    min_fault_ms: Annotated[float, Field(ge=0.0, le=60000.0)] = 250.0
    sustain_s: Annotated[float, Field(ge=0.0, le=3600.0)] = 0.0
    key_angles: list[str] = Field(default_factory=list)
    smoothing: Smoothing = Smoothing()
    measures: dict[str, Measure]
    phases: Phases
    checks: list[Check]
    position: list[Position] = Field(default_factory=list)
    # The active position's own shape (e.g. a bridge: feet on the mat, pelvis raised): the
    # active phase is entered only where every visible shape measure is in range, so a
    # look-alike movement of the phase measure alone (a dead bug's leg) is not a rep.
    shape: list[Position] = Field(default_factory=list)
    hold: Hold = Hold()
    # sided exercises: flag left and right when an asymmetry index exceeds this share
    # (formcheck.engine.asymmetry); None = config.ASYMMETRY_FLAG_SHARE
    asymmetry_flag_share: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    sources: list[str] = Field(default_factory=list)

    @field_validator("forward", "required_landmarks", "inferred_landmarks")
    @classmethod
    def _landmarks(cls, v: list[str]) -> list[str]:
        bad = [p for p in v if not is_valid_name(p)]
        if bad:
            raise ValueError(f"unknown landmark name(s) {bad}")
        return v

    @model_validator(mode="after")
    def _references(self) -> Definition:
        names = set(self.measures)
        phases = self.phase_names()
        refs = [("phases.measure", self.phases.measure)] if self.phases.measure else []
        refs += [(f"checks[{c.id}].measure", c.measure) for c in self.checks]
        refs += [(f"checks[{c.id}].also", a.measure) for c in self.checks for a in c.also]
        refs += [(f"checks[{c.id}].where", w.measure) for c in self.checks for w in c.where]
        refs += [(f"shape[{i}].measure", q.measure) for i, q in enumerate(self.shape)]
        refs += [(f"shape[{i}].when_unseen", q.when_unseen) for i, q in enumerate(self.shape) if q.when_unseen]
        refs += [("key_angles", k) for k in self.key_angles]
        refs += [(f"position[{i}].measure", q.measure) for i, q in enumerate(self.position)]
        for where, m in refs:
            if m not in names:
                raise ValueError(f"{where}: unknown measure {m!r}; defined: {sorted(names)}")
        for c in self.checks:
            if c.of == "rep_range" and (self.phases.kind == "continuous" or c.measure != self.phases.measure):
                raise ValueError(f"checks[{c.id}]: a rep_range check needs reps and the phase measure "
                                 f"({self.phases.measure!r}) as its measure")
            if c.phase != "any" and c.phase not in phases:
                raise ValueError(f"checks[{c.id}].phase: unknown phase {c.phase!r}; "
                                 f"allowed: {sorted(phases | {'any'})}")
        ids = [c.id for c in self.checks] + [self.hold.check_id]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"check ids must be unique; repeated: {sorted(dup)}")
        return self

    def counts_in(self, view: str) -> bool:
        """Are reps counted (and the position followed) in this camera view?"""
        if self.view == "any" or view == self.view:
            return True
        if self.count_views is not None:
            return view in self.count_views
        return self.view == "side" and view == "oblique"

    def phase_names(self) -> set[str]:
        p = self.phases
        if p.kind == "continuous":
            return {p.active}
        base = {p.rest_name, p.rising_name, p.lowering_name}
        if p.kind == "sided":
            return base | {p.active, f"{p.active}_left", f"{p.active}_right"}
        return base | {p.active}

    def fault_text(self, check_id: str) -> tuple[str, str]:
        """(name, cue) of a check or the hold, in plain words, for pages and reports."""
        if check_id == self.hold.check_id:
            return self.hold.name, self.hold.cue
        c = next((c for c in self.checks if c.id == check_id), None)
        if c is None:
            return humanize(check_id), ""
        return c.name or humanize(c.id), c.cue

    def flag_share(self) -> float:
        """The asymmetry flag share in force (the definition's, else the default)."""
        return self.asymmetry_flag_share if self.asymmetry_flag_share is not None else config.ASYMMETRY_FLAG_SHARE

    def check_ids(self) -> list[str]:
        hold = [] if self.phases.kind == "continuous" else [self.hold.check_id]
        return [c.id for c in self.checks] + hold


def humanize(identifier: str) -> str:
    """``leg_too_high`` -> ``Leg too high``."""
    text = identifier.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def load_definition(path: str | os.PathLike[str]) -> Definition:
    """Load and validate one exercise file; raises DefinitionError naming file and field."""
    return load_validated(Definition, path)


def available_exercises(folder: Path | None = None) -> dict[str, Path]:
    """Exercise id -> definition file, from ``exercises/``."""
    folder = folder or config.EXERCISES_DIR
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


def get_definition(exercise: str, folder: Path | None = None) -> Definition:
    """Load a bundled exercise by id (``bridge``), or a definition file by path."""
    if exercise.endswith(".toml") or os.sep in exercise:
        return load_definition(exercise)
    found = available_exercises(folder)
    if exercise not in found:
        raise DefinitionError(f"unknown exercise {exercise!r}; choose one of {', '.join(found)}")
    return load_definition(found[exercise])
