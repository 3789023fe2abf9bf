"""The monitor's state machine over samples (t_s, pose): calibrate, seated / standing / away,
sustained bad posture -> alert (cool-down, snooze), a sitting stretch -> break reminder.

Each sample goes through a :class:`Session` of the sitting definition (the same checks, with the
patient's profile, as the live page and the CLI). A measure is also judged against the
person's own good posture: the median of the calibration seconds plus ``margin_deg`` in the
direction the check fails (small posture changes show only against the person's own baseline,
CLINICAL.md "Sitting for long").

When the camera sees the person from the front (a laptop webcam), the side-view limits cannot
be judged: the monitor switches to the front, upper-body mode (``front.py``), calibrated and
judged the same way on image measures of the head and shoulders. The side view stays the
precise option. The two modes keep separate baselines (the front keys start with ``front_``).
Settings, events and the day summary: engine/monitor_events.py.
"""

from __future__ import annotations

import math
import statistics
from typing import Literal

from formcheck.core.pose import ClipInfo, FramePose
from formcheck.engine.checks import CheckResult
from formcheck.engine.monitor_events import DaySummary, Event, MonitorSettings
from formcheck.engine.session import Session
from formcheck.monitor.front import (
    FRONT_IDS,
    FRONT_MEASURES,
    FRONT_SETTLED_SHARE,
    front_fault,
    front_measures,
    front_text,
)
from formcheck.rules.definition import Definition

State = Literal["calibrating", "seated", "standing", "away"]
Mode = Literal["side", "front"]
STANDING_THIGH_DEG = -55.0   # hip->knee this far below horizontal: the knees are under the hips


