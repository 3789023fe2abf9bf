"""Rebuild ``pose_landmarker_full.task`` from the weights shipped on PyPI.

Why this exists: the official MediaPipe Tasks bundles are downloaded from Google's storage,
which offline machines cannot reach. The weights of the *full* BlazePose GHUM model ship inside
the ``mediapipe==0.10.21`` wheel (Apache-2.0). The Tasks API additionally needs TFLite metadata
giving each model's input normalisation, which we add here, then zip the two models into a
bundle byte-for-byte reproducibly (fixed zip timestamps, stored members in name order).

Usage (needs the package registry once; builds a throwaway venv, because 0.10.21's metadata
writer needs ``numpy<2`` and is broken in mediapipe 1.x):

    python models/build_bundle.py            # rebuild and compare with models/README.md
    python models/build_bundle.py --inner    # (internal) run inside the throwaway venv
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLE = HERE / "pose_landmarker_full.task"
SOURCE_PACKAGE = "mediapipe==0.10.21"
MEMBERS = {
    # bundle member name -> (path inside the wheel, normalisation mean, std)
    "pose_detector.tflite": ("mediapipe/modules/pose_detection/pose_detection.tflite", 127.5, 127.5),
    "pose_landmarks_detector.tflite": (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        0.0,
        255.0,
    ),
}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _with_metadata(model: bytes, mean: float, std: float, name: str) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose GHUM (full) from mediapipe 0.10.21, Apache-2.0")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    content, _ = writer.populate()
    return bytes(content)


def _write_bundle(members: dict[str, bytes], out: Path) -> None:
    """Deterministic zip: stored (uncompressed) members in name order with fixed dates."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])


def inner(out: Path) -> None:
    import mediapipe

    root = Path(mediapipe.__file__).resolve().parent.parent
    members = {}
    for name, (rel, mean, std) in MEMBERS.items():
        members[name] = _with_metadata((root / rel).read_bytes(), mean, std, name)
    _write_bundle(members, out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outer(out: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        py = venv / "bin" / "python"
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", SOURCE_PACKAGE, "numpy<2"], check=True
        )
        subprocess.run([str(py), __file__, "--inner", "--out", str(out)], check=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, default=None, help="where to write (default: a temp file)")
    args = ap.parse_args()
    if args.inner:
        inner(args.out)
        return 0
    out = args.out or Path(tempfile.mkdtemp()) / BUNDLE.name
    outer(out)
    new, old = sha256(out), sha256(BUNDLE) if BUNDLE.exists() else None
    print(f"built {out}\n  sha256 {new}")
    if old is None:
        print("no committed bundle to compare with")
    elif new == old:
        print("identical to the committed models/pose_landmarker_full.task")
    else:
        print(f"DIFFERS from the committed bundle (sha256 {old}); compare members with unzip -lv")
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
