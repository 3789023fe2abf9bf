"""formcheck app: live webcam coaching, clip review and therapist tuning.

A thin entry point over formcheck.ui (which uses the same Session/pipeline objects as the CLI).
Start with ``.venv/bin/streamlit run streamlit_app.py`` (binds 127.0.0.1, see .streamlit/config.toml).
"""

from __future__ import annotations

import streamlit as st

from formcheck.ui import compat
from formcheck.ui.clip_page import clip_page
from formcheck.ui.common import sidebar
from formcheck.ui.live_page import live_page
from formcheck.ui.monitor_page import monitor_page
from formcheck.ui.programme_page import programme_page
from formcheck.ui.progress_page import progress_page
from formcheck.ui.tuning_page import tuning_page


def main() -> None:
    st.set_page_config(page_title="formcheck", layout="wide")
    compat.apply()   # Streamlit races worked around (see formcheck/ui/compat.py)
    ps = sidebar()
    live, clip, tune, prog, progress, desk = st.tabs(["Live", "Clip review", "Therapist tuning", "Programme",
                                                       "Progress", "Desk monitor"])
    with live:
        live_page(ps)
    with clip:
        clip_page(ps)
    with tune:
        tuning_page(ps)
    with prog:
        programme_page(ps)
    with progress:
        progress_page(ps)
    with desk:
        monitor_page(ps)


main()
