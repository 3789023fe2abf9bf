"""Set-up verdicts shown before (and while) judging: is the person in the picture, is the
whole body in view, is the camera where the exercise needs it. Pure functions of a frame's
:class:`Features`, so the live page, the clip review and tests agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.core.landmarks import Landmark, resolve
from formcheck.engine.features import Features
from formcheck.rules.definition import Definition


@dataclass(frozen=True)
class SetupItem:
    label: str
    ok: bool | None      # None = cannot tell yet (no person)
    message: str


def _people_item(people: int | None) -> SetupItem:
    if people is None:
        return SetupItem("Only you in view", None, "checking...")
    if people > 1:
        return SetupItem("Only you in view", False, "Two people in view: coaching the one nearest the "
                                                    "camera. Ask others to step out of the picture.")
    return SetupItem("Only you in view", True, "Yes")


def setup_verdicts(d: Definition, f: Features | None, people: int | None = None) -> list[SetupItem]:
    """Four verdicts: person found, whole body in view, camera view right for ``d``, and
    nobody else in view (``people``: the latest count, None while unknown)."""
    if f is None or not f.pose or f.visible is None:
        return [SetupItem("Person in view", False, "Nobody found: step into the picture."),
                SetupItem("Whole body in view", None, "-"),
                SetupItem("Camera placement", None, "-"),
                _people_item(people)]
    missing = [Landmark(resolve(n, f.near_side)).name.lower().replace("_", " ")
               for n in d.required_landmarks if not f.visible[resolve(n, f.near_side)]]
    body = SetupItem("Whole body in view", not missing,
                     "Yes" if not missing else f"Not visible: {', '.join(missing)}. Move back or "
                                               "tilt the camera so your whole body is in the picture.")
    if d.view == "any":
        view = SetupItem("Camera placement", True, "Any view works for this exercise")
    elif f.view == d.view:
        view = SetupItem("Camera placement", True, f"Good: {d.view} view")
    else:
        view = SetupItem("Camera placement", False, f"Camera view looks {f.view}, not {d.view}. {d.view_cue}")
    return [SetupItem("Person in view", True, "Yes"), body, view, _people_item(people)]
