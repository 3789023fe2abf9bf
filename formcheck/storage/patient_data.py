"""A patient's data as a whole: export everything of one patient as one zip archive (the right
to a copy) and delete a patient with all their data (the right to erasure). Both act as the
database's user: the export for the patient themself or their therapist, the deletion for
their therapist (or the local owner). The audit log keeps its entries, without the name."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from formcheck.core import atomic
from formcheck.core.patients import patient_key
from formcheck.storage import audit, repo
from formcheck.storage.access import PRESCRIBE, READ, acting
from formcheck.storage.account_models import User
from formcheck.storage.database import Database
from formcheck.storage.models import ExerciseSet, Patient, Programme, RepRow
from formcheck.storage.store import Store


def _rows(db: Database, pid: int) -> dict[str, Any]:
    """Everything of the patient in the database, as plain JSON-ready data."""
    with db.session() as s:
        p = s.get(Patient, pid)
        assert p is not None
        sets = list(s.scalars(select(ExerciseSet).where(ExerciseSet.patient_id == pid).order_by(ExerciseSet.id)))
        reps = list(s.scalars(select(RepRow).where(RepRow.set_id.in_([x.id for x in sets]))
                              .order_by(RepRow.set_id, RepRow.index))) if sets else []
        progs = list(s.scalars(select(Programme).where(Programme.patient_id == pid).order_by(Programme.id)))
        account = s.scalar(select(User.username).where(User.patient_id == pid))
        return {
            "patient": {"name": p.name, "key": p.key, "created_at": p.created_at.isoformat(), "account": account},
            "sets": [{"id": x.id, "exercise": x.exercise, "source": x.source, "started_at": x.started_at.isoformat(),
                      "ended_at": x.ended_at.isoformat() if x.ended_at else None,
                      "definition_version": x.definition_version, "profile_version": x.profile_version,
                      "clip": x.clip, "summary": x.summary} for x in sets],
            "reps": [{"set": r.set_id, "index": r.index, "side": r.side, "start_ms": r.start_ms, "top_ms": r.top_ms,
                      "end_ms": r.end_ms, "hold_ms": r.hold_ms, "faults": r.faults, "key_angles": r.key_angles}
                     for r in reps],
            "programmes": [{"id": g.id, "created_at": g.created_at.isoformat(), "active": g.active,
                            "days_per_week": g.days_per_week, "notes": g.notes,
                            "items": [{"exercise": i.exercise, "sets": i.sets, "reps": i.reps, "hold_s": i.hold_s,
                                       "rest_s": i.rest_s, "profile_version": i.profile_version} for i in g.items]}
                           for g in progs],
        }


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in r.items()})
    return buf.getvalue()


def _folders(store: Store, patient: str) -> list[Path]:
    """The patient's folders in the data folder: profiles (with their history) and saved sessions."""
    key = patient_key(patient)
    return [store.root / "profiles" / key, store.root / "sessions" / key]


def export_patient(db: Database, store: Store, patient: str, out: str | Path) -> Path:
    """The archive of :func:`export_bytes`, written atomically to ``out``."""
    atomic.write_bytes(out, export_bytes(db, store, patient))
    return Path(out)


def export_bytes(db: Database, store: Store, patient: str) -> bytes:
    """One zip: data.json (everything), sets.csv, reps.csv, programmes.json, report.pdf and the
    patient's files (profiles and their versions, saved sessions). The app's download button
    and ``formcheck export`` give the same archive; each export is audited."""
    from formcheck.pdf.clinician import clinician_report

    who = acting(db, None)
    pid = repo.patient_id(db, patient, READ)
    if pid is None:
        from formcheck.core.errors import FormcheckError

        raise FormcheckError(f"no patient {patient!r} in the database")
    data = _rows(db, pid)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", json.dumps(data, indent=1, ensure_ascii=False))
        z.writestr("sets.csv", _csv(data["sets"]))
        z.writestr("reps.csv", _csv(data["reps"]))
        z.writestr("programmes.json", json.dumps(data["programmes"], indent=1, ensure_ascii=False))
        with tempfile.TemporaryDirectory() as tmp:
            z.write(clinician_report(db, patient, Path(tmp) / "report.pdf", weeks=52), "report.pdf")
        for folder in _folders(store, patient):
            for f in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if f.is_file():
                    z.write(f, str(Path("files") / f.relative_to(store.root)))
    audit.write(db, who, "export patient", pid)
    return buf.getvalue()


def delete_patient(db: Database, store: Store, patient: str) -> int:
    """Delete the patient with every set, rep, programme, invite, account, profile and saved
    session; returns the sets removed. Audit entries stay, shown as "deleted patient"."""
    who = acting(db, None)
    pid = repo.patient_id(db, patient, PRESCRIBE)
    if pid is None:
        return 0
    with db.session() as s:
        n = len(list(s.scalars(select(ExerciseSet.id).where(ExerciseSet.patient_id == pid))))
        # sets and reps explicitly too: the result must not hang on the database's cascade settings
        set_ids = select(ExerciseSet.id).where(ExerciseSet.patient_id == pid)
        s.execute(delete(RepRow).where(RepRow.set_id.in_(set_ids)))
        s.execute(delete(ExerciseSet).where(ExerciseSet.patient_id == pid))
        s.execute(delete(User).where(User.patient_id == pid))
        s.execute(delete(Patient).where(Patient.id == pid))   # programmes, invites, care links: cascade
        audit.record(s, who, "delete patient", pid, f"{n} sets")
        s.commit()
    for folder in _folders(store, patient):
        shutil.rmtree(folder, ignore_errors=True)
    return n
