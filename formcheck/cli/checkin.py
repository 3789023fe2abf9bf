"""`formcheck checkin`: the symptom check-in from the command line (asks in a terminal, takes
flags in scripts), its red flags in plain words, the contact-path confirmation; and the
symptom part of `formcheck history` (pain trend, where it reaches, every red flag)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from formcheck.core.errors import FormcheckError
from formcheck.rules.symptoms import (
    CHANGE_TEXT,
    QUESTIONS,
    REGION_TEXT,
    REGIONS,
    Checkin,
    checkin,
    parse_change,
    parse_pain,
    parse_region,
    parse_yes_no,
    trend,
)

if TYPE_CHECKING:
    from formcheck.rules.red_flags import RedFlags
    from formcheck.storage.checkins import StoredCheckin

EXIT_CONTACT = 3     # a red flag: contact the doctor or therapist first
EXIT_EMERGENCY = 4   # an emergency red flag: no exercise today
ANSWERS = ("pain", "reaches", "numbness", "weakness", "bladder_bowel", "saddle_numbness")
_CHANGE_HINT = "no / same (no worse than last time) / worse (new or worse)"
_HINTS = {"reaches": " / ".join(REGIONS[1:]), "numbness": _CHANGE_HINT, "weakness": _CHANGE_HINT,
          "bladder_bowel": "yes / no", "saddle_numbness": "yes / no"}


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(name: str, parse: Callable[[str], Any], tries: int = 5) -> Any:
    """Ask one question until the answer is valid (the message says what is allowed)."""
    for _ in range(tries):
        hint = f" [{_HINTS[name]}]" if name in _HINTS else ""
        text = input(f"{QUESTIONS[name]}{hint}: ")
        try:
            return parse(text)
        except FormcheckError as e:
            print(f"  {e}")
    raise FormcheckError(f"no valid answer to {name.replace('_', ' ')!r}; nothing was recorded")


def _answers(a: argparse.Namespace) -> Checkin:
    """The answers from the flags; in a terminal, the missing ones are asked one by one."""
    given: dict[str, Any] = {k: getattr(a, k) for k in ANSWERS if getattr(a, k) is not None}

    def needed(k: str) -> bool:   # no "where does it reach" when there is no pain
        return k not in given and not (k == "reaches" and str(given.get("pain", "")).strip() == "0")

    missing = [k for k in ANSWERS if needed(k)]
    if missing and not _interactive():
        flags = ", ".join("--" + k.replace("_", "-") for k in missing)
        raise FormcheckError(f"missing answers: {flags} (or run in a terminal to be asked)")
    for k in ANSWERS:
        if needed(k) and k == "reaches":   # checked against the pain given: "none" only with 0
            given[k] = _ask(k, lambda t: checkin(given["pain"], t).reaches)
        elif needed(k):
            given[k] = _ask(k, PARSERS[k])
    return checkin(moment="after" if a.after else "before", **given)


PARSERS: dict[str, Callable[[str], Any]] = {
    "pain": parse_pain, "reaches": parse_region,
    "numbness": lambda t: parse_change("numbness", t), "weakness": lambda t: parse_change("weakness", t),
    "bladder_bowel": lambda t: parse_yes_no("bladder_bowel", t),
    "saddle_numbness": lambda t: parse_yes_no("saddle_numbness", t),
}


def cmd_checkin(a: argparse.Namespace) -> int:
    from formcheck.rules.red_flags import load_rules
    from formcheck.storage import checkins, open_database

    db = open_database(a.data_dir)
    rules = load_rules()
    if a.confirm:
        return _confirm(db, a.patient, rules.confirm_text)
    c = _answers(a)
    stored = checkins.record(db, a.patient, c, rules)
    print(f"Check-in recorded for {a.patient} ({c.moment} the session): pain {c.pain}/10, reaches "
          f"{REGION_TEXT[c.reaches]}, numbness: {CHANGE_TEXT[c.numbness]}, weakness: {CHANGE_TEXT[c.weakness]}.")
    status = checkins.day_status(db, a.patient)
    if status.level == "emergency":   # this one, or one earlier today: it holds all day
        earlier = status.checkin is not None and status.checkin.id != stored.id
        _tell(rules, "emergency", status.checkin, "Your check-in earlier today showed this." if earlier else "")
        return EXIT_EMERGENCY
    if stored.level == "none":
        print("Thank you. " + ("You can start your exercises." if c.moment == "before" else "Your answers are saved."))
        return 0
    _tell(rules, "contact", stored)
    print(f'When you have spoken to them: formcheck checkin --patient "{a.patient}" --confirm')
    return EXIT_CONTACT


def _tell(rules: RedFlags, level: str, c: StoredCheckin | None, note: str = "") -> None:
    """What the Live page shows for a red flag, in the same words: what to do, why, then the
    detail (formcheck.ui.checkin_panel)."""
    message, detail = rules.message(level)
    print(message)
    if note:
        print(note)
    for f in (c.flags if c is not None else []):
        if f.get("level") == level:
            print(f"  - {f['reason']}")
    print(detail)
    print("Your therapist can see this check-in.")


def _confirm(db: Any, patient: str, text: str) -> int:
    from formcheck.storage import checkins

    st = checkins.day_status(db, patient)
    if st.level == "emergency":
        raise FormcheckError("your check-in today showed a medical emergency: no exercise today, "
                             "nothing to confirm. Call emergency services now")
    if st.level != "contact" or st.checkin is None:
        print(f"Nothing to confirm: {patient} has no open red flag today.")
        return 0
    checkins.confirm(db, st.checkin.id)
    print(f"Confirmed: {text}")
    return 0


def add_parser(sub: Any, make: Callable[..., argparse.ArgumentParser], data_dir_help: str,
               func: Callable[[argparse.Namespace], int]) -> None:
    ci = make(sub, "checkin", help="symptom check-in before (or --after) a session; says if there is a red flag")
    ci.add_argument("--patient", required=True, help="the patient's name")
    ci.add_argument("--pain", help="pain now, 0 (none) to 10 (worst imaginable)")
    ci.add_argument("--reaches", help="how far down the pain reaches: " + ", ".join(REGIONS[1:]))
    ci.add_argument("--numbness", help="numbness or tingling in the leg or foot: no, same (as before), "
                                              "worse (new or worse)")
    ci.add_argument("--weakness", help="weakness in the leg or foot: no, same, worse")
    ci.add_argument("--bladder-bowel", help="any new problem controlling the bladder or bowels: yes/no")
    ci.add_argument("--saddle-numbness", help="any new numbness between the legs or around the bottom: yes/no")
    ci.add_argument("--after", action="store_true", help="this check-in is after the session")
    ci.add_argument("--confirm", action="store_true",
                    help="confirm that the doctor or therapist said exercise is all right today")
    ci.add_argument("--data-dir", help=data_dir_help)
    ci.set_defaults(func=func)


def print_symptoms(rows: list[StoredCheckin]) -> bool:
    """The check-ins part of `formcheck history` (``rows``: the patient's, oldest first): pain
    trend, where it reaches, red flags. Returns whether there were any."""
    if not rows:
        return False
    print("Check-ins:")
    for x in rows:
        c = x.checkin
        flags = "; ".join(f"{f['level'].upper()}: {f['reason']}" for f in x.flags)
        ok = " (confirmed)" if x.confirmed_at else ""
        print(f"{x.taken_at.astimezone():%Y-%m-%d %H:%M}  {c.moment:<6} pain {c.pain:>2}/10  reaches "
              f"{REGION_TEXT[c.reaches]:<17} numbness {c.numbness:<5} weakness {c.weakness:<5}"
              + (f"  RED FLAG {flags}{ok}" if flags else ""))
    t = trend([x.checkin for x in rows])
    if t is not None:
        print(f"Trend over {t.checkins} check-ins: {t.text()}")
    n = sum(1 for x in rows if x.flags)
    print(f"Red flags: {n} check-in{'s' if n != 1 else ''} with a red flag" if n else "Red flags: none")
    return True
