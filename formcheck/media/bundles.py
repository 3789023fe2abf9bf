"""Pose model bundles: the bundled offline *full* and *lite* models, plus official variants on demand."""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from formcheck.core import config
from formcheck.core.atomic import atomic_path
from formcheck.core.errors import ModelError

log = logging.getLogger(__name__)

OFFICIAL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/latest/pose_landmarker_{v}.task"
)
VARIANTS = ("lite", "full", "heavy")
REQUIRED_MEMBERS = frozenset({"pose_detector.tflite", "pose_landmarks_detector.tflite"})


@dataclass(frozen=True)
class ModelFile:
    name: str
    path: Path
    size_bytes: int
    sha256: str
    origin: str  # "bundled" | "downloaded"


def default_model_path() -> Path:
    """``$FORMCHECK_MODEL`` if set, else the bundled full model."""
    env = os.environ.get("FORMCHECK_MODEL")
    return Path(env).expanduser() if env else config.BUNDLED_MODELS_DIR / config.DEFAULT_MODEL_NAME


def monitor_model() -> str:
    """The desk monitor's model when none is chosen: ``$FORMCHECK_MODEL`` if set (the user's
    choice wins everywhere), else the bundled lite variant."""
    return os.environ.get("FORMCHECK_MODEL") or config.MONITOR_MODEL_VARIANT


def validate_bundle(path: Path) -> None:
    """Raise ModelError unless ``path`` is a zip holding the two pose landmarker models."""
    if not path.is_file():
        raise ModelError(f"{path}: pose model not found")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: not a MediaPipe .task bundle (not a zip file)") from None
    missing = REQUIRED_MEMBERS - names
    if missing:
        raise ModelError(f"{path}: not a pose landmarker bundle (missing {', '.join(sorted(missing))})")


def resolve_model(path: str | os.PathLike[str] | None) -> Path:
    """The model to use: an explicit path, a variant name (``lite``/``full``/``heavy``), or
    the default. Validated."""
    if path is None:
        p = default_model_path()
    elif str(path) in VARIANTS:
        p = _variant_path(str(path))
        if not p.is_file():
            raise ModelError(f"model variant {path!r} is not installed; run `formcheck models --download {path}`")
    else:
        p = Path(path).expanduser()
    validate_bundle(p)
    return p


def _variant_path(variant: str) -> Path:
    """The bundled bundle of that variant (full and lite ship in ``models/``), else a download."""
    bundled = config.BUNDLED_MODELS_DIR / f"pose_landmarker_{variant}.task"
    if bundled.is_file():
        return bundled
    return config.user_models_dir() / f"pose_landmarker_{variant}.task"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def installed_models() -> list[ModelFile]:
    """Bundled and downloaded .task files."""
    out = []
    for origin, folder in (("bundled", config.BUNDLED_MODELS_DIR), ("downloaded", config.user_models_dir())):
        if folder.is_dir():
            for p in sorted(folder.glob("*.task")):
                out.append(ModelFile(p.stem, p, p.stat().st_size, _sha256(p), origin))
    return out


def download(variant: str, timeout_s: float = 20.0) -> Path:
    """Fetch an official bundle into the user models folder (atomically); ModelError offline."""
    if variant not in VARIANTS:
        raise ModelError(f"unknown model variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    url = OFFICIAL_URL.format(v=variant)
    target = config.user_models_dir() / f"pose_landmarker_{variant}.task"
    import urllib.error  # here: the HTTP stack is ~30 ms of every command that only reads models
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp, atomic_path(target) as tmp:
            with open(tmp, "wb") as f:
                while chunk := resp.read(1 << 20):
                    f.write(chunk)
            validate_bundle(tmp)
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise ModelError(
            f"cannot download the {variant} model (offline or blocked: {reason}); "
            f"the bundled full model works offline"
        ) from None
    return target
