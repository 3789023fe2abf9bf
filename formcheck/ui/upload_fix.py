"""Keep Streamlit's upload-URL answers across a rerun (a race in Streamlit 1.67).

Choosing a file makes the browser ask the server for upload URLs (``file_urls_request``);
the answer is queued as a ``file_urls_response``. When a script run starts, Streamlit clears
its outgoing queue and keeps only lifecycle messages, so an answer queued just before a rerun
starts is dropped. The browser then never uploads, and that uploader stays stuck until the page
is reloaded. Seen in our browser test under load: the file was chosen right after the exercise
was changed, the request was sent, no upload followed, and choosing the file again did nothing.

``apply()`` wraps ``ForwardMsgQueue.clear`` so these answers survive that clear. They are
replies to one browser request, not page content, so keeping them cannot show stale output.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
_KEPT = "file_urls_response"


def apply() -> bool:
    """Install the wrapper once per process; False (and a log line) if Streamlit changed."""
    try:
        from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
    except ImportError:  # pragma: no cover - Streamlit moved the class
        log.warning("Streamlit's ForwardMsgQueue not found; upload race fix not applied")
        return False
    original = ForwardMsgQueue.clear
    if getattr(original, "_formcheck_keeps_upload_urls", False):
        return True

    def clear(self: Any, retain_lifecycle_msgs: bool = False,
              fragment_ids_this_run: list[str] | None = None) -> None:
        queue = getattr(self, "_queue", [])
        # Only the clear at the start of a run retains anything; flush() clears with
        # retain_lifecycle_msgs=False after it has taken the messages out to send them.
        keep = [m for m in queue if m.WhichOneof("type") == _KEPT] if retain_lifecycle_msgs else []
        original(self, retain_lifecycle_msgs, fragment_ids_this_run)
        # Appended after the retained messages: clear() has just emptied the delta index map,
        # so no recorded position can shift.
        self._queue.extend(keep)

    clear._formcheck_keeps_upload_urls = True  # type: ignore[attr-defined]
    ForwardMsgQueue.clear = clear  # type: ignore[method-assign]
    return True
