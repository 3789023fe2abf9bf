"""Workarounds for two races in the Streamlit stack, in one place, each applied only to the
versions it was written and tested against (see pyproject.toml's pinned ranges).

1. Upload URLs lost across a rerun (Streamlit 1.67). Choosing a file makes the browser ask the
   server for upload URLs (``file_urls_request``); the answer is queued as a
   ``file_urls_response``. When a script run starts, Streamlit clears its outgoing queue and
   keeps only lifecycle messages, so an answer queued just before a rerun is dropped: the
   browser never uploads and that uploader stays stuck until the page is reloaded (seen in our
   browser test under load). The patch keeps those answers through the clear. They reply to
   one browser request, not page content, so keeping them cannot show stale output. A fragment
   rerun already keeps non-delta messages; the patch then adds nothing (no duplicate answer).

2. A live stream stopped right after it connects (streamlit-webrtc 0.79). The component resets
   a context it believes was not rendered in the previous run, which stopped the worker in about
   30% of starts. The live page renders the streamer on every run, so that belief is always
   wrong there: ``keep_streamer_alive`` clears it before each render.
"""

from __future__ import annotations

import logging
from importlib import metadata
from typing import Any

log = logging.getLogger(__name__)
TESTED = {"streamlit": ((1, 67), (1, 68)), "streamlit-webrtc": ((0, 79), (0, 80))}
_KEPT = "file_urls_response"
_MARK = "_formcheck_keeps_upload_urls"


def tested(package: str) -> bool:
    """Is the installed ``package`` inside the version range these patches were tested on?"""
    try:
        parts = tuple(int(p) for p in metadata.version(package).split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    lo, hi = TESTED[package]
    return lo <= parts < hi


def apply() -> list[str]:
    """Install the Streamlit patch once per process; returns the names of what was applied."""
    if not tested("streamlit"):
        log.warning("Streamlit %s is outside the tested range %s: upload race fix not applied",
                    _version("streamlit"), TESTED["streamlit"])
        return []
    return ["upload_urls"] if _keep_upload_urls() else []


def keep_streamer_alive(ctx_state: Any) -> None:
    """Clear streamlit-webrtc's 'not rendered last run' mark on a context (see 2. above)."""
    if ctx_state is not None and tested("streamlit-webrtc") and hasattr(ctx_state, "_last_rendered_run_count"):
        ctx_state._last_rendered_run_count = None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _keep_upload_urls() -> bool:
    try:
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
    except ImportError:  # pragma: no cover - Streamlit moved the class
        log.warning("Streamlit's ForwardMsgQueue not found; upload race fix not applied")
        return False
    original = ForwardMsgQueue.clear
    if getattr(original, _MARK, False):
        return True

    def clear(self: Any, retain_lifecycle_msgs: bool = False,
              fragment_ids_this_run: list[str] | None = None) -> None:
        queue = getattr(self, "_queue", [])
        # Only the clear at the start of a run retains anything; flush() clears with
        # retain_lifecycle_msgs=False after it has taken the messages out to send them.
        keep = [m for m in queue if m.WhichOneof("type") == _KEPT] if retain_lifecycle_msgs else []
        original(self, retain_lifecycle_msgs, fragment_ids_this_run)
        # A fragment rerun keeps non-delta messages itself: add only what it dropped. Appended
        # after the retained messages: clear() has just emptied the delta index map, so no
        # recorded position can shift.
        kept = {id(m) for m in self._queue}
        self._queue.extend(m for m in keep if id(m) not in kept)

    setattr(clear, _MARK, True)
    ForwardMsgQueue.clear = clear  # type: ignore[method-assign]
    return True
