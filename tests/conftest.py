"""Shared fixtures: the real media folder (skipped with a reason when absent) and a cache of
pose sequences extracted once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clinic import cheap_hashes, db  # noqa: F401  (the clinic tests' fixtures)
from dbserver import pg_url  # noqa: F401  (the PostgreSQL server of every storage test)

from formcheck.core.pose import PoseSequence

ROOT = Path(__file__).resolve().parent.parent
MEDIA = Path(os.environ.get("FORMCHECK_MEDIA", ROOT.parent / "shared" / "media"))
LABELS = MEDIA / "LABELS.toml"


def media_or_skip() -> Path:
    if not LABELS.is_file():
        pytest.skip(f"real media not found at {MEDIA} (set FORMCHECK_MEDIA)")
    return MEDIA


@pytest.fixture(scope="session")
def media() -> Path:
    return media_or_skip()


@pytest.fixture(scope="session")
def pose_cache(tmp_path_factory: pytest.TempPathFactory):
    """Extract each real clip's poses once per session: ``pose_cache(rel_path)``."""
    from formcheck.run.pipeline import extract_poses

    folder = tmp_path_factory.mktemp("poses")
    seen: dict[str, PoseSequence] = {}

    def get(rel: str) -> PoseSequence:
        if rel not in seen:
            out = folder / (rel.replace("/", "__") + ".npz")
            seq = extract_poses(media_or_skip() / rel)
            seq.save(out)
            seen[rel] = PoseSequence.load(out)
        return seen[rel]

    get.folder = folder   # type: ignore[attr-defined]  # evaluate() reads the same cache files
    return get


APP = str(ROOT / "streamlit_app.py")


@pytest.fixture
def app(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    import streamlit_webrtc
    from streamlit.testing.v1 import AppTest

    class _Ctx:
        class state:  # noqa: N801
            playing = False

    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **kw: _Ctx())
    return AppTest.from_file(APP, default_timeout=60)

