"""A symptom check-in: what a patient with sciatica reports before (and after) a session, in
fixed choices rather than free text, validated with messages a patient can act on; and the
trend a therapist reads over weeks (pain, and where it reaches: centralising or spreading).

No database and no widgets here: the CLI, the Live page and the reports share these types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from formcheck.core.errors import FormcheckError

Moment = Literal["before", "after"]
Change = Literal["no", "same", "worse"]        # a symptom: none / as before / new or worse
Region = Literal["none", "back", "buttock", "thigh", "below_knee", "foot"]
MOMENTS: tuple[str, ...] = get_args(Moment)
CHANGES: tuple[str, ...] = get_args(Change)
# Ordered from the spine outwards: pain that retreats toward the back ("centralisation") is
# the good sign, pain that reaches further down the leg ("peripheralisation") the bad one.
REGIONS: tuple[str, ...] = get_args(Region)
REGION_TEXT = {"none": "nowhere (no pain)", "back": "low back only", "buttock": "buttock",
               "thigh": "thigh", "below_knee": "below the knee", "foot": "foot or toes"}
# "same" also covers "better": the rule asks only whether it is new or worse since last time
CHANGE_TEXT = {"no": "no", "same": "yes, but no worse than last time", "worse": "yes, and it is new or worse"}

# The questions, worded for someone in pain: short, one thing each, no jargon.
QUESTIONS = {
    "pain": "How bad is your pain right now? (0 = no pain, 10 = worst pain imaginable)",
    "reaches": "How far down does the pain reach?",
    "numbness": "Numbness or tingling in your leg or foot?",
    "weakness": "Weakness in your leg or foot (your foot catches, or your leg gives way)?",
    "bladder_bowel": "Any new problem controlling your bladder or bowels (leaking, or not able to go)?",
    "saddle_numbness": "Any new numbness between your legs or around your bottom?",
}


@dataclass(frozen=True)
class Checkin:
    """One check-in. ``pain`` is the 0-10 numeric rating; ``reaches`` the furthest region
    the pain reaches (one of REGIONS; "none" only with pain 0)."""

    pain: int
    reaches: str
    numbness: str = "no"           # one of CHANGES
    weakness: str = "no"           # one of CHANGES
    bladder_bowel: bool = False
    saddle_numbness: bool = False
    moment: str = "before"         # one of MOMENTS
    taken_at: datetime | None = None   # UTC; set when stored

    @property
    def reach_level(self) -> int:
        """0 = no pain, 1 = back ... 5 = foot: larger = further from the spine."""
        return REGIONS.index(self.reaches)


def checkin(pain: object, reaches: object = None, numbness: object = "no", weakness: object = "no",
            bladder_bowel: object = False, saddle_numbness: object = False, moment: object = "before",
            taken_at: datetime | None = None) -> Checkin:
    """A validated Checkin from loosely typed answers (form widgets, CLI text). Raises
    FormcheckError saying which answer is wrong and what is allowed."""
    p = parse_pain(pain)
    where = "none" if reaches in (None, "") else parse_region(reaches)
    if p == 0 and where != "none":
        raise FormcheckError(f"pain is 0 but it reaches {REGION_TEXT[where]!r}: give the pain (1-10) "
                             "or leave where it reaches empty")
    if p > 0 and where == "none":
        raise FormcheckError(f"pain is {p} out of 10: say how far down it reaches "
                             f"({', '.join(REGIONS[1:])})")
    return Checkin(p, where, parse_change("numbness", numbness), parse_change("weakness", weakness),
                   parse_yes_no("bladder_bowel", bladder_bowel), parse_yes_no("saddle_numbness", saddle_numbness),
                   _choice("moment", moment, MOMENTS), taken_at)


def parse_pain(value: object) -> int:
    """0-10 as a whole number (from an int or text such as ' 7 ')."""
    if isinstance(value, bool):
        raise FormcheckError("pain must be a whole number from 0 to 10")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise FormcheckError(f"pain must be a whole number from 0 to 10, got {value!r}")
        value = int(text)
    if not isinstance(value, int) or not 0 <= value <= 10:
        raise FormcheckError(f"pain must be a whole number from 0 to 10, got {value!r}")
    return value


_REGION_ALIASES = {"below the knee": "below_knee", "below-knee": "below_knee", "calf": "below_knee",
                   "shin": "below_knee", "toes": "foot", "low back": "back",
                   "lower back": "back", "bottom": "buttock", "buttocks": "buttock", "nowhere": "none"}


def parse_region(value: object) -> str:
    text = str(value or "").strip().lower()
    text = _REGION_ALIASES.get(text, text).replace(" ", "_")
    if text not in REGIONS:
        raise FormcheckError(f"where the pain reaches must be one of {', '.join(REGIONS)}, got {value!r}")
    return text


_YES = {"y", "yes", "true", "1"}
_NO = {"n", "no", "false", "0"}


def parse_yes_no(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _YES or text in _NO:
        return text in _YES
    raise FormcheckError(f"{name.replace('_', ' ')}: answer yes or no, got {value!r}")


_CHANGE_ALIASES = {"n": "no", "none": "no", "false": "no", "yes": "same", "y": "same",
                   "new": "worse", "worse": "worse", "new or worse": "worse", "same as before": "same"}


def parse_change(name: str, value: object) -> str:
    """A symptom's answer: no / same (as before) / worse (new or worse)."""
    return _choice(name, value, CHANGES)


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    text = str(value).strip().lower()
    if allowed == CHANGES:
        text = _CHANGE_ALIASES.get(text, text)
    if text not in allowed:
        raise FormcheckError(f"{name.replace('_', ' ')} must be one of {', '.join(allowed)}, got {value!r}")
    return text


# -- the trend over weeks ------------------------------------------------------------------------
Direction = Literal["centralising", "spreading", "unchanged"]


@dataclass(frozen=True)
class Trend:
    """First against last part of a period: median pain, and the median furthest region
    (as a REGIONS index, a half rounded outwards: the further region) in the first and the
    last ``window`` check-ins."""

    first_pain: float
    last_pain: float
    first_reach: str
    last_reach: str
    direction: Direction
    checkins: int

    def text(self) -> str:
        return (f"pain {self.first_pain:g} -> {self.last_pain:g} /10; reaches {REGION_TEXT[self.first_reach]} -> "
                f"{REGION_TEXT[self.last_reach]} ({self.direction})")


def trend(checkins: Sequence[Checkin], window: int = 3) -> Trend | None:
    """The trend of check-ins in time order; None with fewer than two. ``window``: how many
    check-ins at each end are compared (medians, so one bad day does not flip the verdict)."""
    if len(checkins) < 2:
        return None
    n = max(1, min(window, len(checkins) // 2))
    head, tail = checkins[:n], checkins[-n:]
    r0, r1 = _median([c.reach_level for c in head]), _median([c.reach_level for c in tail])
    direction: Direction = "unchanged" if r0 == r1 else ("centralising" if r1 < r0 else "spreading")
    return Trend(_median([c.pain for c in head]), _median([c.pain for c in tail]),
                 REGIONS[int(r0 + 0.5)], REGIONS[int(r1 + 0.5)], direction, len(checkins))


def _median(xs: Sequence[int]) -> float:
    s = sorted(xs)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
