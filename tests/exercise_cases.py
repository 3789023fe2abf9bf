"""Per-exercise cases as data: ``exercises/cases/<exercise id>.cases.toml``.

A cases file names the exercise, a few poses (segment directions, see tests/stick.py) and
cases: a sequence of steps (move to a pose, hold it) with the verdict the engine must give
(reps, faults per rep, sides, episodes, holds, the "can't judge" messages and cues). Loading
validates it like a definition: unknown keys, poses, segments, landmarks or check ids are a
DefinitionError naming the file. The folder is not a definition folder (the loader lists
``exercises/*.toml`` only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from stick import DEFAULTS, POSE_KEYS, SEGMENTS, stick_pose

from formcheck.core import config
from formcheck.core.errors import DefinitionError
from formcheck.core.landmarks import Landmark
from formcheck.core.pose import ClipInfo, FramePose
from formcheck.engine.session import Session, SessionResult
from formcheck.rules.definition import Definition, get_definition, load_validated
from formcheck.rules.profile import Profile, apply_profile

CASES_DIR = config.EXERCISES_DIR / "cases"
FPS = 30.0
FRAME_SIZE = (1000, 800)
Secs = Annotated[float, Field(ge=0.0, le=120.0)]
Side = Literal["left", "right"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """Move from the previous pose to ``pose`` in ``move_s`` (linear in every segment's
    direction), then hold it ``hold_s``; ``hidden`` landmarks are not seen meanwhile."""

    pose: str
    move_s: Secs = 0.5
    hold_s: Secs = 1.0
    hidden: list[str] = Field(default_factory=list)


class Expect(_Strict):
    """What the engine must report; a field left out is not checked. ``faults``: per rep, the
    check ids (any order); ``skipped``: check id -> part of the message of a frame where it
    was skipped; ``cues``/``notes``: parts of some frame's cue / some rep's note; ``messages``:
    parts of the summary's messages (``[]``: no message at all)."""

    reps: Annotated[int, Field(ge=0)] | None = None
    faults: list[list[str]] | None = None
    sides: list[Side] | None = None
    episodes: dict[str, int] | None = None
    min_hold_s: Secs | None = None
    max_hold_s: Secs | None = None
    skipped: dict[str, str] = Field(default_factory=dict)
    cues: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    messages: list[str] | None = None


class Case(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    about: str = ""
    steps: Annotated[list[str | Step], Field(min_length=1)]
    repeat: Annotated[int, Field(ge=1, le=20)] = 1
    view: Literal["side", "oblique", "front"] = "side"
    near: Side = "left"
    hip_px: tuple[float, float] = (500.0, 450.0)
    hold_target_s: Secs | None = None   # as a therapist's profile sets it
    # the engine is known to get this case wrong, and why: the test expects the mismatch (and
    # fails once the case passes, until this is removed), as tests/known_limitations.py does
    known_limitation: str = ""
    expect: Expect

    def step_list(self) -> list[Step]:
        return [Step(pose=s) if isinstance(s, str) else s for s in self.steps] * self.repeat


class CasesFile(_Strict):
    exercise: str
    poses: dict[str, dict[str, float | str]]
    cases: Annotated[list[Case], Field(min_length=1)]


def cases_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or CASES_DIR).glob("*.cases.toml"))


def load_cases(path: Path, exercises: Path | None = None) -> tuple[CasesFile, Definition, dict[str, dict[str, float]]]:
    """The validated file, its exercise's definition and its poses resolved (``like`` = start
    from that pose). DefinitionError naming the file on anything unknown."""
    cf = load_validated(CasesFile, path)
    if path.name != f"{cf.exercise}.cases.toml":
        raise DefinitionError(f"{path}: exercise {cf.exercise!r} does not match the file name")
    try:
        d = get_definition(cf.exercise, exercises)
    except DefinitionError as err:
        raise DefinitionError(f"{path}: exercise: {err}") from None
    poses = _resolve_poses(path, cf.poses)
    checks = set(d.check_ids()) | {d.hold.check_id}
    for c in cf.cases:
        where = f"{path}: cases[{c.id}]"
        for s in c.step_list():
            if s.pose not in poses:
                raise DefinitionError(f"{where}.steps: unknown pose {s.pose!r}; defined: {sorted(poses)}")
            bad = [h for h in s.hidden if h.upper() not in Landmark.__members__]
            if bad:
                raise DefinitionError(f"{where}.steps: unknown landmark(s) {bad}; use names such as 'left_ankle'")
        e = c.expect
        named = [x for rep in e.faults or [] for x in rep] + list(e.episodes or {}) + list(e.skipped)
        unknown = sorted({x for x in named if x not in checks})
        if unknown:
            raise DefinitionError(f"{where}.expect: unknown check id(s) {unknown}; {d.id} has {sorted(checks)}")
    ids = [c.id for c in cf.cases]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        raise DefinitionError(f"{path}: case ids must be unique; repeated: {repeated}")
    return cf, d, poses


