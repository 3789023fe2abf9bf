"""Exercise definitions: TOML data files validated into typed models.

A definition says which measures (angles by landmark names) an exercise uses, which camera
view it needs, how its phases and reps are detected (with hysteresis), which checks apply in
which phase with which thresholds, and the cue a patient hears when a check fails. Errors name
the file, the field, the bad value and what is allowed; unknown keys are errors.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import config
from .errors import DefinitionError
from .landmarks import is_valid_name

MeasureKind = Literal["angle", "bend", "elevation", "forward_lean", "inclination"]
POINTS_PER_KIND: dict[str, int] = {
    "angle": 3, "bend": 3, "elevation": 2, "forward_lean": 2, "inclination": 2,
}
Severity = Literal["info", "warning", "error"]
Deg = Annotated[float, Field(ge=-180.0, le=180.0)]
M = TypeVar("M", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measure(_Strict):
    """A named angle computed from landmark names (side-less names follow the side being
    judged; ``opposite_`` names the other side). Convention by kind: see formcheck.geometry.

    angle: interior angle at the middle point, 0..180 (180 = straight).
    bend: 180 - interior, signed + when the middle point is above the line of the others.
    elevation: -90..90 of first->second above the horizontal (+ = second higher).
    forward_lean: -180..180 of first->second from vertical, + = toward the facing direction.
    inclination: 0..180 of first->second from vertical.
    """

    kind: MeasureKind
    points: list[str]
    label: str = ""

    @field_validator("points")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        bad = [p for p in v if not is_valid_name(p)]
        if bad:
            raise ValueError(f"unknown landmark name(s) {bad}; use BlazePose names such as "
                             "'hip', 'left_knee', 'opposite_wrist', 'nose'")
        return v

    @model_validator(mode="after")
    def _count(self) -> Measure:
        want = POINTS_PER_KIND[self.kind]
        if len(self.points) != want:
            raise ValueError(f"kind {self.kind!r} needs {want} points, got {len(self.points)}")
        return self


class Phases(_Strict):
    """Rep detection on one measure, with hysteresis.

    kind "cycle": one active phase (e.g. bridge "top"): enter when the measure rises to
    ``enter`` or more, leave when it falls below ``exit``; frames below ``rest`` are the rest
    phase, frames in between are "rising"/"lowering" by where they came from.
    kind "sided": the same per side (measure computed for each side); the active phase is
    ``{active}_{side}`` (e.g. bird-dog "extended_left"), one rep per entry, per side.
    kind "continuous": no reps; one phase named ``active`` (e.g. "sitting").
    """

    kind: Literal["cycle", "sided", "continuous"]
    measure: str | None = None
    enter: Deg | None = None
    exit: Deg | None = None
    rest: Deg | None = None
    rest_name: str = "down"
    rising_name: str = "rising"
    active: str = "top"
    lowering_name: str = "lowering"
    # Rep faults are judged where the measure is within this of the rep's peak (the settled
    # top), not on the way in and out.
    top_margin_deg: Annotated[float, Field(ge=0.0, le=90.0)] = 10.0

    def is_active(self, phase: str | None) -> bool:
        """True for the judged position: ``active``, or ``{active}_{side}`` when sided."""
        return phase is not None and (phase == self.active or phase.startswith(self.active + "_"))

    @model_validator(mode="after")
    def _consistent(self) -> Phases:
        if self.kind == "continuous":
            return self
        if self.measure is None or self.enter is None or self.exit is None:
            raise ValueError(f"phases of kind {self.kind!r} need measure, enter and exit")
        if self.exit > self.enter:
            raise ValueError(f"exit ({self.exit}) must not be above enter ({self.enter}): "
                             "hysteresis needs exit <= enter")
        if self.rest is not None and self.rest > self.exit:
            raise ValueError(f"rest ({self.rest}) must not be above exit ({self.exit})")
        return self


def _check_bounds(what: str, lo: float | None, hi: float | None) -> None:
    if lo is None and hi is None:
        raise ValueError(f"{what} needs min, max or both")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError(f"{what}: min ({lo}) is above max ({hi})")


class Criterion(_Strict):
    """A further bound on another measure that fails the same check (see Check.also)."""

    measure: str
    min: Deg | None = None
    max: Deg | None = None
    source: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Criterion:
        _check_bounds(f"criterion on {self.measure!r}", self.min, self.max)
        return self


class Check(_Strict):
    """A threshold rule on one measure, judged in one phase (or ``"any"``).

    ``also``: further criteria on other measures; the check fails when its own bound or any
    of these fails (e.g. a recline seen from the trunk alone when the thighs are hidden), is
    ok when at least one of them could be measured and none failed, and is skipped (cannot
    judge) when none could be measured. Its reported value is its own measure's.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str = ""            # plain words for patients ("Leg raised too high"); default from the id
    measure: str
    phase: str = "any"
    min: Deg | None = None
    max: Deg | None = None
    also: list[Criterion] = Field(default_factory=list)
    severity: Severity = "warning"
    cue: str
    source: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Check:
        _check_bounds(f"check {self.id!r}", self.min, self.max)
        return self


