"""The landmark socket's pacing: a server that falls behind first asks the page for fewer,
larger messages (the same frames), then for fewer frames a second (never below the floor) and
says so in plain words, and gives the full rate back once it keeps up; one late reply alone
changes nothing."""

from __future__ import annotations

from formcheck.run.live.pacing import BUSY_SEND_MS, FLOOR_FPS, RECOVER_S, STEP_S, Pacer


def replies(pacer: Pacer, wait_s: float, t0_s: float, t1_s: float, every_s: float = 0.05) -> float:
    t = t0_s
    while t < t1_s:
        pacer.observe(wait_s, t)
        t += every_s
    return t


def test_a_single_late_reply_changes_nothing():
    p = Pacer()
    p.observe(0.005, 0.0)
    p.observe(0.400, 0.05)   # the process was preempted for a moment
    p.observe(0.005, 0.10)
    assert p.max_fps is None and not p.behind and p.fields() == {}


def test_late_replies_first_ask_for_fewer_messages_then_halve_the_rate_down_to_the_floor_and_say_so():
    p = Pacer()
    t = replies(p, 0.300, 0.0, 0.6)
    assert p.send_ms == BUSY_SEND_MS and p.max_fps is None   # every frame still sent, in fewer messages
    assert p.fields() == {"send_ms": BUSY_SEND_MS}           # nothing for the patient to read yet
    t = replies(p, 0.300, t, t + STEP_S)
    assert p.max_fps == 15.0 and p.fields()["send_ms"] == BUSY_SEND_MS
    assert "busy" in p.fields()["busy"] and "15 frames a second" in p.fields()["busy"]
    t = replies(p, 0.300, t, t + 5.0)
    assert p.max_fps == FLOOR_FPS   # never lower, however late
    assert "overloaded" in str(p.fields()["busy"]) and p.fields()["max_fps"] == FLOOR_FPS


def test_prompt_replies_give_the_full_rate_back():
    p = Pacer()
    t = replies(p, 0.300, 0.0, 3.0)
    assert p.max_fps == FLOOR_FPS
    t = replies(p, 0.010, t, t + RECOVER_S - 0.5)
    assert p.max_fps == FLOOR_FPS   # not yet: prompt for less than RECOVER_S
    while p.max_fps is not None:   # one step up per RECOVER_S: 10 -> 15 -> 22.5 -> every frame
        assert t < 30.0
        p.observe(0.010, t)
        t += 0.05
    assert p.fields() == {"send_ms": BUSY_SEND_MS}   # the frame rate comes back first
    t = replies(p, 0.010, t, t + RECOVER_S + 0.5)
    assert p.send_ms is None and p.fields() == {}


def test_the_page_and_the_server_agree_on_the_page_s_message_interval():
    """transport.js sends at most one message every SOCKET_MIN_MS; the pacer's first step
    doubles that interval (the same frames, in half the messages)."""
    import re
    from pathlib import Path

    from formcheck.run.live.pacing import PAGE_SEND_MS
    from formcheck.ui.pose_component.assets import FRONTEND_DIR

    js = (Path(FRONTEND_DIR) / "transport.js").read_text()
    (page_ms,) = re.findall(r"const SOCKET_MIN_MS = (\d+);", js)
    assert float(page_ms) == PAGE_SEND_MS and BUSY_SEND_MS == 2 * PAGE_SEND_MS
