"""An object kept in the Streamlit session while its key stays the same (the live page's and
the desk monitor's processors), safe against runs that Streamlit stops part-way."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

log = logging.getLogger(__name__)
T = TypeVar("T")


def kept(name: str, key_name: str, key: str, make: Callable[[], T], close: Callable[[Any], None]) -> T:
    """``st.session_state[name]``, made by ``make()`` for ``key``: the same object while
    ``st.session_state[key_name]`` is ``key``; for a new key the old object is closed first.

    Every session_state access is a point where Streamlit may stop this run for a newer one
    (a click while a model loads). So the key is cleared before the old object is closed and
    written only once the new object is kept: a stopped run can leave an object without its
    key (the next run closes it again, which does nothing, and makes another), never a key
    with an object that is closed or was made for another key (another patient's set). An
    object made but never kept is closed, not leaked with its model and threads."""
    current = st.session_state.get(name)
    if current is not None and st.session_state.get(key_name) == key:
        return current   # type: ignore[no-any-return]
    st.session_state[key_name] = None
    if current is not None:
        try:
            close(current)   # closing twice (a run stopped after this) must do nothing
        except Exception:   # e.g. the database refused the set's last write: make the new one
            log.exception("closing the previous %s failed", name)
    made = make()
    try:
        st.session_state[name] = made
    except BaseException:
        close(made)
        raise
    st.session_state[key_name] = key
    return made