class Position(_Strict):
    """A body position the exercise is done in (e.g. bird-dog: on hands and knees). While a
    measurable position measure is outside its range, the exercise is not being done: no rep
    starts, no check is judged, and the cue says how to get into position. A measure that
    cannot be seen does not block (it is not a guess either way)."""

    measure: str
    min: Deg | None = None
    max: Deg | None = None
    cue: str
    source: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Position:
        _check_bounds(f"position on {self.measure!r}", self.min, self.max)
        return self

    def fails(self, value: float) -> bool:
        """True when ``value`` is measured and outside the range (NaN never fails)."""
        return (self.min is not None and value < self.min) or (self.max is not None and value > self.max)


class Hold(_Strict):
    """Time to hold the active position with correct form; 0 = not checked (therapist-set)."""

    target_s: Annotated[float, Field(ge=0.0, le=600.0)] = 0.0
    check_id: str = "hold_too_short"
    name: str = "Hold too short"
    cue: str = "Hold the position a little longer."
    source: str = ""


class Smoothing(_Strict):
    """One Euro filter on landmark pixels (Casiez et al. 2012): low lag when moving, low
    jitter when still. ``min_cutoff_hz`` lower = smoother; ``beta`` higher = less lag."""

    min_cutoff_hz: Annotated[float, Field(gt=0.0, le=30.0)] = 1.5
    beta: Annotated[float, Field(ge=0.0, le=10.0)] = 0.05
    d_cutoff_hz: Annotated[float, Field(gt=0.0, le=30.0)] = 1.0


class Definition(_Strict):
    """One exercise, as loaded from ``exercises/<id>.toml``."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str
    version: str
    description: str = ""
    view: Literal["side", "front", "any"] = "side"
    view_cue: str = "Place the camera at your side, at hip height, whole body in view."
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
        refs += [(f"shape[{i}].measure", q.measure) for i, q in enumerate(self.shape)]
        refs += [("key_angles", k) for k in self.key_angles]
        refs += [(f"position[{i}].measure", q.measure) for i, q in enumerate(self.position)]
        for where, m in refs:
            if m not in names:
                raise ValueError(f"{where}: unknown measure {m!r}; defined: {sorted(names)}")
        for c in self.checks:
            if c.phase != "any" and c.phase not in phases:
                raise ValueError(f"checks[{c.id}].phase: unknown phase {c.phase!r}; "
                                 f"allowed: {sorted(phases | {'any'})}")
        ids = [c.id for c in self.checks] + [self.hold.check_id]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"check ids must be unique; repeated: {sorted(dup)}")
        return self

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

    def check_ids(self) -> list[str]:
        hold = [] if self.phases.kind == "continuous" else [self.hold.check_id]
        return [c.id for c in self.checks] + hold


def humanize(identifier: str) -> str:
    """``leg_too_high`` -> ``Leg too high``."""
    text = identifier.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _format_error(path: Path, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (not part of the format)"
        bad = e.get("input")
        shown = "" if isinstance(bad, dict) or e["type"] == "missing" else f" (got {bad!r})"
        parts.append(f"{loc}: {msg}{shown}")
    return f"{path}: " + "; ".join(parts)


def load_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DefinitionError(f"{path}: no such file")
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise DefinitionError(f"{path}: not valid TOML ({e})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DefinitionError(f"{path}: cannot read ({e})") from None


def load_validated(model: type[M], path: str | os.PathLike[str]) -> M:
    """Read a TOML file into ``model``; DefinitionError naming the file, field and reason."""
    p = Path(path)
    data = load_toml(p)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise DefinitionError(_format_error(p, e)) from None


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
