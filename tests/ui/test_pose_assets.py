"""The in-browser pose files: a clear sentence when they are missing or of another version."""

from __future__ import annotations

import json

from formcheck.ui.pose_component.assets import TASKS_VISION_VERSION, VENDOR_FILES, assets_problem, missing_assets


def _vendor(tmp_path, version: str = TASKS_VISION_VERSION, skip: str | None = None):
    d = tmp_path / "vendor"
    for f in VENDOR_FILES:
        if f != skip:
            (d / f).parent.mkdir(parents=True, exist_ok=True)
            (d / f).write_bytes(b"x")
    (d / "package.json").write_text(json.dumps({"version": version}))
    return d


def test_complete_assets_have_no_problem(tmp_path):
    assert assets_problem(_vendor(tmp_path)) is None


def test_a_missing_file_is_named_with_the_fix(tmp_path):
    d = _vendor(tmp_path, skip="wasm/vision_wasm_internal.wasm")
    assert missing_assets(d) == ["vendor/wasm/vision_wasm_internal.wasm"]
    msg = assets_problem(d)
    assert msg and "vision_wasm_internal.wasm" in msg and "./install.sh" in msg and "npm" in msg


def test_another_version_is_refused(tmp_path):
    msg = assets_problem(_vendor(tmp_path, version="0.10.0"))
    assert msg and "0.10.0" in msg and TASKS_VISION_VERSION in msg


def test_nothing_installed(tmp_path):
    msg = assets_problem(tmp_path / "absent")
    assert msg and f"{len(VENDOR_FILES)} missing" in msg


def test_the_component_scripts_are_small_modules_whose_imports_are_served():
    """Each of the component's own scripts is at most 300 lines (the project's module limit),
    and every module one imports is a file of the frontend folder (served by the app itself:
    the page's CSP allows only this origin), as is the script index.html loads."""
    import re

    from formcheck.ui.pose_component.assets import FRONTEND_DIR

    scripts = sorted(FRONTEND_DIR.glob("*.js"))
    assert {"pose.js", "transport.js", "landmarker.js", "stats.js", "overlay.js"} <= {p.name for p in scripts}
    for p in scripts:
        text = p.read_text()
        assert len(text.splitlines()) <= 300, p.name
        for name in re.findall(r'^import .* from "\./([^"]+)";$', text, re.M):
            assert (FRONTEND_DIR / name).is_file(), (p.name, name)
        assert not re.search(r'from "(https?:)?//', text), p.name   # nothing from another host
    entry = re.findall(r'<script type="module" src="\./([^"]+)">', (FRONTEND_DIR / "index.html").read_text())
    assert entry == ["pose.js"]