def _resolve_poses(path: Path, raw: dict[str, dict[str, float | str]]) -> dict[str, dict[str, float]]:
    done: dict[str, dict[str, float]] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> dict[str, float]:
        if name in done:
            return done[name]
        if name not in raw:
            raise DefinitionError(f"{path}: poses: unknown pose {name!r} (in 'like' of {seen[-1]!r})")
        if name in seen:
            raise DefinitionError(f"{path}: poses.{name}: 'like' goes round in a circle")
        spec = dict(raw[name])
        base = spec.pop("like", None)
        out = dict(resolve(str(base), (*seen, name))) if base is not None else {}
        for k, v in spec.items():
            if k not in POSE_KEYS or isinstance(v, str):
                raise DefinitionError(f"{path}: poses.{name}.{k}: unknown segment (or not a number); "
                                      f"segments: {sorted(POSE_KEYS)} and 'like'")
            out[k] = float(v)
        missing = [s for s in SEGMENTS if s not in out]
        if missing and not seen:
            raise DefinitionError(f"{path}: poses.{name}: missing segment(s) {missing}")
        done[name] = out
        return out

    for n in raw:
        resolve(n, ())
    return done


def case_frames(case: Case, poses: dict[str, dict[str, float]]) -> list[FramePose]:
    """The case's frames at FPS: each step's move (interpolated), then its hold."""
    frames: list[FramePose] = []
    prev: dict[str, float] | None = None
    for s in case.step_list():
        cur = poses[s.pose]
        hidden = tuple(s.hidden)
        n = round(s.move_s * FPS) if prev is not None else 0
        for i in range(1, n + 1):
            keys = set(prev or {}) | set(cur)
            # the shorter way round: -160 is reached from 180 through 200, not through 0
            mix = {k: _at(prev, k) + _turn(_at(prev, k), _at(cur, k)) * i / n for k in keys}  # type: ignore[arg-type]
            frames.append(stick_pose(mix, case.hip_px, case.near, case.view, hidden))
        frames += [stick_pose(cur, case.hip_px, case.near, case.view, hidden)] * max(1, round(s.hold_s * FPS))
        prev = cur
    return frames


def _turn(a_deg: float, b_deg: float) -> float:
    """The signed turn (deg, -180..180) from direction a to direction b."""
    return (b_deg - a_deg + 180.0) % 360.0 - 180.0


def _at(pose: dict[str, float], key: str) -> float:
    """A (maybe side-specific) segment direction, falling back to the both-sides one (an
    optional key left out: its default)."""
    if key in pose:
        return pose[key]
    if key in DEFAULTS:
        return DEFAULTS[key]
    return pose[key.split("_", 1)[1]]


def run_case(d: Definition, case: Case, poses: dict[str, dict[str, float]]) -> SessionResult:
    profile = None
    if case.hold_target_s is not None:
        profile = Profile(exercise=d.id, definition_version=d.version, hold_target_s=case.hold_target_s)
        d = apply_profile(d, profile)
    s = Session(d, profile, ClipInfo(width=FRAME_SIZE[0], height=FRAME_SIZE[1], fps=FPS))
    for i, p in enumerate(case_frames(case, poses)):
        s.update(i * 1000.0 / FPS, p)
    return s.finish()


def mismatches(case: Case, r: SessionResult) -> list[str]:
    """What the engine said differently from ``case.expect`` (empty: as expected)."""
    e, out = case.expect, []
    got_faults = [sorted(x.faults) for x in r.reps]
    if e.reps is not None and len(r.reps) != e.reps:
        out.append(f"reps: expected {e.reps}, got {len(r.reps)} (faults {got_faults})")
    if e.faults is not None and got_faults != [sorted(x) for x in e.faults]:
        out.append(f"faults per rep: expected {e.faults}, got {got_faults}")
    if e.sides is not None and [x.side for x in r.reps] != e.sides:
        out.append(f"sides: expected {e.sides}, got {[x.side for x in r.reps]}")
    if e.episodes is not None and r.episodes != e.episodes:
        out.append(f"episodes: expected {e.episodes}, got {r.episodes}")
    holds = [x.hold_ms / 1000.0 for x in r.reps]
    if e.min_hold_s is not None and not (holds and min(holds) >= e.min_hold_s):
        out.append(f"holds (s): expected each >= {e.min_hold_s}, got {holds}")
    if e.max_hold_s is not None and any(h > e.max_hold_s for h in holds):
        out.append(f"holds (s): expected each <= {e.max_hold_s}, got {holds}")
    for cid, part in e.skipped.items():
        msgs = {c.message or "" for f in r.frames for c in f.checks if c.id == cid and c.status == "skipped"}
        if not any(part in m for m in msgs):
            out.append(f"skipped {cid}: expected a message with {part!r}, got {sorted(msgs)}")
    cues = {f.cue for f in r.frames if f.cue}
    out += [f"cue: none has {part!r}; cues: {sorted(cues)}" for part in e.cues if not any(part in c for c in cues)]
    notes = [n for x in r.reps for n in x.notes]
    out += [f"notes: none has {part!r}; notes: {notes}" for part in e.notes if not any(part in n for n in notes)]
    said = r.summary.messages()
    if e.messages is not None:
        if not e.messages and said:
            out.append(f"messages: expected none, got {said}")
        out += [f"messages: none has {p!r}; got {said}" for p in e.messages if not any(p in m for m in said)]
    return out
