"""How fast one patient's page may send frames when the server falls behind.

The landmark socket judges every frame it receives, in order, so a server with less CPU than
its patients' frames need would build a backlog without end (the verdicts later and later).
Instead each socket watches how long its messages wait for their reply; once they have waited
more than :data:`BUSY_MS` for :data:`LATE_FOR_S` it steps down, at most one step a
:data:`STEP_S`: first the page sends fewer, larger messages (one every :data:`BUSY_SEND_MS`
instead of every 60 ms: the same frames, so the same verdicts, at about half the server's
per-message cost, which is as large as judging a frame: benchmarks/bench_live_load.py), then it
halves the frames a second that page may send (no lower than :data:`FLOOR_FPS`). Once replies
have come back promptly for :data:`RECOVER_S` it steps back up, the frame rate first. A single
late reply (the process preempted for a moment) changes nothing. With fewer frames the page
runs the model on fewer camera frames (which spares the patient's laptop too) and says the
server is busy. Every frame that arrives is still judged: the engine's verdicts do not depend
on the frame rate from 5 fps up (tests/run/test_live_media.py).
"""

from __future__ import annotations

import math

FULL_FPS = 30.0     # no limit at or above this: a camera's usual rate
FLOOR_FPS = 10.0    # never asked lower: holds and rep tops are still seen several times a second
BUSY_MS = 150.0     # a reply later than this after its oldest message arrived: behind
CALM_MS = 40.0      # a reply within this: keeping up
LATE_FOR_S = 0.5    # late this long without a prompt reply: behind (one preempted moment is not)
STEP_S = 1.0        # at most one step down a second (the page needs a round trip to follow)
RECOVER_S = 5.0     # this long keeping up at the lower rate: one step back up
PAGE_SEND_MS = 60.0   # the page's own interval: transport.js SOCKET_MIN_MS (test_live_pacing checks)
BUSY_SEND_MS = 2 * PAGE_SEND_MS  # the first step: a message at most this often (4 frames at 30 fps; latency +60 ms)


class Pacer:
    """One socket's send limit from the wait of each reply (server clock, monotonic s)."""

    def __init__(self) -> None:
        self.max_fps: float | None = None   # None: the page sends every frame it finds
        self.send_ms: float | None = None   # None: the page's own message interval
        self.behind = False                 # replies late for LATE_FOR_S now
        self._late_since_s: float | None = None
        self._changed_s = -math.inf
        self._calm_since_s: float | None = None

    def observe(self, wait_s: float, now_s: float) -> bool:
        """A reply is going out ``wait_s`` after its oldest message arrived. True when the
        page's limit changed."""
        wait_ms = wait_s * 1000.0
        if wait_ms > BUSY_MS:
            self._calm_since_s = None
            if self._late_since_s is None:
                self._late_since_s = now_s
            self.behind = now_s - self._late_since_s >= LATE_FOR_S
            if not self.behind or now_s - self._changed_s < STEP_S:
                return False
            if self.send_ms is None:
                self.send_ms = BUSY_SEND_MS
            elif (self.max_fps or FULL_FPS) > FLOOR_FPS:
                self.max_fps = max(FLOOR_FPS, (self.max_fps or FULL_FPS) / 2.0)
            else:
                return False
            self._changed_s = now_s
            return True
        self._late_since_s, self.behind = None, False
        if (self.max_fps is None and self.send_ms is None) or wait_ms > CALM_MS:
            self._calm_since_s = None
            return False
        if self._calm_since_s is None:
            self._calm_since_s = now_s
        if now_s - self._calm_since_s < RECOVER_S:
            return False
        if self.max_fps is not None:
            up = self.max_fps * 1.5
            self.max_fps = None if up >= FULL_FPS else up
        else:
            self.send_ms = None
        self._changed_s = self._calm_since_s = now_s
        return True

    def fields(self) -> dict[str, float | str]:
        """What the reply adds: the page's message interval, its frame limit and a plain
        message (nothing when the server keeps up; fewer messages alone need no message: every
        frame is still judged, a few tens of ms later)."""
        if self.max_fps is None:
            return {} if self.send_ms is None else {"send_ms": self.send_ms}
        if self.behind and self.max_fps == FLOOR_FPS:
            busy = "The formcheck server is overloaded: your verdicts arrive late (your reps still count)."
        else:
            busy = (f"The formcheck server is busy: it judges {self.max_fps:.0f} frames a second of yours "
                    "for now (your reps still count).")
        return {"max_fps": round(self.max_fps, 1), "busy": busy, **({"send_ms": self.send_ms} if self.send_ms else {})}
