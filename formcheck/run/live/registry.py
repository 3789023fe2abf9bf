"""Which live set a landmark websocket feeds: a small process-wide registry of one-time tokens.

The Live page (one Streamlit session, one logged-in person) registers its
:class:`~formcheck.run.live.landmarks.LandmarkLive` here and hands the token to the pose component
in its args; the component opens the landmark websocket (:mod:`formcheck.run.live.websocket`) with it.
A token is unguessable (``secrets.token_urlsafe``), claimed by the first socket that presents it
(a second one is refused), and dropped when that socket closes, when the set stops, when its
Streamlit session is gone (``alive`` answers False) or when nobody claimed it within
:data:`UNCLAIMED_TTL_S`. Tokens are never logged: log lines name the session's owner.

What a token feeds is anything with the :class:`LandmarkSink` interface: the Live page's
LandmarkLive, the Desk monitor's MonitorLandmarks (formcheck/monitor/browser_feed.py).

No Streamlit here: the page passes ``alive`` (is my session still there?) as a callable.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

UNCLAIMED_TTL_S = 600.0   # a page left open without START for 10 min gets a new token on its next run
TOKEN_BYTES = 32


class LandmarkSink(Protocol):
    """What the landmark socket feeds: judges a component message, answers what it draws."""

    playing: bool

    def feed(self, message: Any) -> None:
        """Judge one component message (a landmark batch, or a START/STOP notice)."""

    def reply(self) -> dict[str, Any]:
        """The verdict the component draws (with ``ack``: the last frame index judged)."""


@dataclass
class LiveEntry:
    """One registered live set: what a socket with the token may feed."""

    proc: LandmarkSink                         # e.g. a LandmarkLive or a MonitorLandmarks
    session_id: str                            # the Streamlit session that registered it
    owner: str                                 # who is logged in there (for the log; not secret)
    alive: Callable[[], bool] = field(default=lambda: True)
    created: float = field(default_factory=time.monotonic)
    claimed: bool = False


class TokenRefusedError(LookupError):
    """A socket's token is unknown, expired or already in use; ``str()`` is the plain reason."""


class LiveRegistry:
    """Thread-safe token -> :class:`LiveEntry` map (the page's script thread registers, the
    server's event loop claims)."""

    def __init__(self, unclaimed_ttl_s: float = UNCLAIMED_TTL_S) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, LiveEntry] = {}
        self._ttl = unclaimed_ttl_s

    def register(self, proc: LandmarkSink, session_id: str, owner: str,
                 alive: Callable[[], bool] | None = None) -> str:
        """A new one-time token for ``proc``, bound to ``session_id``."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        entry = LiveEntry(proc, session_id, owner, alive or (lambda: True))
        with self._lock:
            self._sweep_locked()
            self._entries[token] = entry
        log.info("live socket token issued for %s's session", owner)
        return token

    def claim(self, token: Any) -> LiveEntry:
        """The entry for a socket presenting ``token``; raises :class:`TokenRefusedError`."""
        with self._lock:
            self._sweep_locked()
            entry = self._entries.get(token) if isinstance(token, str) else None
            if entry is None:
                raise TokenRefusedError("unknown or expired token: reload the page")
            if entry.claimed:
                raise TokenRefusedError("this token is already in use by another connection")
            entry.claimed = True
        if not entry.alive():
            self.release(token)
            raise TokenRefusedError("the page's session has ended: reload the page")
        return entry

    def state(self, token: str) -> str:
        """"free", "claimed" or "gone": whether the page may keep passing this token."""
        with self._lock:
            entry = self._entries.get(token)
        return "gone" if entry is None else "claimed" if entry.claimed else "free"

    def release(self, token: str) -> None:
        """Drop ``token`` (its socket closed or its set stopped)."""
        with self._lock:
            self._entries.pop(token, None)

    def drop_session(self, session_id: str) -> int:
        """Drop every token of a Streamlit session (it logged out or ended); how many."""
        with self._lock:
            gone = [t for t, e in self._entries.items() if e.session_id == session_id]
            for t in gone:
                del self._entries[t]
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _sweep_locked(self) -> None:
        now = time.monotonic()
        for t in [t for t, e in self._entries.items() if not e.claimed and now - e.created > self._ttl]:
            del self._entries[t]


REGISTRY = LiveRegistry()   # the one the app's pages and its landmark socket share
