"""Small parsers for values people type: durations ("30s", "40m", "1.5h")."""

from __future__ import annotations

import argparse
import re

_UNITS = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def duration_s(text: str) -> float:
    """'30s', '40m', '1.5h' or plain seconds -> seconds."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(s|m|min|h)?\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 30s, 40m or 1h")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]
