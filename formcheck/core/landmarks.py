"""BlazePose landmark names, skeleton edges and side-less name expansion."""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


class Landmark(IntEnum):
    """The 33 BlazePose GHUM landmarks, in MediaPipe's index order.

    ``left``/``right`` are the person's own sides, not the image's.
    """

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = len(Landmark)

# Body edges drawn in overlays (face detail left out: it clutters a side view).
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = tuple(
    (Landmark[f"{s}_{a}"], Landmark[f"{s}_{b}"])
    for s in ("LEFT", "RIGHT")
    for a, b in (
        ("SHOULDER", "ELBOW"),
        ("ELBOW", "WRIST"),
        ("SHOULDER", "HIP"),
        ("HIP", "KNEE"),
        ("KNEE", "ANKLE"),
        ("ANKLE", "HEEL"),
        ("HEEL", "FOOT_INDEX"),
        ("EAR", "SHOULDER"),
    )
) + (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
)

_SIDED_NAMES = frozenset(
    name.split("_", 1)[1].lower() for name in Landmark.__members__ if name.startswith("LEFT_")
)


def sideless_names() -> frozenset[str]:
    """Names that exist on both sides and may be written without a side (``"hip"``)."""
    return _SIDED_NAMES


def resolve(name: str, side: Side) -> Landmark:
    """Map ``"hip"`` -> LEFT_HIP/RIGHT_HIP for ``side``; ``"opposite_hip"`` -> the other side;
    full names (``"left_hip"``, ``"nose"``) pass through.

    Raises ``KeyError`` with the allowed names when ``name`` is unknown.
    """
    key = name.strip().lower()
    if key.startswith("opposite_"):
        key = key[len("opposite_"):]
        side = "right" if side == "left" else "left"
    if key in _SIDED_NAMES:
        return Landmark[f"{side}_{key}".upper()]
    try:
        return Landmark[key.upper()]
    except KeyError:
        allowed = sorted(_SIDED_NAMES | {m.lower() for m in Landmark.__members__})
        raise KeyError(f"unknown landmark {name!r}; allowed: {', '.join(allowed)}") from None


def is_valid_name(name: str) -> bool:
    try:
        resolve(name, "left")
    except KeyError:
        return False
    return True
