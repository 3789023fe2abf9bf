"""The in-browser pose component (Streamlit components v1): camera and PoseLandmarker in the
patient's browser, landmarks to the server on the landmark websocket (or, as the fallback, in
component values), verdicts back on the socket (or in the args) (see frontend/pose.js and its modules).

Its folder is served by Streamlit at ``/component/<name>/``; the wasm, the bundle and the model
come from the app's own versioned, cacheable URLs (static.py), or, when those files are missing,
from the component's folder and a second "component" serving the bundled models folder (nothing
from a CDN). The frontend's CSP keeps every request on this origin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from formcheck.core import config
from formcheck.core.landmarks import SKELETON_EDGES
from formcheck.ui.pose_component.assets import FRONTEND_DIR, MODEL_FILES, WATCH_DIR, assets_problem

__all__ = ["assets_problem", "panel_watch", "pose_component"]

_declared: dict[str, Any] = {}


def _components() -> tuple[Any, Any]:
    """Declared on first use (nothing runs at import): the component and the models folder."""
    if not _declared:
        import streamlit.components.v1 as components

        _declared["ui"] = components.declare_component("pose_live", path=str(FRONTEND_DIR))
        _declared["models"] = components.declare_component("pose_models", path=str(config.BUNDLED_MODELS_DIR))
        _declared["watch"] = components.declare_component("pose_watch", path=str(WATCH_DIR))
    return _declared["ui"], _declared["models"]


def pose_component(key: str, reply: dict[str, Any], model: str = "full", min_visibility: float = 0.5,
                   on_change: Callable[[], None] | None = None, min_fps: float = 4.0, height: int = 560,
                   socket_token: str | None = None, socket_path: str | None = None,
                   max_fps: float = 0.0, panel_channel: str | None = None) -> Any:
    """Render the component; returns its latest message (a landmark batch, or a START/STOP
    notice when the landmarks go on the socket) or None. Below ``min_fps`` judged frames a
    second the browser asks for the server-side video path. With ``socket_token`` the landmarks
    go on the websocket at ``socket_path`` (same origin), component values being the fallback.
    ``max_fps`` > 0: the model runs at most that often (the desk monitor), 0: on every frame.
    ``panel_channel``: the verdicts' panel signatures go out on that BroadcastChannel
    (:func:`panel_watch`)."""
    from formcheck.ui.pose_component import static

    ui, models = _components()
    # at versioned URLs the browser keeps (static.py); else from the component's folders
    files = static.urls(model) or {"model_url": f"../{models.name}/{MODEL_FILES[model]}"}
    edges = [[int(a), int(b)] for a, b in SKELETON_EDGES]
    return ui(key=key, reply=reply, **files, edges=edges, min_visibility=min_visibility, min_fps=min_fps,
              socket_token=socket_token, socket_path=socket_path, max_fps=max_fps, panel_channel=panel_channel,
              default=None, on_change=on_change, height=height)


def panel_watch(key: str, channel: str, shown: int | None) -> Any:
    """An invisible component (in the panel's fragment) whose value changes when the pose
    component's verdicts have something the panel has not shown yet (``shown``: the signature
    it is drawing now): that reruns the panel's fragment, and only then."""
    _components()
    return _declared["watch"](key=key, channel=channel, shown=shown, default=None, height=0)
