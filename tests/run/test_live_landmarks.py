"""The browser path's server side without a browser: landmark messages in the component's
protocol (synthetic bridges of known angles, and bad input) -> the engine Session's reps,
the reply the component draws, the patient's history written rep by rep."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from synth import bridge_pose
from synth import protocol_frames as synth_frames

from formcheck.media.bundles import default_model_path
from formcheck.rules.definition import get_definition
from formcheck.run.live.landmarks import BadMessageError, LandmarkLive, parse_frame
from formcheck.run.live.replay import messages
from formcheck.storage import repo
from formcheck.storage.database import Database
from formcheck.storage.recorder import SetRecorder

W, H = 1000, 800


def protocol_frames(poses, fps: float = 30.0) -> list[dict]:
    """Synthetic poses as the browser sends them (landmarks normalised by the frame size)."""
    return synth_frames(poses, fps, W, H)


def bridge_reps(n: int = 3, fps: float = 30.0, top_deg: float = 178.0) -> list:
    def k(s: float) -> int:
        return max(1, int(s * fps))
    seq = []
    for _ in range(n):
        seq += [bridge_pose(125.0)] * k(0.6)
        seq += [bridge_pose(125.0 + (top_deg - 125.0) * i / k(0.5)) for i in range(k(0.5))]
        seq += [bridge_pose(top_deg)] * k(0.5)
        seq += [bridge_pose(top_deg - (top_deg - 125.0) * i / k(0.5)) for i in range(k(0.5))]
    return seq + [bridge_pose(125.0)] * k(0.4)


def feed_all(proc: LandmarkLive, frames: list[dict], **kw) -> None:
    for m in messages(frames, **kw):
        proc.feed(m)


@pytest.mark.parametrize("fps", [8.0, 15.0, 30.0])
def test_reps_from_browser_landmarks_at_any_frame_rate(fps):
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    feed_all(proc, protocol_frames(bridge_reps(3, fps), fps), camera_fps=fps)
    s = proc.summary()
    assert s["rep_count"] == 3 and all(not r["faults"] for r in s["reps"])
    assert not proc.playing and proc.snapshot().error is None


def test_resent_and_coalesced_batches_judge_each_frame_once():
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    frames = protocol_frames(bridge_reps(2))
    msgs = list(messages(frames))
    for k, m in enumerate(msgs[:-1]):   # every batch also repeats the one before (unacknowledged)
        earlier = msgs[k - 1]["frames"] if k else []
        proc.feed({**m, "frames": earlier + m["frames"]})
        assert proc.reply()["ack"] == m["frames"][-1]["i"]
    proc.feed(msgs[-1])
    assert proc.snapshot().frames == len(frames)
    assert proc.summary()["rep_count"] == 2


@pytest.mark.parametrize("knee_deg,colour", [(85.0, "ok"), (130.0, "fail")])
def test_the_reply_colours_the_joints_by_check_status(knee_deg, colour):
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    up = [bridge_pose(125.0 + 53.0 * i / 15, knee_deg=knee_deg) for i in range(15)]
    feed_all(proc, protocol_frames([bridge_pose(125.0, knee_deg=knee_deg)] * 20 + up
                                   + [bridge_pose(178.0, knee_deg=knee_deg)] * 30))
    reply = proc.reply()   # at the top of the rep, as the component draws it
    assert set(reply) >= {"ack", "colours", "cue", "reps", "hold_ms"}
    knee = "25"   # LEFT_KNEE: the near side in these synthetic bridges
    assert reply["colours"].get(knee) == colour, reply["colours"]
    if colour == "fail":
        assert reply["cue"]


@pytest.mark.parametrize("raw,needle", [
    ({"i": 0, "t": 0, "w": 0, "h": 480}, "out of range"),
    ({"i": 0, "t": 0, "w": 640, "h": 480, "lm": [0.5] * 10, "wl": [0.0] * 99}, "33 x 5"),
    ({"i": 0, "t": 0, "w": 640, "h": 480, "lm": [float("nan")] * 165, "wl": [0.0] * 99}, "finite"),
    ({"t": 0, "w": 640, "h": 480}, "needs numbers"),
    ("frame", "object"),
])
def test_bad_landmark_messages_get_a_clear_message(raw, needle):
    with pytest.raises(BadMessageError, match=needle):
        parse_frame(raw)
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    proc.feed({"running": True, "frames": [raw]})   # never raises: the page shows the problem
    assert needle in (proc.snapshot().error or "")
    proc.feed("not a message")
    proc.feed({"running": True, "frames": "x"})


def test_pixels_are_made_as_the_python_estimator_makes_them():
    _, _, size, pose = parse_frame({"i": 3, "t": 10.0, "w": 640, "h": 480,
                                    "lm": [0.5, 0.25, -0.1, 0.9, 0.8] * 33, "wl": [0.1, 0.2, 0.3] * 33})
    assert size == (640, 480) and pose is not None
    np.testing.assert_allclose(pose.landmarks[0], [320.0, 120.0, -64.0, 0.9, 0.8], rtol=1e-6)


def test_a_browser_set_is_written_rep_by_rep_and_a_new_start_is_a_new_set(tmp_path):
    d = get_definition("bridge")
    db = Database(f"sqlite:///{tmp_path / 'fc.db'}")
    rec = SetRecorder(db, "Browser Patient", d.id, d.version)
    proc = LandmarkLive(d, default_model_path(), recorder=rec)
    msgs = list(messages(protocol_frames(bridge_reps(3))))
    for m in msgs[:-1]:
        proc.feed(m)
    rec.flush()
    (during,) = repo.history(db, "Browser Patient")
    assert during.source == "live" and during.reps >= 2   # finished reps are on record before STOP
    proc.feed(msgs[-1])   # STOP
    rec.flush()
    (done,) = repo.history(db, "Browser Patient")
    assert done.reps == 3 and done.good_reps == 3
    for m in messages(protocol_frames(bridge_reps(1)), t_offset_ms=60_000.0):   # START again
        proc.feed(m)
    proc.close()
    sets = repo.history(db, "Browser Patient")
    assert sorted(x.reps for x in sets) == [1, 3]
    assert len(proc.finished_sets) == 1
    db.dispose()


def _up_and_hold(fps: float, knee_deg: float, hold_s: float) -> list:
    """A bridge risen from the mat and held at the top (no way down): STOP comes at the top."""
    n = max(1, int(0.5 * fps))
    return ([bridge_pose(125.0, knee_deg=knee_deg)] * n
            + [bridge_pose(125.0 + 53.0 * i / n, knee_deg=knee_deg) for i in range(n)]
            + [bridge_pose(178.0, knee_deg=knee_deg)] * max(1, int(hold_s * fps)))


@pytest.mark.parametrize("fps", [5.0, 30.0])
def test_stop_at_the_top_judges_the_last_rep_as_analyze_judges_a_clip_ending_there(tmp_path, fps):
    """Feet too far out (knee 130 deg) through a 1.5 s top, STOP before coming down: the rep
    table, the summary and the saved set name the fault, as `formcheck analyze` does for a
    clip that ends at the top (it was "Good, no faults": the rep was reported unjudged)."""
    d = get_definition("bridge")
    db = Database(f"sqlite:///{tmp_path / 'fc.db'}")
    rec = SetRecorder(db, "Stops At The Top", d.id, d.version)
    proc = LandmarkLive(d, default_model_path(), recorder=rec)
    feed_all(proc, protocol_frames(_up_and_hold(fps, 130.0, 1.5), fps), camera_fps=fps)
    s = proc.summary()
    assert [r["faults"] for r in s["reps"]] == [["knee_angle"]]
    assert set(s["summary"]["faults"]) == {"knee_angle"}
    assert [r.faults for r in proc.snapshot().reps] == [["knee_angle"]]   # the page's rep table
    rec.flush()
    (saved,) = repo.history(db, "Stops At The Top")
    assert saved.reps == 1 and saved.good_reps == 0 and saved.faults == {"knee_angle": 1}
    proc.close()
    db.dispose()


def test_stop_at_the_top_in_free_practice_judges_the_last_rep_too():
    proc = LandmarkLive(get_definition("bridge"), default_model_path())   # no patient, no recorder
    feed_all(proc, protocol_frames(_up_and_hold(30.0, 130.0, 1.5)))
    assert [r["faults"] for r in proc.summary()["reps"]] == [["knee_angle"]]


@pytest.mark.parametrize("fps", [5.0, 30.0])
def test_a_top_already_under_way_at_start_is_not_counted_until_risen_into(fps):
    """START pressed while the patient is coming down from a bridge: the first frames are the
    way down from a top the camera never saw. They made a rep of their own with "Hips not
    high enough" and a 0.0 s hold; now the set counts the reps that rise into the top."""
    n = max(2, int(0.6 * fps))
    tail = [bridge_pose(170.0 - 45.0 * i / n) for i in range(n)]   # 170 -> 125 deg on the way down
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    feed_all(proc, protocol_frames(tail + bridge_reps(2, fps), fps), camera_fps=fps)
    s = proc.summary()
    assert s["rep_count"] == 2 and all(not r["faults"] and r["hold_ms"] > 300 for r in s["reps"])


