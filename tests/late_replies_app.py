"""A test-only app (never shipped, never started by the product): formcheck's own app
(``streamlit_app.py``, unchanged) whose landmark socket answers late while a flag file exists,
as an overloaded server would, for tests/ui/test_browser_pacing.py.

Started as ``streamlit run tests/late_replies_app.py`` with ``$FORMCHECK_TEST_LATE_FLAG`` (the
flag file's path; read here only). While that file exists every verdict reply of the landmark
socket goes out :data:`LATE_S` after it was ready, without blocking the server's event loop: the
real socket code (formcheck/run/live/websocket.py) and its pacer see their replies run late and
ask the page for fewer frames a second. The Live page runs the *lite* model here, so that the
browser's own rate on this CPU is above the pacer's floor (10 fps; the full model runs at ~10 fps
here, where a slow-down could not show); the pacing path does not depend on the model.
"""

from __future__ import annotations

import asyncio
import os
import runpy
import sys
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # this file's folder is tests/: formcheck (and its app) from this checkout
    sys.path.insert(0, str(ROOT))
LATE_S = 0.4   # > pacing.BUSY_MS even for the first message of the next batch (the page sends >= 10 a second)


class LateReplies:
    """A Starlette WebSocket whose verdict replies are sent ``LATE_S`` late while ``flag`` exists."""

    def __init__(self, ws: Any, flag: Path) -> None:
        self._ws, self._flag = ws, flag

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    async def send_text(self, text: str) -> None:
        if text.startswith('{"type":"reply"') and self._flag.exists():
            await asyncio.sleep(LATE_S)
        await self._ws.send_text(text)


def routes() -> list[Any]:
    """The landmark socket's route, served by the real ``serve_socket`` over a late socket."""
    from starlette.routing import WebSocketRoute

    from formcheck.run.live import websocket as live_socket
    from formcheck.run.live.registry import REGISTRY
    from formcheck.ui.pose_component import static as pose_files

    flag = Path(os.environ["FORMCHECK_TEST_LATE_FLAG"])

    async def endpoint(ws: Any) -> None:
        await live_socket.serve_socket(cast(Any, LateReplies(ws, flag)), REGISTRY)

    return [WebSocketRoute(live_socket.PATH, endpoint, name="formcheck-landmarks"), *pose_files.routes()]


def lite_live_page() -> None:
    """The Live page's component with the lite model (see the module docstring)."""
    from formcheck.ui import live_browser

    if getattr(live_browser.pose_component, "lite_for_test", False):
        return
    full = live_browser.pose_component

    def lite(key: str, reply: dict[str, Any], model: str, *args: Any, **kwargs: Any) -> Any:
        return full(key, reply, "lite", *args, **kwargs)

    lite.lite_for_test = True  # type: ignore[attr-defined]
    live_browser.pose_component = lite  # type: ignore[assignment]


if __name__ == "__main__":   # the page script: formcheck's own
    lite_live_page()
    runpy.run_path(str(ROOT / "streamlit_app.py"), run_name="__main__")
else:                        # imported by `streamlit run`: the server with the late socket
    import streamlit as st

    app = st.App(__file__, routes=routes())   # each page run: this file as __main__ (above)
