"""formcheck app: live webcam coaching, clip review and therapist tuning.

A thin entry point over formcheck.ui (which uses the same Session/pipeline objects as the CLI).
Start with ``.venv/bin/streamlit run streamlit_app.py`` (binds 127.0.0.1, see .streamlit/config.toml).

``app`` below is what ``streamlit run`` serves (it finds an ``st.App`` in this file): Streamlit
plus the landmark websocket of live coaching (formcheck/run/live/websocket.py) on the same server and
port. Imported by the server this file only builds ``app``; run as the page script it draws
the page.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from formcheck.run.live import websocket as landmark_socket
from formcheck.run.live import workers as live_workers
from formcheck.storage.access import AccessDenied
from formcheck.ui import compat, roles
from formcheck.ui.account_page import account_page
from formcheck.ui.clip_page import clip_page
from formcheck.ui.common import PageState, sidebar
from formcheck.ui.live_page import live_page
from formcheck.ui.monitor_page import monitor_page
from formcheck.ui.pose_component import static as pose_files
from formcheck.ui.programme_page import programme_page
from formcheck.ui.progress_page import progress_page
from formcheck.ui.roles import PAGES
from formcheck.ui.tuning_page import tuning_page

PAGE_FUNCTIONS: dict[str, Callable[[PageState], None]] = {
    "Live": live_page, "Clip review": clip_page, "Therapist tuning": tuning_page, "Programme": programme_page,
    "Progress": progress_page, "Desk monitor": monitor_page, "Account": account_page,
}


def main() -> None:
    st.set_page_config(page_title="formcheck", layout="wide")
    compat.apply()   # Streamlit races worked around (see formcheck/ui/compat.py)
    ps = sidebar()
    if ps is None:   # the login form (clinic mode) or why this server does not serve
        return
    role = ps.actor.role
    names = [p for p in PAGES if p != "Account" or not ps.actor.is_owner]
    for name, tab in zip(names, st.tabs(names), strict=True):
        with tab:
            if not roles.allowed(role, name):
                st.info(roles.not_for_you(role, name))
                continue
            try:
                PAGE_FUNCTIONS[name](ps)
            except AccessDenied as e:   # the data layer refused: say so, show nothing of it
                st.warning(str(e))


if __name__ == "__main__":   # Streamlit runs the page script as __main__
    main()
else:                        # imported by `streamlit run` / uvicorn: the server with its routes
    app = st.App(__file__, routes=[*landmark_socket.routes(), *pose_files.routes()], lifespan=live_workers.lifespan)