def test_the_panel_signature_changes_with_what_the_panel_shows_and_only_then():
    """The Live panel reruns when its watcher sees a new signature: every rep counted changes
    it, and most frames (the same reps, cue, hold second) do not."""
    proc = LandmarkLive(get_definition("bridge"), default_model_path())
    frames = protocol_frames(bridge_reps(3))
    seen: list[tuple[int, int]] = []   # (signature, reps) after each frame
    for f in frames:
        proc.feed({"batch": f["i"], "running": True, "frames": [f]})
        seen.append((proc.reply()["panel"], proc.reply().get("reps", 0)))
    changes = sum(1 for a, b in itertools.pairwise(seen) if a[0] != b[0])
    assert all(a[0] != b[0] for a, b in itertools.pairwise(seen) if a[1] != b[1])   # a new rep: a rerun
    assert seen[-1][1] == 3 and changes < len(frames) / 5, (changes, len(frames))
    assert proc.panel_signature() == seen[-1][0]   # what the page draws is what the reply says


def test_the_reply_after_stop_counts_the_reps_the_set_keeps(tmp_path, monkeypatch):
    """A rep the live count showed can be dropped when it closes (its shape held on less than
    half of its top: a look-alike, engine.phases). Seen on a real clip STOPped at such a top:
    the overlay's last reply said 3 reps and the saved set 2. After STOP the reply counts the
    set as judged at its end, which is what the history keeps."""
    import dataclasses

    from formcheck.engine.session import Session

    d = get_definition("bridge")
    db = Database(f"sqlite:///{tmp_path / 'fc.db'}")
    rec = SetRecorder(db, "Drops A Look-Alike", d.id, d.version)
    proc = LandmarkLive(d, default_model_path(), recorder=rec)
    real_result = Session.result

    def drops_the_last(self, *a, final=False, **kw):   # the engine dropping the top at its close
        r = real_result(self, *a, final=final, **kw)
        return dataclasses.replace(r, reps=r.reps[:-1]) if final else r

    *running, stop = messages(protocol_frames(bridge_reps(2)[:-12] + _up_and_hold(30.0, 85.0, 1.0)))   # STOP at a top
    for m in running:
        proc.feed(m)
    assert proc.reply()["reps"] == 3
    monkeypatch.setattr(Session, "result", drops_the_last)
    proc.feed(stop)
    rec.flush()
    (saved,) = repo.history(db, "Drops A Look-Alike")
    assert proc.reply()["reps"] == saved.reps == 2
    proc.close()
    db.dispose()
