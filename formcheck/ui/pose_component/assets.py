"""Where the in-browser pose component's files are, and whether they are all installed.

No Streamlit here: the CLI and the tests ask too. The MediaPipe Tasks for Web files are fetched
by ``scripts/fetch_web_assets.sh`` (run by ``install.sh``) into ``frontend/vendor/``; the pose
models are the bundled ``models/pose_landmarker_{full,lite}.task``.
"""

from __future__ import annotations

import json
from pathlib import Path

from formcheck.core import config

FRONTEND_DIR = Path(__file__).resolve().parent / "frontend"
VENDOR_DIR = FRONTEND_DIR / "vendor"
WATCH_DIR = Path(__file__).resolve().parent / "watch"   # the Live panel's watcher (panel_watch)
TASKS_VISION_VERSION = "1.1.0"   # pinned with its checksum in scripts/fetch_web_assets.sh
VENDOR_FILES = ("vision_bundle.mjs", "vision_bundle.js", "wasm/vision_wasm_internal.js",
                "wasm/vision_wasm_internal.wasm",
                "wasm/vision_wasm_nosimd_internal.js", "wasm/vision_wasm_nosimd_internal.wasm")
MODEL_FILES = {"full": "pose_landmarker_full.task", "lite": "pose_landmarker_lite.task"}


def missing_assets(vendor_dir: Path = VENDOR_DIR, models_dir: Path | None = None) -> list[str]:
    """Files the browser path needs that are absent or empty (paths relative to their folder)."""
    models_dir = models_dir or config.BUNDLED_MODELS_DIR
    out = [f"vendor/{f}" for f in VENDOR_FILES if not _nonempty(vendor_dir / f)]
    out += [f"models/{m}" for m in MODEL_FILES.values() if not _nonempty(models_dir / m)]
    return out


def installed_version(vendor_dir: Path = VENDOR_DIR) -> str | None:
    """The @mediapipe/tasks-vision version in ``vendor_dir`` (None when not installed)."""
    try:
        return str(json.loads((vendor_dir / "package.json").read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def assets_problem(vendor_dir: Path = VENDOR_DIR, models_dir: Path | None = None) -> str | None:
    """A plain sentence saying why the in-browser pose model cannot be served, or None."""
    missing = missing_assets(vendor_dir, models_dir)
    if missing:
        return (f"The in-browser pose model's files are not installed ({len(missing)} missing, e.g. "
                f"{missing[0]}): run ./install.sh (it needs npm) to fetch @mediapipe/tasks-vision "
                f"{TASKS_VISION_VERSION}.")
    version = installed_version(vendor_dir)
    if version != TASKS_VISION_VERSION:
        return (f"The in-browser pose files are version {version or 'unknown'}, this formcheck needs "
                f"{TASKS_VISION_VERSION}: run ./install.sh again.")
    return None


def _nonempty(p: Path) -> bool:
    return p.is_file() and p.stat().st_size > 0
