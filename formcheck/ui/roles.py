"""Which page each role sees (no streamlit here: the role matrix test reads it). The pages
still ask the data layer, which refuses another patient's data whatever a page shows."""

from __future__ import annotations

PAGES = ("Live", "Clip review", "Therapist tuning", "Programme", "Progress", "Desk monitor", "Account")
_PATIENT = frozenset({"Live", "Clip review", "Progress", "Desk monitor", "Account"})
ALLOWED: dict[str, frozenset[str]] = {
    "owner": frozenset(PAGES) - {"Account"},   # one person at home: no accounts to manage
    "therapist": frozenset(PAGES),
    "patient": _PATIENT,
    "admin": frozenset({"Account"}),
}
WHY_NOT = {
    "patient": "this page is for your therapist",
    "admin": "an administrator's account manages accounts; patients' data is for their therapists",
}


def allowed(role: str, page: str) -> bool:
    return page in ALLOWED.get(role, frozenset())


def not_for_you(role: str, page: str) -> str:
    return f"{page}: not for your account ({WHY_NOT.get(role, 'ask the clinic administrator')})."
