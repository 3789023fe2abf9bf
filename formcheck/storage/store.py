"""Per-patient files in a data folder: versioned threshold profiles and saved sessions.

Layout under ``root`` (default :func:`config.data_home`)::

    profiles/<patient-key>/<exercise>.toml                 the current profile
    profiles/<patient-key>/history/<exercise>-v3-<ts>.toml every earlier version
    sessions/<patient-key>/<ts>-<exercise>.json            saved live sets / clip reports

``<patient-key>`` is a sanitised slug of the name plus a short hash of the exact
(case-folded, whitespace-collapsed) name: no path traversal, and two different patients can
never share (or overwrite) a folder. Every write is atomic; a save never replaces a profile
it cannot read (the user is told which field is wrong instead).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from formcheck.core import atomic, config
from formcheck.core.errors import DefinitionError, FormcheckError
from formcheck.core.patients import patient_key
from formcheck.rules.profile import Profile, load_profile

__all__ = ["ProfileVersion", "Store", "patient_key", "profile_toml"]

def _stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


@dataclass(frozen=True)
class ProfileVersion:
    path: Path
    version: int
    saved_at: str


class Store:
    """The user's data folder; ``root`` may be any folder the user chooses."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root else config.data_home()

    # -- profiles ------------------------------------------------------------------------
    def profile_path(self, patient: str, exercise: str) -> Path:
        return self.root / "profiles" / patient_key(patient) / f"{_safe_exercise(exercise)}.toml"

    def patients(self) -> list[str]:
        """Patient names with at least one saved profile (read from the files)."""
        names = set()
        for p in sorted((self.root / "profiles").glob("*/*.toml")):
            try:
                names.add(load_profile(p).patient or p.parent.name)
            except FormcheckError:
                names.add(p.parent.name)
        return sorted(names)

    def load(self, patient: str, exercise: str) -> Profile | None:
        """The patient's current profile for ``exercise``, None when there is none; a broken
        file raises DefinitionError naming the file and the field."""
        path = self.profile_path(patient, exercise)
        return load_profile(path) if path.is_file() else None

    def save(self, profile: Profile, now: datetime | None = None) -> ProfileVersion:
        """Save ``profile`` as the patient's next version; the current one moves to history.

        Refuses (DefinitionError) when the current file is not a valid profile, so a
        hand-edited file is never silently replaced.
        """
        path = self.profile_path(profile.patient, profile.exercise)
        previous = self.load(profile.patient, profile.exercise) if path.is_file() else None
        stamp = _stamp(now)
        if previous is not None:
            hist = path.parent / "history" / f"{path.stem}-v{previous.version}-{stamp}.toml"
            atomic.write_bytes(hist, path.read_bytes())   # copy first: a crash leaves both
        new = profile.model_copy(update={
            "version": (previous.version + 1) if previous else 1,
            "saved_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        })
        atomic.write_text(path, profile_toml(new))
        return ProfileVersion(path, new.version, new.saved_at)

    def history(self, patient: str, exercise: str) -> list[ProfileVersion]:
        """Earlier versions, newest first."""
        cur = self.profile_path(patient, exercise)
        out = []
        for p in (cur.parent / "history").glob(f"{cur.stem}-v*.toml"):
            try:
                prof = load_profile(p)
                out.append(ProfileVersion(p, prof.version, prof.saved_at))
            except FormcheckError:
                continue
        return sorted(out, key=lambda v: (v.version, v.saved_at), reverse=True)

    # -- sessions ------------------------------------------------------------------------
    def save_session(self, patient: str, exercise: str, report: dict[str, Any],
                     now: datetime | None = None) -> Path:
        """Write a report (schema-1 dict) under the patient's sessions folder; returns the path."""
        folder = self.root / "sessions" / patient_key(patient)
        path = folder / f"{_stamp(now)}-{_safe_exercise(exercise)}.json"
        atomic.write_text(path, json.dumps(report, indent=1))
        return path


def _safe_exercise(exercise: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]{1,40}", exercise):
        raise DefinitionError(f"exercise id {exercise!r} is not a plain name ([a-z0-9_])")
    return exercise


def profile_toml(profile: Profile) -> str:
    """The profile as a TOML document (round-trips through :func:`profile.load_profile`)."""
    data = profile.model_dump(exclude_none=True)
    data["thresholds"] = {cid: b for cid, b in data.get("thresholds", {}).items() if b}
    head = "# formcheck patient profile: threshold overrides for one exercise (degrees).\n"
    return head + tomli_w.dumps(data)
