"""An object kept in the Streamlit session while its key stays the same (the live page's and
the desk monitor's processors), safe against runs that Streamlit stops part-way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")


def kept(name: str, key_name: str, key: str, make: Callable[[], T], close: Callable[[Any], None]) -> T:
    """``st.session_state[name]``, made by ``make()`` for ``key``: the same object while
    ``st.session_state[key_name]`` is ``key``; for a new key the old object is closed first.

    Every session_state access is a point where Streamlit may stop this run for a newer one
    (a click while a model loads). So the object is kept before its key: a stopped run leaves
    the old key (the next run closes the new object and makes another) or both, never a key
    without its object; and an object made but never kept is closed, not leaked with its
    model and threads."""
    current = st.session_state.get(name)
    if current is not None and st.session_state.get(key_name) == key:
        return current   # type: ignore[no-any-return]
    if current is not None:
        close(current)   # closing twice (a run stopped after this) must do nothing
    made = make()
    try:
        st.session_state[name] = made
    except BaseException:
        close(made)
        raise
    st.session_state[key_name] = key
    return made
