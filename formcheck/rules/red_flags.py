"""Red flags of a symptom check-in, as validated data (``exercises/safety/red_flags.toml``, a
clinic's own copy in the data folder wins): which answers mean "call emergency services now"
(no exercise that day) and which "contact your doctor or therapist before continuing" (exercise
only after the patient confirms). Each rule cites its sources in the file."""

from __future__ import annotations

import os
import re
import string
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from formcheck.core import config
from formcheck.core.data_files import Strict as _Strict
from formcheck.core.data_files import load_validated
from formcheck.rules.symptoms import Checkin

Level = Literal["contact", "emergency"]
Kind = Literal["yes", "new_or_worse", "pain_at_least", "pain_rising"]
FIELDS_OF_KIND = {"yes": ("bladder_bowel", "saddle_numbness"), "new_or_worse": ("numbness", "weakness")}
PLACEHOLDERS = {"pain", "checkins"}
FILE_NAME = "red_flags.toml"


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: Level
    kind: Kind
    field: str | None = None          # kinds "yes" and "new_or_worse": which answer
    pain: int | None = Field(None, ge=1, le=10)        # pain_at_least: the threshold
    checkins: int | None = Field(None, ge=1, le=20)    # pain_rising: rises in a row
    min_rise: int = Field(1, ge=1, le=10)              # pain_rising: points over them
    reason: str = Field(min_length=1)   # what the patient is told, one sentence
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _parameters(self) -> Rule:
        allowed = FIELDS_OF_KIND.get(self.kind)
        if allowed is not None and self.field not in allowed:
            raise ValueError(f"rule {self.id!r}: kind {self.kind!r} needs field = one of {', '.join(allowed)}")
        if allowed is None and self.field is not None:
            raise ValueError(f"rule {self.id!r}: kind {self.kind!r} takes no field")
        if self.kind == "pain_at_least" and self.pain is None:
            raise ValueError(f"rule {self.id!r}: kind 'pain_at_least' needs pain = 1-10")
        if self.kind == "pain_rising" and self.checkins is None:
            raise ValueError(f"rule {self.id!r}: kind 'pain_rising' needs checkins = how many rises in a row")
        names = {n for _, n, _, _ in string.Formatter().parse(self.reason) if n is not None}
        if names - PLACEHOLDERS:
            raise ValueError(f"rule {self.id!r}: reason may use only {{pain}} and {{checkins}}, "
                             f"not {sorted(names - PLACEHOLDERS)}")
        return self


class RedFlags(_Strict):
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    emergency_message: str = Field(min_length=1)
    emergency_detail: str
    contact_message: str = Field(min_length=1)
    contact_detail: str
    confirm_text: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    rule: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RedFlags:
        ids = [r.id for r in self.rule]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"rule ids must be unique, repeated: {dup}")
        return self

    def message(self, level: str) -> tuple[str, str]:
        """(message, what to do) shown for a level."""
        if level == "emergency":
            return self.emergency_message, self.emergency_detail
        return self.contact_message, self.contact_detail


@dataclass(frozen=True)
class Flag:
    """A rule that fired: ``reason`` in the patient's words, ``message`` what to do."""

    rule: str
    level: str
    message: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def rules_path() -> Path:
    """The clinic's copy in the data folder if there is one, else the bundled file."""
    own = config.data_home() / FILE_NAME
    return own if own.is_file() else config.RED_FLAGS_FILE


def load_rules(path: str | os.PathLike[str] | None = None) -> RedFlags:
    """Load and validate the rules; DefinitionError naming the file, field and reason."""
    return load_validated(RedFlags, path or rules_path())


def evaluate(c: Checkin, earlier: Sequence[Checkin], rules: RedFlags) -> list[Flag]:
    """The flags ``c`` raises, emergencies first; ``earlier``: the patient's previous
    check-ins, oldest first (for "new" symptoms and rising pain)."""
    out = [Flag(r.id, r.level, rules.message(r.level)[0], _reason(r, c)) for r in rules.rule if _fires(r, c, earlier)]
    return sorted(out, key=lambda f: f.level != "emergency")


def _fires(r: Rule, c: Checkin, earlier: Sequence[Checkin]) -> bool:
    if r.kind == "yes":
        return bool(getattr(c, str(r.field)))
    if r.kind == "new_or_worse":
        now = getattr(c, str(r.field))
        before = getattr(earlier[-1], str(r.field)) if earlier else None
        return now == "worse" or (now == "same" and before == "no")
    if r.kind == "pain_at_least":
        return c.pain >= (r.pain or 11)
    n = r.checkins or 0
    pains = [e.pain for e in earlier[-n:]] + [c.pain]
    return (len(pains) == n + 1 and all(b > a for a, b in pairwise(pains))
            and pains[-1] - pains[0] >= r.min_rise)


def _reason(r: Rule, c: Checkin) -> str:
    return re.sub(r"\s+", " ", r.reason.format(pain=c.pain, checkins=r.checkins or 0)).strip()


def strongest(flags: Sequence[Flag | dict[str, str]]) -> str:
    """'emergency', 'contact' or 'none'."""
    levels = {f.level if isinstance(f, Flag) else f.get("level") for f in flags}
    return "emergency" if "emergency" in levels else "contact" if "contact" in levels else "none"
