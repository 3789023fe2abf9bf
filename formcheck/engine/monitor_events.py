"""What the desk monitor is set with and what it says: its settings (alert, break and settle
times), the events it emits and the day's summary. The state machine is monitor/engine.py; these
types sit in the engine layer because the database reads a monitored day back through them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class MonitorSettings:
    """Times in seconds; defaults: alert after 30 s of bad posture (therapist-set), a break
    every 40 min of sitting (the seed programme: every 30-45 min)."""

    alert_after_s: float = 30.0
    cooldown_s: float = 120.0
    break_after_s: float = 40 * 60.0
    break_repeat_s: float = 10 * 60.0      # remind again while the break has not been taken
    reset_after_s: float = 60.0            # standing or away this long: the stretch starts again
    away_after_s: float = 10.0             # nobody in view this long: "away" (no alerts)
    calibrate_s: float = 5.0
    margin_deg: float = 10.0               # personal limit = baseline + this, toward the fault
    # A state is shown and logged only once it has lasted settle_s (6 agreeing samples at 2 per
    # second): a camera bump, reaching for a cup or one mis-detected frame lasts less. On a real
    # typing clip with camera moves the undebounced states flipped about 20 times in 47 s.
    settle_s: float = 3.0
    # Standing must be seen this long before "Stood up": leaning forward, or a knee swinging
    # below the hip for a moment, looks like standing in one sample.
    stand_confirm_s: float = 5.0


@dataclass(frozen=True)
class Event:
    t_s: float
    # calibrating | calibrated | posture_bad | posture_good | break_due | stood_up | sat_down | away | back
    kind: str
    message: str
    check: str | None = None
    value: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The event as a day's history keeps it."""
        return asdict(self)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Event:
        return cls(float(d["t_s"]), str(d["kind"]), str(d["message"]), d.get("check"),
                   None if d.get("value") is None else float(d["value"]))


@dataclass
class DaySummary:
    seated_s: float = 0.0
    good_s: float = 0.0
    alerts: int = 0
    breaks_due: int = 0
    breaks_taken: int = 0
    events: list[Event] = field(default_factory=list)

    @property
    def good_share(self) -> float:
        return self.good_s / self.seated_s if self.seated_s else 0.0

    def to_json(self, events: int = 0) -> dict[str, Any]:
        """The day in numbers, the one JSON form: the CLI's summary line and, with up to
        ``events`` of its events (the calibration message left out: it repeats the set-up),
        what the patient's history keeps (read back by :meth:`from_json`)."""
        out: dict[str, Any] = {"seated_s": round(self.seated_s), "good_posture_share": round(self.good_share, 3),
                               "alerts": self.alerts, "breaks_due": self.breaks_due,
                               "breaks_taken": self.breaks_taken}
        if events:
            out["events"] = [e.to_json() for e in self.events if e.kind != "calibrated"][:events]
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DaySummary:
        """A day back from :meth:`to_json` (a stored monitor set's summary, with the events it
        kept). The good-posture time comes back from its share (to 0.1%); a count an older
        summary lacks is 0."""
        seated_s = float(d.get("seated_s", 0.0))
        return cls(seated_s, float(d.get("good_posture_share", 0.0)) * seated_s, int(d.get("alerts", 0)),
                   int(d.get("breaks_due", 0)), int(d.get("breaks_taken", 0)),
                   [Event.from_json(e) for e in d.get("events", [])])
