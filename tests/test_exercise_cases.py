"""Every exercise's cases file (exercises/cases/*.cases.toml) run through the engine: the
verdict a synthetic pose sequence must get, per exercise, with no model. Any cases file
present is picked up; the file format itself is validated (see tests/exercise_cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from exercise_cases import CASES_DIR, cases_files, load_cases, mismatches, run_case

from formcheck.errors import DefinitionError

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
