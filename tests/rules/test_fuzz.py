"""Property-based fuzzing (hypothesis): the definition/profile loaders only ever raise the
documented DefinitionError, and the engine never raises on random, NaN, infinite or missing
landmarks and non-monotonic timestamps, and its report stays strict JSON."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synth import bridge_pose

from formcheck.core import config
from formcheck.core.errors import DefinitionError
from formcheck.core.pose import ClipInfo, FramePose
from formcheck.engine.report import build_report
from formcheck.engine.session import Session
from formcheck.rules.definition import get_definition, load_definition
from formcheck.rules.profile import apply_profile, load_profile

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12),
                    st.floats(allow_nan=True, allow_infinity=True), st.just(-181.0), st.just(1e300))


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw, base: dict) -> dict:
    """A copy of ``base`` with 1-4 random edits: delete a key, replace a value with a random
    scalar (wrong type, out of range, NaN), or add an unknown key."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        op = draw(st.sampled_from(["delete", "replace", "add"]))
        if op == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text("abcxyz_", min_size=1, max_size=6))] = draw(scalars)
        else:
            parent[path[-1]] = draw(scalars)
    return doc


def _write(tmp: Path, doc: dict) -> Path | None:
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return None   # not representable in TOML (e.g. None): nothing a user could write
    p = tmp / "f.toml"
    p.write_text(text)
    return p


BRIDGE = tomllib.loads((config.EXERCISES_DIR / "bridge.toml").read_text())
PROFILE = {"exercise": "bridge", "definition_version": "1.0", "patient": "x", "hold_target_s": 3.0,
           "thresholds": {"hips_too_low": {"min": 160.0}, "knee_angle": {"max": 110.0}}}


def _load_bridge_definition(p: Path) -> None:
    d = load_definition(p)
    assert d.id and d.checks   # a valid file yields a usable definition


def _load_and_apply_profile(p: Path) -> None:
    apply_profile(get_definition("bridge"), load_profile(p), where=str(p))


@SETTINGS
@given(case=st.one_of(mutated(BRIDGE).map(lambda d: (d, _load_bridge_definition)),
                      mutated(PROFILE).map(lambda d: (d, _load_and_apply_profile))))
def test_loaders_only_raise_definition_error(tmp_path, case):
    doc, load = case
    p = _write(tmp_path, doc)
    if p is None:
        return
    try:
        load(p)
    except DefinitionError as e:
        assert str(p) in str(e) and "\n" not in str(e).strip()


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_are_a_clear_definition_error(tmp_path, data):
    p = tmp_path / "junk.toml"
    p.write_bytes(data)
    for load in (load_definition, load_profile):
        try:
            load(p)
        except DefinitionError as e:
            # a clear one-line message that names the file, never a bare parser error
            assert str(p) in str(e) and "\n" not in str(e).strip()


special = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, 1e9, -1e9])
coord = st.one_of(st.floats(-2000, 4000), special)


@st.composite
def frames(draw) -> list[tuple[float, FramePose | None]]:
    """Up to 40 frames: jittered synthetic bridges, random arrays with NaN/inf, and missing
    poses, at timestamps that may repeat or go backwards."""
    out = []
    t = 0.0
    for _ in range(draw(st.integers(1, 40))):
        t += draw(st.sampled_from([33.3, 0.0, -50.0, 1000.0, 5000.0]))
        kind = draw(st.sampled_from(["bridge", "random", "none", "partial"]))
        if kind == "none":
            out.append((t, None))
            continue
        pose = bridge_pose(draw(st.floats(100, 185)))
        lm, world = pose.landmarks.copy(), pose.world_m.copy()
        if kind == "random":
            lm = np.array(draw(st.lists(coord, min_size=33 * 5, max_size=33 * 5)), np.float32).reshape(33, 5)
            world = np.array(draw(st.lists(coord, min_size=99, max_size=99)), np.float32).reshape(33, 3)
        elif kind == "partial":
            idx = draw(st.lists(st.integers(0, 32), max_size=10))
            lm[idx, :] = draw(special)
        out.append((t, FramePose(lm, world)))
    return out


@settings(max_examples=200, deadline=None)
@given(exercise=st.sampled_from(["bridge", "bird_dog", "sitting"]), seq=frames())
def test_engine_never_raises_and_report_is_strict_json(exercise, seq):
    s = Session(get_definition(exercise), info=ClipInfo(width=1000, height=800, fps=30))
    for i, (t, pose) in enumerate(seq):
        _, r = s.update(t, pose)
        # at most one rep per frame seen (a rep whose shape broke for longer than it held may
        # be withdrawn again, so the count is not monotonic)
        assert r.rep_count <= i + 1
    rep = build_report(s.finish())
    json.dumps(rep, allow_nan=False)
