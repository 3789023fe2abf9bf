"""The parts of an exercise definition: measures, phases, checks (with their extra criteria),
positions and shapes, hold and smoothing. Validated pydantic models; ``Deg`` is an angle in
degrees within -180..180. The whole definition and its loading: :mod:`formcheck.rules.definition`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from formcheck.core.data_files import Strict as _Strict
from formcheck.core.landmarks import is_valid_name
from formcheck.core.measure_kinds import KINDS, kind_of

MeasureKind = str   # a name in formcheck.core.measure_kinds.KINDS
POINTS_PER_KIND: dict[str, int] = {k.name: k.points for k in KINDS.values()}
Severity = Literal["info", "warning", "error"]
Deg = Annotated[float, Field(ge=-180.0, le=180.0)]


class Measure(_Strict):
    """A named angle computed from landmark names (side-less names follow the side being
    judged; ``opposite_`` names the other side). Each kind's points, convention and unit:
    formcheck.core.measure_kinds (angle, bend, elevation, forward_lean, inclination; gap, limb_gap
    and rise, in % of a body segment, are measures named ``_pct``, not angles: an ankle resting
    on a knee, a hand holding a leg).
    """

    kind: MeasureKind
    points: list[str]
    label: str = ""

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        kind_of(v)   # ValueError naming the kinds there are
        return v

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
    kind "swing": one active phase entered by a rise of ``enter`` degrees above the lowest
    value since the last top, left by a fall of ``exit`` degrees below the rep's peak: a
    movement between two extremes whose absolute angles differ between people (cat-cow). The
    lowest value is taken, and the top entered, only where the shape is seen to hold (some
    shape measure seen, none out of range: a limb lifted off the floor is not a low point).
    kind "continuous": no reps; one phase named ``active`` (e.g. "sitting").

    ``direction = "down"``: the active phase is where the measure is LOW (a knee bending to
    90 deg in a wall sit): enter when it falls to ``enter`` or less, leave above ``exit``,
    rest above ``rest`` (so exit >= enter, rest >= exit). ``from_rest``: in a stream, the top
    counts only when reached from the rest phase (a wall sit slides down from standing; a
    person already seated on a chair never does), so a still never counts.
    """

    kind: Literal["cycle", "sided", "swing", "continuous"]
    direction: Literal["up", "down"] = "up"
    from_rest: bool = False
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
        if self.kind == "swing":
            if self.enter <= 0 or self.exit <= 0 or self.direction != "up":
                raise ValueError("a swing phase needs enter (rise, deg) and exit (fall, deg) above 0, "
                                 "direction up")
            return self
        if self.direction == "down":
            if self.exit < self.enter:
                raise ValueError(f"direction down: exit ({self.exit}) must not be below enter "
                                 f"({self.enter}): hysteresis needs exit >= enter")
            if self.rest is not None and self.rest < self.exit:
                raise ValueError(f"direction down: rest ({self.rest}) must not be below exit ({self.exit})")
            return self
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
    """A range on one measure: a further bound that fails a check (see Check.also), and the
    base of Position."""

    measure: str
    min: Deg | None = None
    max: Deg | None = None
    source: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Criterion:
        _check_bounds(f"{type(self).__name__.lower()} on {self.measure!r}", self.min, self.max)
        return self

    def fails(self, value: float) -> bool:
        """True when ``value`` is measured and outside the range (NaN never fails)."""
        return (self.min is not None and value < self.min) or (self.max is not None and value > self.max)


class Check(_Strict):
    """A threshold rule on one measure, judged in one phase (or ``"any"``).

    ``of = "rep_range"``: judged once per rep on the range the phase measure moved through
    (peak minus the lowest value before the top, deg; e.g. a cat-cow that barely moves), not
    on frames; its ``measure`` must be the phase measure.

    ``also``: further criteria on other measures; the check fails when its own bound or any
    of these fails (e.g. a recline seen from the trunk alone when the thighs are hidden), is
    ok when at least one of them could be measured and none failed, and is skipped (cannot
    judge) when none could be measured. Its reported value is its own measure's.

    ``where``: the check's own bound is judged only on frames where each of these measures is
    measured and in range (e.g. a thigh angle only where the knee is confirmed by its shin);
    elsewhere that bound counts as not measured, and the ``also`` criteria still judge.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str = ""            # plain words for patients ("Leg raised too high"); default from the id
    measure: str
    phase: str = "any"
    of: Literal["frame", "rep_range"] = "frame"
    min: Deg | None = None
    max: Deg | None = None
    also: list[Criterion] = Field(default_factory=list)
    where: list[Criterion] = Field(default_factory=list)
    severity: Severity = "warning"
    cue: str
    source: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Check:
        _check_bounds(f"check {self.id!r}", self.min, self.max)
        return self


class Position(Criterion):
    """A body position the exercise is done in (e.g. bird-dog: on hands and knees). While a
    measurable position measure is outside its range, the exercise is not being done: no rep
    starts, no check is judged, and the cue says how to get into position. A measure that
    cannot be seen does not block (it is not a guess either way)."""

    cue: str
    # The measure must lie OUTSIDE min..max (both needed): e.g. a nerve glide's head is either
    # lifted or dropped, never level, while the knee straightens.
    outside: bool = False
    # shape gates only: the rep needs this measure SEEN (else a hidden measure does not block,
    # and the rep says it was not confirmed). For a look-alike that hides exactly this part.
    must_see: bool = False
    # shape gates only: a refusal that applies only while this other shape measure is NOT seen
    # (e.g. a bent knee refuses a bird-dog rep only when the reaching arm cannot be seen to
    # reach: with the arm seen, that rep counts and gets its knee fault). Not a requirement to
    # confirm: an unseen value here neither blocks nor adds a "not confirmed" note.
    when_unseen: str | None = None
    # shape gates only: judged on landmarks seen in the picture (min_visibility), never on
    # MediaPipe's estimate of covered ones (a hidden hand is often drawn hanging).
    seen_only: bool = False

    @model_validator(mode="after")
    def _outside_band(self) -> Position:
        if self.outside and (self.min is None or self.max is None):
            raise ValueError(f"position/shape on {self.measure!r}: outside = true needs both min and max")
        return self

    def fails(self, value: float) -> bool:
        """True when ``value`` is measured and not where it must be (NaN never fails)."""
        if self.outside:
            assert self.min is not None and self.max is not None
            return self.min <= value <= self.max
        return super().fails(value)


class Hold(_Strict):
    """Time to hold the active position with correct form; 0 = not checked (therapist-set)."""

    target_s: Annotated[float, Field(ge=0.0, le=600.0)] = 0.0
    # The sources' dose (e.g. a plank's 20 s): the programme's default hold, shown as the
    # goal; judged only once a therapist sets it as the target (a patient profile/programme).
    recommended_s: Annotated[float, Field(ge=0.0, le=600.0)] = 0.0
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


