"""``formcheck monitor``: the desk monitor from the command line. Prints events as lines (or
JSON lines) and a day summary; with ``--patient`` the calibration is kept in the patient's
sitting profile and the day's summary and alerts in their history."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from formcheck.core.errors import FormcheckError
from formcheck.engine.monitor_events import Event, MonitorSettings
from formcheck.media.bundles import monitor_model
from formcheck.monitor.engine import Monitor
from formcheck.monitor.sources import Sample, camera_samples, clip_samples, notify


def cmd_monitor(a: argparse.Namespace) -> int:
    from formcheck.rules.definition import get_definition
    from formcheck.rules.profile import apply_profile
    from formcheck.storage.store import Store

    d = get_definition("sitting")
    store, profile = Store(a.data_dir), None
    if a.patient:
        profile = store.load(a.patient, "sitting")
        d = apply_profile(d, profile, where=f"{a.patient}'s sitting profile")
    settings = MonitorSettings(alert_after_s=a.alert_after, break_after_s=a.break_after, calibrate_s=a.calibrate)
    mon = Monitor(d, settings, baseline=profile.baseline_deg if profile and not a.recalibrate else None)
    samples = _source(a)
    try:
        for t, pose, size in samples:
            for ev in mon.sample(t, pose, size):
                _print_event(ev, a.jsonl)
                if ev.kind in ("posture_bad", "break_due"):
                    notify("formcheck", ev.message)
                if ev.kind == "calibrated" and a.patient:
                    _save_baseline(store, a.patient, profile, mon.baseline, d.version)
    except KeyboardInterrupt:
        pass
    _print_summary(mon, a.jsonl)
    if a.patient:
        _record_day(a, mon)
    return 0


def _source(a: argparse.Namespace) -> Iterator[Sample]:
    model = a.model or monitor_model()
    if a.clip:
        return clip_samples(a.clip, a.sample_fps, a.loop, model, a.realtime)
    return camera_samples(a.camera, a.sample_fps, model)


def _print_event(ev: Event, jsonl: bool) -> None:
    if jsonl:
        print(json.dumps({"t_s": round(ev.t_s, 2), "event": ev.kind, "message": ev.message,
                          "check": ev.check, "value": ev.value}), flush=True)
    else:
        h, rem = divmod(int(ev.t_s), 3600)
        extra = f" [{ev.check} {ev.value}]" if ev.check else ""
        print(f"{h:d}:{rem // 60:02d}:{rem % 60:02d}  {ev.kind:<13} {ev.message}{extra}", flush=True)


def _print_summary(mon: Monitor, jsonl: bool) -> None:
    s = mon.summary
    if jsonl:
        print(json.dumps({"event": "summary", **s.to_json()}), flush=True)
        return
    print(f"summary: seated {s.seated_s / 60:.1f} min, good posture {s.good_share:.0%} of it, "
          f"{s.alerts} alerts, {s.breaks_due} break reminders, {s.breaks_taken} breaks taken", flush=True)


def _save_baseline(store, patient: str, profile, baseline: dict[str, float], version: str) -> None:  # type: ignore[no-untyped-def]
    from formcheck.rules.profile import Profile

    base = profile or Profile(exercise="sitting", definition_version=version, patient=patient)
    store.save(base.model_copy(update={"baseline_deg": dict(baseline)}))


def _record_day(a: argparse.Namespace, mon: Monitor) -> None:
    from formcheck.storage import open_database, repo

    try:
        db = open_database(a.data_dir)
        sid = repo.start_set(db, a.patient, "sitting", "monitor", mon.d.version, clip=a.clip or f"camera {a.camera}")
        repo.finish_set(db, sid, {"faults": {}, **mon.summary.to_json(events=500)})
    except FormcheckError as e:
        print(f"formcheck: the day was not recorded: {e}", file=sys.stderr)
