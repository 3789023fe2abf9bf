"""The landmark socket's pacing: a server that falls behind asks the page for fewer frames a
second (never below the floor), says so in plain words, and gives the full rate back once it
keeps up; one late reply alone changes nothing."""

from __future__ import annotations

from formcheck.run.live.pacing import FLOOR_FPS, RECOVER_S, Pacer


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


def test_late_replies_halve_the_rate_down_to_the_floor_and_say_so():
    p = Pacer()
    t = replies(p, 0.300, 0.0, 0.6)
    assert p.max_fps == 15.0
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
    t = replies(p, 0.010, t, t + 3 * RECOVER_S + 1.0)
    assert p.max_fps is None and p.fields() == {}
