"""The cue a person sees and hears: one at a time, shown long enough to be read, and replaced
at once when it is urgent (nobody in view, wrong camera) or when its position has ended."""

from __future__ import annotations

import math

SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
CUE_MIN_SHOW_MS = 1500.0   # a cue stays at least this long so it can be read / heard


class CueBoard:
    """Debounces cues over stream time (ms). ``still`` (a single image): no debouncing."""

    def __init__(self, still: bool = False) -> None:
        self.still = still
        self.current: str | None = None
        self._since = -math.inf

    def show(self, cue: str | None, t_ms: float, urgent: bool = False) -> str | None:
        """Ask to show ``cue`` (None = nothing to say); returns what is shown now."""
        if cue == self.current:
            return cue
        if self.still or urgent or t_ms - self._since >= CUE_MIN_SHOW_MS or self.current is None:
            self.current, self._since = cue, t_ms
        return self.current

    def clear(self, t_ms: float) -> None:
        """The position the cue judged has ended: take it down now."""
        self.current, self._since = None, t_ms
