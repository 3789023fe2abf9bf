"""Data files (TOML) read into validated models: exercise definitions, profiles, red flags,
sample lists. Kept apart from the exercise rules so that a command reading one small data file
(the red flags of ``formcheck history``) does not import the rules, the geometry and numpy."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from formcheck.core.errors import DefinitionError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """A data-file model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


