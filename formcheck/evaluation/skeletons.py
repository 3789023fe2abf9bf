"""Judge the sitting rules on labelled keypoint sets from another pose model and other people.

The side-camera sitting set (MoveNet, 17 keypoints; one CSV per posture class: straight,
hunched, hunched_roundshoulder, lieback) is mapped onto BlazePose's 33 landmarks: the 17
shared joints keep their position and MoveNet's score as visibility; the other 16 (eye
corners, mouth, hands, heels, toes) are missing, i.e. not visible. Each row is judged as a
still (the rows need not be consecutive frames). The keypoints are normalised to the image
and the image size is not recorded, so a 640x480 webcam frame is assumed (angles depend on
the aspect ratio); the camera is at the side by the set's own description, so the view is
taken as side rather than measured (MoveNet has no 3D landmarks).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.core.errors import FormcheckError
from formcheck.core.landmarks import Landmark
from formcheck.core.pose import VIS, ClipInfo, FramePose, empty_frame_arrays
from formcheck.engine.session import Session
from formcheck.rules.definition import Definition, get_definition

ASSUMED_SIZE_PX = (640, 480)
# MoveNet keypoint order -> BlazePose landmark
MOVENET_TO_BLAZEPOSE = (
    Landmark.NOSE, Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.LEFT_EAR, Landmark.RIGHT_EAR,
    Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW,
    Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST, Landmark.LEFT_HIP, Landmark.RIGHT_HIP,
    Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE,
)
MISSING = sorted(set(Landmark) - set(MOVENET_TO_BLAZEPOSE))
# What a correct checker reports for each class of the set
EXPECTED = {"straight": set(), "hunched": {"trunk_slouched", "forward_head"},
            "hunched_roundshoulder": {"trunk_slouched", "forward_head"}, "lieback": {"trunk_reclined"}}


def movenet_pose(row: list[float], size: tuple[int, int] = ASSUMED_SIZE_PX) -> FramePose:
    """One CSV row's 17 (y, x, score) triples -> a FramePose (33 landmarks, pixels)."""
    if len(row) != 51:
        raise FormcheckError(f"a MoveNet row has 17 x (y, x, score) = 51 numbers, got {len(row)}")
    lm, world = empty_frame_arrays()
    lm[:, VIS:] = 0.0
    w, h = size
    for k, target in enumerate(MOVENET_TO_BLAZEPOSE):
        y, x, score = row[3 * k: 3 * k + 3]
        lm[target] = (x * w, y * h, 0.0, score, score)
    # Side camera by the set's description: shoulder and hip lines point at the camera.
    for left, right in ((Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)):
        world[left], world[right] = (0.0, 0.0, -0.1), (0.0, 0.0, 0.1)
    return FramePose(lm, world)


def load_movenet_csv(path: Path) -> list[tuple[str, FramePose]]:
    """(class label, pose) per row of a MoveNet sitting CSV (header with y1,x1,s1..y17,x17,s17)."""
    try:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise FormcheckError(f"{path}: cannot read ({e})") from None
    cols = [f"{c}{k}" for k in range(1, 18) for c in ("y", "x", "s")]
    if not rows or any(c not in rows[0] for c in cols + ["class"]):
        raise FormcheckError(f"{path}: not a MoveNet keypoint CSV (needs class, y1,x1,s1 .. y17,x17,s17)")
    try:
        return [(r["class"], movenet_pose([float(r[c]) for c in cols])) for r in rows]
    except ValueError as e:
        raise FormcheckError(f"{path}: bad number ({e})") from None


@dataclass
class SkeletonResult:
    file: str
    label: str
    rows: int
    judged: int                      # rows where at least one check could be judged
    flagged: dict[str, int] = field(default_factory=dict)   # check id -> rows failing it
    expected_hit: int = 0            # rows showing the class's expected fault (or none for straight)


def judge_rows(label: str, poses: list[FramePose], d: Definition, name: str) -> SkeletonResult:
    res = SkeletonResult(name, label, len(poses), 0, {c.id: 0 for c in d.checks})
    want = EXPECTED.get(label)
    info = ClipInfo(width=ASSUMED_SIZE_PX[0], height=ASSUMED_SIZE_PX[1], is_image=True)
    for p in poses:
        s = Session(d, info=info, keep_features=False)
        _, fr = s.update(0.0, p)
        if not any(c.status != "skipped" for c in fr.checks):
            continue
        res.judged += 1
        failed = {c.id for c in fr.checks if c.status == "fail"}
        for cid in failed:
            res.flagged[cid] += 1
        if want is not None and ((not want and not failed) or (want & failed)):
            res.expected_hit += 1
    return res


def evaluate_folder(folder: Path, definition: Definition | None = None) -> list[SkeletonResult]:
    """Judge every ``*.csv`` of a MoveNet sitting folder with the sitting definition."""
    d = definition or get_definition("sitting")
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise FormcheckError(f"{folder}: no .csv keypoint files")
    out = []
    for f in files:
        rows = load_movenet_csv(f)
        labels = {lab for lab, _ in rows}
        if len(labels) != 1:
            raise FormcheckError(f"{f}: expected one class per file, found {sorted(labels)}")
        out.append(judge_rows(labels.pop(), [p for _, p in rows], d, f.name))
    return out


def format_skeletons(results: list[SkeletonResult]) -> str:
    missing = ", ".join(Landmark(i).name.lower() for i in MISSING)
    head = [f"Sitting rules on MoveNet side-camera keypoints ({ASSUMED_SIZE_PX[0]}x{ASSUMED_SIZE_PX[1]} "
            "assumed, view side by the set's label).",
            f"Not in MoveNet, so not visible: {missing}."]
    ids = list(results[0].flagged) if results else []
    rows = [("file", "class", "rows", "judged", *ids, "as labelled")]
    for r in results:
        frac = [f"{r.flagged[i] / r.judged:.0%}" if r.judged else "-" for i in ids]
        hit = f"{r.expected_hit / r.judged:.0%}" if r.judged and r.label in EXPECTED else "-"
        rows.append((r.file, r.label, str(r.rows), str(r.judged), *frac, hit))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    table = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    note = ("columns per check: share of judged rows flagged; 'as labelled': share of judged rows "
            "with the class's fault (straight: with none)")
    return "\n".join(head + table + [note])
