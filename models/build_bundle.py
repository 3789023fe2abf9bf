"""Rebuild the bundled pose models (``pose_landmarker_full.task``, ``pose_landmarker_lite.task``)
from weights published on the package registries.

Why this exists: the official MediaPipe Tasks bundles are downloaded from Google's storage,
which offline machines cannot reach. The same BlazePose GHUM weights are published elsewhere
under Apache-2.0:

- the pose *detector* and the *full* landmark model ship inside the ``mediapipe==0.10.21`` wheel
  on PyPI;
- the *lite* landmark model ships in the ``@mediapipe/pose`` npm package (the legacy JavaScript
  solution). Its ``pose_landmark_full.tflite`` is byte-identical to the wheel's (sha256
  ``e9a5c5cb...``), so its lite model is the same family, trained for the same detector.

The Tasks API additionally needs TFLite metadata giving each model's input normalisation, which
we add here, then zip the two models into a bundle byte-for-byte reproducibly (fixed zip
timestamps, stored members in name order).

Usage (needs the package registries once; builds a throwaway venv, because 0.10.21's metadata
writer needs ``numpy<2`` and is broken in mediapipe 1.x; the lite variant needs ``npm``):

    python models/build_bundle.py                 # rebuild both and compare with the committed
    python models/build_bundle.py --variant lite  # one of them
    python models/build_bundle.py --inner ...     # (internal) run inside the throwaway venv
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_PACKAGE = "mediapipe==0.10.21"
NPM_PACKAGE = "@mediapipe/pose@0.5.1675469404"
# Pinned so a changed upstream file cannot slip into the bundle unnoticed.
NPM_LITE_SHA256 = "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
DETECTOR = ("wheel:mediapipe/modules/pose_detection/pose_detection.tflite", 127.5, 127.5)
VARIANTS = {
    # variant -> bundle member name -> (source, normalisation mean, std)
    "full": {
        "pose_detector.tflite": DETECTOR,
        "pose_landmarks_detector.tflite": (
            "wheel:mediapipe/modules/pose_landmark/pose_landmark_full.tflite", 0.0, 255.0
        ),
    },
    "lite": {
        "pose_detector.tflite": DETECTOR,
        "pose_landmarks_detector.tflite": ("npm:package/pose_landmark_lite.tflite", 0.0, 255.0),
    },
}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def bundle_path(variant: str) -> Path:
    return HERE / f"pose_landmarker_{variant}.task"


def _with_metadata(model: bytes, mean: float, std: float, name: str, variant: str) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    origin = "mediapipe 0.10.21" if variant == "full" or "detector" in name else NPM_PACKAGE
    writer.add_general_info(name, f"BlazePose GHUM ({variant}) from {origin}, Apache-2.0")
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


def _read_source(source: str, npm_dir: Path | None) -> bytes:
    kind, rel = source.split(":", 1)
    if kind == "wheel":
        import mediapipe

        return (Path(mediapipe.__file__).resolve().parent.parent / rel).read_bytes()
    if npm_dir is None:
        raise SystemExit("the lite model needs the npm package (run without --inner)")
    data = (npm_dir / rel).read_bytes()
    if hashlib.sha256(data).hexdigest() != NPM_LITE_SHA256:
        raise SystemExit(f"{NPM_PACKAGE}: {rel} is not the pinned file; refusing to bundle it")
    return data


def inner(variant: str, out: Path, npm_dir: Path | None) -> None:
    members = {}
    for name, (source, mean, std) in VARIANTS[variant].items():
        members[name] = _with_metadata(_read_source(source, npm_dir), mean, std, name, variant)
    _write_bundle(members, out)


def _fetch_npm(tmp: Path) -> Path:
    """Unpack the pinned npm package into ``tmp/npm`` (``npm pack`` only downloads)."""
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--pack-destination", str(tmp)], check=True,
                   stdout=subprocess.DEVNULL)
    tgz = next(tmp.glob("mediapipe-pose-*.tgz"))
    dest = tmp / "npm"
    with tarfile.open(tgz) as tf:
        tf.extractall(dest, filter="data")
    return dest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outer(variants: list[str], out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        venv = tmp / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        py = venv / "bin" / "python"
        subprocess.run([str(py), "-m", "pip", "install", "-q", SOURCE_PACKAGE, "numpy<2"], check=True)
        npm_dir = _fetch_npm(tmp) if "lite" in variants else None
        for v in variants:
            cmd = [str(py), __file__, "--inner", "--variant", v, "--out", str(out_dir / bundle_path(v).name)]
            if npm_dir is not None:
                cmd += ["--npm-dir", str(npm_dir)]
            subprocess.run(cmd, check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--npm-dir", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--variant", choices=sorted(VARIANTS), action="append")
    ap.add_argument("--out", type=Path, default=None,
                    help="with --inner: the file; else a folder (default: a temp folder)")
    args = ap.parse_args()
    variants = args.variant or sorted(VARIANTS)
    if args.inner:
        inner(variants[0], args.out, args.npm_dir)
        return 0
    out_dir = args.out or Path(tempfile.mkdtemp())
    out_dir.mkdir(parents=True, exist_ok=True)
    outer(variants, out_dir)
    status = 0
    for v in variants:
        built, committed = out_dir / bundle_path(v).name, bundle_path(v)
        new = sha256(built)
        print(f"built {built}\n  sha256 {new}")
        if not committed.exists():
            print(f"  no committed {committed.name} to compare with")
        elif new == sha256(committed):
            print(f"  identical to the committed models/{committed.name}")
        else:
            print(f"  DIFFERS from the committed {committed.name}; compare members with unzip -lv")
            status = 1
    return status


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
