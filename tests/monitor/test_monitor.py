"""The desk monitor on simulated hours: synthetic seated poses sampled at 2 per second, and
looped real sitting clips through ``formcheck monitor``."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from synth import sitting_pose

from formcheck.core.units import duration_s
from formcheck.engine.monitor_events import MonitorSettings
from formcheck.monitor.engine import Monitor
from formcheck.rules.definition import get_definition

FPS = 2.0
UPRIGHT = sitting_pose(trunk_lean_deg=0.0, neck_lean_deg=10.0)
SLOUCH = sitting_pose(trunk_lean_deg=30.0, neck_lean_deg=40.0)
MILD = sitting_pose(trunk_lean_deg=14.0, neck_lean_deg=15.0)      # under every therapist limit
STANDING = sitting_pose(trunk_lean_deg=0.0, neck_lean_deg=10.0, thigh_deg=-85.0)


def _run(mon: Monitor, plan: list[tuple[object, float]], t0: float = 0.0) -> tuple[list, float]:
    """Feed (pose, seconds) segments at 2 samples/s; return the events and the end time."""
    events, t = [], t0
    for pose, seconds in plan:
        for _ in range(int(seconds * FPS)):
            events += mon.sample(t, pose, (1000, 800))   # type: ignore[arg-type]
            t += 1 / FPS
    return events, t


def _kinds(events) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.kind for e in events]


def _monitor(**kw) -> Monitor:  # type: ignore[no-untyped-def]
    return Monitor(get_definition("sitting"), MonitorSettings(**kw))


def test_alert_only_after_bad_posture_lasts():
    mon = _monitor(alert_after_s=30.0)
    events, t = _run(mon, [(UPRIGHT, 10), (SLOUCH, 25), (UPRIGHT, 5)])
    assert "calibrated" in _kinds(events) and "posture_bad" not in _kinds(events)
    events, _ = _run(mon, [(SLOUCH, 40), (UPRIGHT, 5)], t)
    bad = [e for e in events if e.kind == "posture_bad"]
    assert len(bad) == 1 and bad[0].t_s - t >= 30.0 and bad[0].check in ("trunk_slouched", "forward_head")
    assert "posture_good" in _kinds(events)


def test_cool_down_and_snooze():
    mon = _monitor(alert_after_s=10.0, cooldown_s=120.0)
    events, t = _run(mon, [(UPRIGHT, 10)] + [(SLOUCH, 15), (UPRIGHT, 5)] * 4)
    assert _kinds(events).count("posture_bad") == 1          # 80 s of repeats: within the cool-down
    mon.snooze(t, 300.0)
    events, _ = _run(mon, [(SLOUCH, 200)], t)
    assert "posture_bad" not in _kinds(events)


def test_break_reminders_at_the_interval_and_standing_up_resets_the_stretch():
    mon = _monitor(break_after_s=40 * 60, break_repeat_s=10 * 60, reset_after_s=60)
    events, t = _run(mon, [(UPRIGHT, 55 * 60)])               # 55 min seated
    due = [e.t_s / 60 for e in events if e.kind == "break_due"]
    assert len(due) == 2 and 40 <= due[0] < 40.1 and 50 <= due[1] < 50.1
    events, t = _run(mon, [(STANDING, 90), (UPRIGHT, 39 * 60)], t)   # a break, then 39 min
    assert "stood_up" in _kinds(events) and "sat_down" in _kinds(events) and "break_due" not in _kinds(events)
    assert mon.summary.breaks_taken == 1
    events, _ = _run(mon, [(UPRIGHT, 2 * 60)], t)
    assert "break_due" in _kinds(events)                      # 40 min after sitting down again


def test_leaving_resets_the_stretch_and_nobody_in_view_never_alerts():
    mon = _monitor(alert_after_s=10.0, break_after_s=20 * 60, reset_after_s=60)
    events, t = _run(mon, [(UPRIGHT, 19 * 60), (SLOUCH, 5), (None, 10 * 60)])
    assert "away" in _kinds(events) and "posture_bad" not in _kinds(events) and "break_due" not in _kinds(events)
    events, _ = _run(mon, [(UPRIGHT, 19 * 60)], t)
    assert "back" in _kinds(events) and "break_due" not in _kinds(events)   # the stretch began again


def test_calibration_moves_the_limits():
    """A 14 deg lean is under the therapist's 20; against a person calibrated upright (0) plus
    the 10 deg margin it is a slouch, against one who sits at 8 it is not."""
    upright = _monitor(alert_after_s=10.0)
    events, _t = _run(upright, [(UPRIGHT, 10), (MILD, 30)])
    assert upright.baseline["trunk_lean_deg"] == pytest.approx(0.0, abs=0.5)
    assert [e.check for e in events if e.kind == "posture_bad"] == ["trunk_slouched"]
    leaner = _monitor(alert_after_s=10.0)
    events, _ = _run(leaner, [(sitting_pose(trunk_lean_deg=8.0, neck_lean_deg=12.0), 10), (MILD, 30)])
    assert "posture_bad" not in _kinds(events)


def test_calibration_waits_for_good_posture():
    mon = _monitor(calibrate_s=5.0)
    events, _ = _run(mon, [(SLOUCH, 20), (UPRIGHT, 6)])
    assert _kinds(events)[0] == "calibrating" and "calibrated" in _kinds(events)
    assert mon.baseline["trunk_lean_deg"] < 5.0


@pytest.mark.parametrize("text,seconds", [("30s", 30.0), ("40m", 2400.0), ("1.5h", 5400.0), ("90", 90.0)])
def test_durations(text, seconds):
    assert duration_s(text) == seconds


@pytest.mark.media
@pytest.mark.slow
def test_an_hour_and_a_half_of_a_looped_real_sitting_clip(media, capsys, tmp_path):
    """The seated cat-cow clip (upright / slouched every few seconds) looped to 84 minutes:
    calibrated first, break reminders at 40 and 50 min and so on, alerts spaced by the cool-down,
    the day recorded for the patient."""
    from formcheck.cli.main import main
    from formcheck.storage import open_database, repo

    clip = media / "sitting" / "polybag_seated_cat_cow_side.mp4"
    assert main(["monitor", str(clip), "--loop", "310", "--alert-after", "3s", "--break-after", "40m",
                 "--jsonl", "--patient", "Desk Worker", "--data-dir", str(tmp_path)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    kinds = [x["event"] for x in lines]
    assert kinds.index("calibrated") < kinds.index("posture_bad")
    due = [x["t_s"] / 60 for x in lines if x["event"] == "break_due"]
    assert 40 <= due[0] < 41 and 50 <= due[1] < 51
    alerts = [x["t_s"] for x in lines if x["event"] == "posture_bad"]
    assert len(alerts) >= 20 and all(b - a >= 120 for a, b in itertools.pairwise(alerts))
    summary = lines[-1]
    assert summary["event"] == "summary" and summary["seated_s"] > 80 * 60 and 0 < summary["good_posture_share"] < 1
    db = open_database(tmp_path)
    (day,) = repo.history(db, "Desk Worker")
    assert day.source == "monitor" and day.summary["alerts"] == len(alerts)
    assert main(["history", "--patient", "Desk Worker", "--data-dir", str(tmp_path)]) == 0
    assert re.search(r"monitor +seated 8\d min, good posture \d+%, \d+ alerts", capsys.readouterr().out)
    from formcheck.storage.store import Store

    assert Store(tmp_path).load("Desk Worker", "sitting").baseline_deg   # calibration kept


def test_a_recorded_day_reads_back_typed_and_history_prints_it(tmp_path, capsys):
    """The day a monitor run records is read back through DaySummary.from_json (the database
    edge): formcheck history prints the same time seated, share, alerts and reminders the
    monitor counted."""
    import argparse

    from formcheck.cli.main import main
    from formcheck.monitor.run import _record_day
    from formcheck.storage import open_database, repo

    mon = _monitor(calibrate_s=5.0, alert_after_s=3.0, cooldown_s=10.0, break_after_s=60.0)
    _run(mon, [(UPRIGHT, 20), (SLOUCH, 30), (UPRIGHT, 20), (SLOUCH, 30), (UPRIGHT, 50)])
    s = mon.summary
    assert s.alerts >= 2 and s.breaks_due >= 1 and 0 < s.good_share < 1
    _record_day(argparse.Namespace(data_dir=str(tmp_path), patient="Desk Worker", clip=None, camera=0), mon)
    (x,) = repo.history(open_database(tmp_path), "Desk Worker")
    day = x.day
    assert day is not None and x.source == "monitor"
    assert (day.seated_s, day.alerts, day.breaks_due, day.breaks_taken) == (
        round(s.seated_s), s.alerts, s.breaks_due, s.breaks_taken)
    assert abs(day.good_share - s.good_share) < 0.001
    assert [e.kind for e in day.events] == [e.kind for e in s.events if e.kind != "calibrated"]
    assert day.to_json(events=500) == s.to_json(events=500)
    assert main(["history", "--patient", "Desk Worker", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"seated {round(s.seated_s) / 60:.0f} min, good posture {s.good_share:.0%}, {s.alerts} alerts, " \
           f"{s.breaks_due} break reminders" in out
