"""The pose model's files at versioned URLs: served from the listed files only, cacheable for a
year, gzipped when the browser asks (the same bytes), and a new URL when a file changes."""

from __future__ import annotations

import gzip

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from formcheck.ui.pose_component import static
from formcheck.ui.pose_component.assets import MODEL_FILES, VENDOR_FILES


@pytest.fixture()
def files(tmp_path, monkeypatch):
    vendor, models = tmp_path / "vendor", tmp_path / "models"
    for f in VENDOR_FILES:
        (vendor / f).parent.mkdir(parents=True, exist_ok=True)
        (vendor / f).write_bytes(f"contents of {f} ".encode() * 200)
    models.mkdir()
    for name in MODEL_FILES.values():
        (models / name).write_bytes(b"\x00model " * 500)
    monkeypatch.setattr(static, "VENDOR_DIR", vendor)
    monkeypatch.setattr(static.config, "BUNDLED_MODELS_DIR", models)
    static.served.cache_clear()
    static._gzipped.clear()
    yield vendor, models
    static.served.cache_clear()
    static._gzipped.clear()


def _client() -> TestClient:
    return TestClient(Starlette(routes=static.routes()))


def test_each_file_at_a_versioned_url_cacheable_for_a_year(files):
    vendor, models = files
    urls = static.urls("full")
    assert urls["model_url"].endswith("/pose_landmarker_full.task") and urls["wasm_url"].endswith("/wasm")
    with _client() as c:
        wasm = c.get(urls["wasm_url"] + "/vision_wasm_internal.wasm", headers={"Accept-Encoding": "gzip"})
        assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
        assert wasm.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert wasm.headers["content-encoding"] == "gzip"   # decoded by the client: the file's bytes
        assert wasm.content == (vendor / "wasm/vision_wasm_internal.wasm").read_bytes()
        plain = c.get(urls["model_url"], headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.content == (models / "pose_landmarker_full.task").read_bytes()
        assert c.get(urls["bundle_url"]).headers["content-type"].startswith("text/javascript")


def test_only_the_listed_files_are_served(files):
    urls = static.urls("lite")
    base = urls["wasm_url"].rsplit("/", 1)[0]
    with _client() as c:
        assert c.get(base + "/package.json").status_code == 404   # in the folder, not listed
        assert c.get(static.PREFIX + "/vendor-0000000000000000/vision_bundle.js").status_code == 404   # stale version
        assert c.get(base + "/wasm/../../../etc/passwd").status_code == 404


def test_a_changed_file_gets_a_new_url_and_a_missing_one_no_urls(files):
    vendor, models = files
    before = static.urls("full")
    (models / "pose_landmarker_full.task").write_bytes(b"another model")
    static.served.cache_clear()
    after = static.urls("full")
    assert after["model_url"] != before["model_url"] and after["wasm_url"] == before["wasm_url"]
    (vendor / "wasm/vision_wasm_internal.wasm").unlink()
    static.served.cache_clear()
    assert static.urls("full") == {}   # the component then loads them from its own folder


def test_gzip_is_made_once(files):
    urls = static.urls("full")
    with _client() as c:
        c.get(urls["model_url"], headers={"Accept-Encoding": "gzip"})
        key = urls["model_url"].removeprefix(static.PREFIX + "/")
        made = static._gzipped[key]
        c.get(urls["model_url"], headers={"Accept-Encoding": "gzip"})
        assert static._gzipped[key] is made and gzip.decompress(made) == b"\x00model " * 500
