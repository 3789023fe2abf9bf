"""The JSON report (a stable contract, schema 1) and the per-frame CSV: the one place results
become dicts (and, for saved reports and stored set summaries, typed again)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Mapping
from typing import Any

from formcheck.core.atomic import write_text
from formcheck.engine.asymmetry import from_dict
from formcheck.engine.reps import Rep
from formcheck.engine.session import SessionResult
from formcheck.engine.summary import Summary

SCHEMA = 1


def _ms(x: float) -> int:
    return int(round(x))


def build_report(r: SessionResult) -> dict[str, Any]:
    """The report dict (see README "Report format")."""
    info = r.info
    frames = [{"t_ms": _ms(f.t_ms), "pose": f.pose, "view": f.view, "phase": f.phase,
               "angles": f.angles,
               "checks": [{"id": c.id, "status": c.status, "value": c.value, "message": c.message}
                          for c in f.checks]}
              for f in r.frames]
    return {
        "schema": SCHEMA,
        "exercise": r.definition.id,
        "definition_version": r.definition.version,
        "profile": r.profile.label() if r.profile else None,
        "profile_version": r.profile.version if r.profile else None,
        "clip": {"path": info.path, "fps": round(info.fps, 3), "frames": info.frames,
                 "model_frames": info.model_frames,
                 "width": info.width, "height": info.height,
                 "duration_s": round(info.duration_s, 3)},
        "rep_count": len(r.reps),
        "reps": [rep_json(x) for x in r.reps],
        "frames": frames,
        "summary": summary_json(r.summary),
    }


def rep_json(x: Rep) -> dict[str, Any]:
    """One rep of the report (times to whole ms)."""
    return {"index": x.index, "side": x.side, "start_ms": _ms(x.start_ms), "top_ms": _ms(x.top_ms),
            "end_ms": _ms(x.end_ms), "hold_ms": _ms(x.hold_ms), "ok": x.ok, "faults": list(x.faults),
            "notes": list(x.notes), "key_angles": dict(x.key_angles)}


def rep_from_json(d: Mapping[str, Any]) -> Rep:
    """A rep back from :func:`rep_json` (a saved report, a set summary sent as JSON)."""
    return Rep(int(d["index"]), d.get("side"), float(d["start_ms"]), float(d["top_ms"]), float(d["end_ms"]),
               float(d.get("hold_ms", 0.0)), list(d.get("faults", [])), notes=list(d.get("notes", [])),
               key_angles=dict(d.get("key_angles", {})))


def profile_version_from_json(report: Mapping[str, Any]) -> int | None:
    """The profile version of a saved report: its ``profile_version`` number. A report written
    before that field existed names the version only in its ``profile`` label ("name vN"): read
    here, at the JSON edge, and nowhere else; None without a profile."""
    if "profile_version" in report:
        v = report["profile_version"]
        return None if v is None else int(v)
    label = str(report.get("profile") or "")
    tail = label.rsplit(" v", 1)[-1] if " v" in label else ""
    return int(tail) if tail.isdigit() else None


def summary_json(sm: Summary) -> dict[str, Any]:
    """The report's summary: also what the database keeps of a set."""
    return {"view": sm.view, "faults": dict(sm.faults),
            "good_form_fraction": sm.good_form_fraction,
            "camera_message": sm.camera_message,
            "position_message": sm.position_message,
            "people_message": sm.people_message,
            "person_missing": [{"start_ms": _ms(a), "end_ms": _ms(b)} for a, b in sm.person_missing],
            "missing_message": sm.missing_message,
            "asymmetry": sm.asymmetry.to_dict() if sm.asymmetry else None}


def summary_from_json(d: Mapping[str, Any]) -> Summary:
    """A summary back from :func:`summary_json` (``missing_message`` is derived again)."""
    return Summary(str(d["view"]), {str(k): int(v) for k, v in d["faults"].items()}, float(d["good_form_fraction"]),
                   d.get("camera_message"), d.get("position_message"), d.get("people_message"),
                   [(float(x["start_ms"]), float(x["end_ms"])) for x in d.get("person_missing", [])],
                   from_dict(d["asymmetry"]) if d.get("asymmetry") else None)


def write_report(r: SessionResult, path: str | os.PathLike[str]) -> dict[str, Any]:
    rep = build_report(r)
    write_text(path, json.dumps(rep, indent=1))
    return rep


def frames_csv(r: SessionResult) -> str:
    """One row per frame: time, pose, view, phase, key angles (deg, to 0.1: the landmarks are
    not finer than that), each check's status."""
    angle_cols = list(r.definition.key_angles)
    check_cols = [c.id for c in r.definition.checks]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["t_ms", "pose", "view", "phase", "rep_count", "hold_ms", *angle_cols,
                *check_cols, "cue"])
    for f in r.frames:
        st = {c.id: c.status for c in f.checks}
        w.writerow([_ms(f.t_ms), int(f.pose), f.view, f.phase or "", f.rep_count, _ms(f.hold_ms),
                    *["" if (v := f.angles.get(a)) is None else round(v, 1) for a in angle_cols],
                    *[st.get(c, "") for c in check_cols], f.cue or ""])
    return buf.getvalue()


def write_csv(r: SessionResult, path: str | os.PathLike[str]) -> None:
    write_text(path, frames_csv(r))
