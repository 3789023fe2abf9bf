"""The licence-clean sample clips in ``sample_videos/`` (listed in its ``samples.toml``), for a
first run without a camera: each with the exercise it shows, a title and its licence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formcheck.core import config
from formcheck.core.errors import DefinitionError
from formcheck.rules.definition import load_toml


@dataclass(frozen=True)
class Sample:
    path: Path
    exercise: str
    title: str
    licence: str


def samples(folder: Path | None = None) -> list[Sample]:
    """The samples whose file is present; an unreadable list gives none (never an error page)."""
    folder = folder or config.SAMPLE_VIDEOS_DIR
    try:
        data = load_toml(folder / "samples.toml")
    except DefinitionError:
        return []
    out = []
    for e in data.get("sample", []):
        path = folder / str(e.get("file", ""))
        if path.is_file() and e.get("exercise"):
            out.append(Sample(path, str(e["exercise"]), str(e.get("title", path.name)), str(e.get("licence", ""))))
    return out


def samples_for(exercise: str, folder: Path | None = None) -> list[Sample]:
    return [s for s in samples(folder) if s.exercise == exercise]