class Monitor:
    """Feed samples in time order with :meth:`sample`; read the events it returns."""

    def __init__(self, definition: Definition, settings: MonitorSettings | None = None,
                 baseline: dict[str, float] | None = None) -> None:
        self.d = definition
        self.s = settings or MonitorSettings()
        self.session = Session(definition, info=ClipInfo(path="monitor"), keep_features=False, keep_frames=False)
        self.baseline: dict[str, float] = dict(baseline or {})
        self.mode: Mode = "side"
        self.presence: State = "away"
        self.summary = DaySummary()
        self._calib: dict[str, list[float]] = {}
        self._calib_good_s = 0.0
        self._calib_asked = False
        self._bad_since: float | None = None
        self._bad_check: tuple[str, float] | None = None
        self._alerted = False
        self._last_alert = -math.inf
        self._snooze_until = -math.inf
        self._stretch_start: float | None = None
        self._last_break_due: float | None = None
        self._left_since: float | None = None      # standing or away since
        self._seen: float | None = None            # last time a person was in view
        self._last_t: float | None = None
        self._candidate: tuple[State, float] | None = None   # a presence not yet lasted (state, since)
        self._recent: list[tuple[float, bool]] = []   # (t_s, bad) of the judged samples of the last settle_s

    @property
    def calibrated(self) -> bool:
        """Is there a baseline for the current mode (side or front)?"""
        return any(k.startswith("front_") == (self.mode == "front") for k in self.baseline)

    @property
    def state(self) -> State:
        return "calibrating" if self.presence == "seated" and not self.calibrated else self.presence

    def next_break_in_s(self, t_s: float) -> float | None:
        """Seconds until the break reminder (0 when due; None while not seated)."""
        if self._stretch_start is None or self.presence != "seated":
            return None
        return max(self._stretch_start + self.s.break_after_s - t_s, 0.0)

    @property
    def bad_check(self) -> str | None:
        """The check failing for at least settle_s now (None: posture good, or not judged)."""
        if not self._bad_check or self._bad_since is None or self._last_t is None:
            return None
        return self._bad_check[0] if self._last_t - self._bad_since >= self.s.settle_s else None

    def fault_text(self, check_id: str) -> tuple[str, str]:
        """(name, cue) of a check of either mode, in plain words."""
        return front_text(check_id) if check_id in FRONT_IDS else self.d.fault_text(check_id)

    def recalibrate(self) -> None:
        """Forget the current mode's baseline: the next good seconds calibrate it again."""
        self.baseline = {k: v for k, v in self.baseline.items() if k.startswith("front_") != (self.mode == "front")}
        self._calib, self._calib_good_s, self._calib_asked = {}, 0.0, False

    def snooze(self, t_s: float, seconds: float) -> None:
        self._snooze_until = t_s + seconds

    def sample(self, t_s: float, pose: FramePose | None, frame_size: tuple[int, int] | None = None) -> list[Event]:
        dt = 0.0 if self._last_t is None else max(0.0, min(t_s - self._last_t, 5.0))
        self._last_t = t_s
        feats, r = self.session.update(t_s * 1000.0, pose, frame_size)
        values = feats.values.get(feats.near_side, {}) if feats.pose else {}
        checks = r.checks
        out: list[Event] = []
        if feats.pose and feats.view in ("front", "side"):
            self._set_mode("front" if feats.view == "front" else "side")
        if feats.pose and self.mode == "front" and feats.xy_px is not None:
            # the thighs point at a front camera: standing is not judged, nor the side limits
            values, checks = front_measures(feats.xy_px, feats.visible, frame_size), []
        raw: State = "away" if not feats.pose else \
            "standing" if values.get("thigh_elevation_deg", 0.0) < STANDING_THIGH_DEG else "seated"
        if not self._lasted(t_s, raw):
            pass   # a change not yet lasted: nothing shown, logged or judged
        elif raw == "away":
            self._absent(t_s, out)
        elif raw == "standing":
            self._left(t_s, "standing", out, "Stood up.")
        else:
            self._seated(t_s, dt, values, checks, out)
        self.summary.events += out
        return out

    def _set_mode(self, mode: Mode) -> None:
        """A new view: the half-collected calibration and a running bad stretch were of the
        other mode's measures."""
        if mode != self.mode:
            self.mode = mode
            self._calib, self._calib_good_s, self._calib_asked = {}, 0.0, False
            self._bad_since, self._alerted, self._bad_check, self._recent = None, False, None, []

    def _lasted(self, t_s: float, raw: State) -> bool:
        """Has ``raw`` lasted long enough to become the state? The current state always has;
        "away" has its own wait (away_after_s, in _absent); the first sample is taken as is."""
        if raw == self.presence or raw == "away" or self._last_event_free_start():
            self._candidate = None
            return True
        if self._candidate is None or self._candidate[0] != raw:
            self._candidate = (raw, t_s)
        need = self.s.stand_confirm_s if raw == "standing" else self.s.settle_s
        if t_s - self._candidate[1] >= need:
            self._candidate = None
            return True
        return False

    def _last_event_free_start(self) -> bool:
        """Nothing seen yet: the first person in view is seated (or standing) at once."""
        return self._seen is None and self.presence == "away" and not self.summary.events

    # -- states ---------------------------------------------------------------------------------
    def _absent(self, t_s: float, out: list[Event]) -> None:
        if self._seen is None or t_s - self._seen >= self.s.away_after_s:
            self._left(t_s, "away", out, "Nobody in view (or the camera is covered): no posture alerts.")

    def _left(self, t_s: float, presence: State, out: list[Event], message: str) -> None:
        self._bad_since, self._alerted, self._bad_check, self._recent = None, False, None, []
        if self.presence != presence:
            if self.presence == "seated":
                self._left_since = t_s
            out.append(Event(t_s, "stood_up" if presence == "standing" else "away", message))
            self.presence = presence
        if self._left_since is not None and self._stretch_start is not None \
                and t_s - self._left_since >= self.s.reset_after_s:
            if self._last_break_due is not None:
                self.summary.breaks_taken += 1
            self._stretch_start, self._last_break_due = None, None

    def _seated(self, t_s: float, dt: float, values: dict[str, float], checks: list[CheckResult],
                out: list[Event]) -> None:
        self._seen = t_s
        if self.presence != "seated":
            if self._last_t is not None and self.summary.events:
                out.append(Event(t_s, "sat_down" if self.presence == "standing" else "back", "Seated again."))
            self.presence = "seated"
        self._left_since = None
        if self._stretch_start is None:
            self._stretch_start = t_s
        if not self.calibrated:
            self._calibrate(t_s, dt, values, checks, out)
            return
        self.summary.seated_s += dt
        bad = self._worst(values, checks)
        if bad is None:
            self.summary.good_s += dt
        # A bad stretch starts when most samples of the last settle_s are bad and ends when
        # most are good: one upright sample in a slouch does not restart the alert's clock,
        # one slouched sample among upright ones does not start it (nor flip the state shown).
        self._recent = [(t, b) for t, b in self._recent if t_s - t < self.s.settle_s] + [(t_s, bad is not None)]
        mostly_bad = 2 * sum(b for _, b in self._recent) > len(self._recent)
        if not mostly_bad:
            if self._bad_since is not None:
                if self._alerted:
                    out.append(Event(t_s, "posture_good", "Posture good again."))
                self._bad_since, self._alerted, self._bad_check = None, False, None
        elif self._bad_since is None or self._bad_check is None:
            if bad is not None:   # began with the window's first bad sample
                self._bad_since, self._bad_check = next(t for t, b in self._recent if b), bad
        else:
            if bad is not None and bad[0] == self._bad_check[0]:   # the shown fault keeps its name
                self._bad_check = bad
            lasted = t_s - self._bad_since
            if not self._alerted and lasted >= self.s.alert_after_s and t_s >= self._snooze_until \
                    and t_s - self._last_alert >= self.s.cooldown_s:
                self._alerted, self._last_alert = True, t_s
                self.summary.alerts += 1
                shown = self._bad_check
                name, cue = self.fault_text(shown[0])
                out.append(Event(t_s, "posture_bad", f"{name} for {lasted:.0f} s: {cue}", shown[0],
                                 round(shown[1], 1)))
        self._break(t_s, out)

    def _break(self, t_s: float, out: list[Event]) -> None:
        assert self._stretch_start is not None
        seated = t_s - self._stretch_start
        due = self._last_break_due is None and seated >= self.s.break_after_s
        again = self._last_break_due is not None and t_s - self._last_break_due >= self.s.break_repeat_s
        if due or again:
            self._last_break_due = t_s
            self.summary.breaks_due += 1
            out.append(Event(t_s, "break_due", f"Seated for {seated / 60:.0f} min: time for a short break - "
                                               "stand up and walk for a few minutes."))

    def _calibrate(self, t_s: float, dt: float, values: dict[str, float], checks: list[CheckResult],
                   out: list[Event]) -> None:
        """Collect calibrate_s seconds of good posture (no therapist limit failing); the
        baseline is each measure's median over them. Slouched seconds do not count."""
        if any(c.status == "fail" for c in checks):
            if not self._calib_asked:
                self._calib_asked = True
                out.append(Event(t_s, "calibrating", "Sit upright, back supported, to calibrate."))
            return
        if self.mode == "front" and not self._steady_front(values):
            return
        self._calib_good_s += dt
        measures = FRONT_MEASURES if self.mode == "front" else [c.measure for c in self.d.checks]
        for m in measures:
            v = values.get(m, math.nan)
            if not math.isnan(v):
                self._calib.setdefault(m, []).append(v)
        if self._calib_good_s >= self.s.calibrate_s and self._calib:
            # front measures are ratios and shoulder widths: kept to 3 decimals, angles to 1
            digits = 4 if self.mode == "front" else 1
            self.baseline.update({m: round(statistics.median(v), digits) for m, v in self._calib.items()})
            # plain words for the person; the angles stay in self.baseline (and the profile)
            seen = " (front camera: your head and shoulders are watched; a camera at your side " \
                "also sees your back)" if self.mode == "front" else ""
            out.append(Event(t_s, "calibrated", f"Calibrated to your good posture{seen}: sit like this. You "
                             f"are told only when you drift from it for {self.s.alert_after_s:.0f} s or more."))

    def _steady_front(self, values: dict[str, float]) -> bool:
        """Front calibration needs the head and shoulders seen and the person settled: a
        shoulder width off the collected median by more than the rounding rule's tolerance
        (someone still moving to or from the camera) starts the collection again."""
        width = values.get("front_shoulder_width", math.nan)
        if math.isnan(width):
            return False
        seen = self._calib.get("front_shoulder_width")
        if seen and abs(width / statistics.median(seen) - 1.0) > FRONT_SETTLED_SHARE:
            self._calib, self._calib_good_s = {}, 0.0
        return True

    def _worst(self, values: dict[str, float], checks: list[CheckResult]) -> tuple[str, float] | None:
        """The first failing check: the therapist's limits (the session's checks), then the
        personal ones (baseline + margin toward the fault)."""
        for c in checks:
            if c.status == "fail":
                return c.id, c.value if c.value is not None else math.nan
        if self.mode == "front":
            return front_fault(values, self.baseline)
        for rule in self.d.checks:
            v, base = values.get(rule.measure, math.nan), self.baseline.get(rule.measure)
            if base is None or math.isnan(v):
                continue
            m = self.s.margin_deg
            if (rule.max is not None and v > base + m) or (rule.min is not None and v < base - m):
                return rule.id, v
        return None
