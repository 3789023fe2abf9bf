"""The in-browser pose model's large files (the MediaPipe wasm and bundle, the ``.task`` models)
at versioned URLs the browser may keep: ``/formcheck/pose/<group>-<hash>/<file>``, mounted
through ``st.App`` like the landmark socket (streamlit_app.py), same origin (the component's
CSP ``'self'``).

Why not Streamlit's component route: it sends ``Cache-Control: public`` with no lifetime and no
validator, so every page load downloads them again, and its gzip middleware recompresses them on
every request (measured here: 1.3-1.7 s for the 13 MB wasm and 1.0-1.3 s for the model, at load
~11 on 2 cores, against 0.03-0.07 s uncompressed): seconds of START and of server CPU per page
load. Here the URL names the content (a sha256 of the files), so a response is ``immutable`` for
a year and a new version gets a new URL; each file is gzipped once per server process, on a
worker thread, and kept (about 17 MB for the files a Live page and a Desk monitor use).

Only the listed files are served (no path from the request reaches the disk). No Streamlit here.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from formcheck.core import config
from formcheck.ui.pose_component.assets import MODEL_FILES, VENDOR_DIR, VENDOR_FILES

PREFIX = "/formcheck/pose"
CACHE_CONTROL = "public, max-age=31536000, immutable"
GZIP_LEVEL = 6   # ~the ratio of 9 on these files, in less time (once per file and process)
_lock = threading.Lock()


def _hash(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


@cache
def served() -> dict[str, Path]:
    """URL path (under :data:`PREFIX`) -> file, for every file there is (once per process)."""
    out: dict[str, Path] = {}
    vendor = [VENDOR_DIR / f for f in VENDOR_FILES if (VENDOR_DIR / f).is_file()]
    if len(vendor) == len(VENDOR_FILES):
        tag = _hash(vendor)
        out.update({f"vendor-{tag}/{f}": VENDOR_DIR / f for f in VENDOR_FILES})
    for name in MODEL_FILES.values():
        p = config.BUNDLED_MODELS_DIR / name
        if p.is_file():
            out[f"model-{_hash([p])}/{name}"] = p
    return out


def urls(model: str) -> dict[str, str]:
    """The component's args for ``model`` ("full" or "lite"): ``bundle_url``, ``wasm_url`` (the
    folder FilesetResolver takes), ``model_url``; empty when a file is missing (the component
    then loads them from its own folder; assets.assets_problem says what is missing)."""
    by_file = {(k.split("/", 1)[0].split("-")[0], k.split("/", 1)[1]): k for k in served()}
    bundle, wasm = by_file.get(("vendor", "vision_bundle.js")), by_file.get(("vendor", "wasm/vision_wasm_internal.js"))
    weights = by_file.get(("model", MODEL_FILES[model]))
    if not (bundle and wasm and weights):
        return {}
    return {"bundle_url": f"{PREFIX}/{bundle}", "wasm_url": f"{PREFIX}/{wasm.rsplit('/', 1)[0]}",
            "model_url": f"{PREFIX}/{weights}"}


_gzipped: dict[str, bytes] = {}


def _gzip(key: str, path: Path) -> bytes:
    with _lock:   # two first requests at once compress it once
        if key not in _gzipped:
            _gzipped[key] = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
        return _gzipped[key]


async def endpoint(request: Request) -> Response:
    from anyio import to_thread

    key = request.path_params["path"]
    path = served().get(key)
    if path is None:
        return Response("not found", status_code=404, media_type="text/plain")
    kind = "application/wasm" if path.suffix == ".wasm" else (
        "text/javascript" if path.suffix == ".js" else mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    headers = {"Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding", "X-Content-Type-Options": "nosniff"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = await to_thread.run_sync(_gzip, key, path)
        return Response(body, media_type=kind, headers={**headers, "Content-Encoding": "gzip"})
    # without gzip accepted, Streamlit's gzip middleware leaves the response as it is
    return Response(await to_thread.run_sync(path.read_bytes), media_type=kind, headers=headers)


def routes() -> list[Route]:
    """The route(s) to mount with ``st.App(..., routes=...)``."""
    return [Route(PREFIX + "/{path:path}", endpoint, methods=["GET"], name="formcheck-pose-files")]
