"""The package's layers, checked on its imports (README, "Module map"): a module imports only
from its own layer or the layers below it; only the estimator imports mediapipe and only the UI
imports streamlit; and every module stays small."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "formcheck"
# Bottom up, as in the README's module map; the apps share the top layer.
LAYERS = ["core", "rules", "engine", "media", "storage", "run", "pdf", "evaluation", "apps"]
APPS = {"cli", "ui", "monitor", "__main__"}
# The patient's data export zip includes the clinician PDF (README: the one exception).
EXCEPTIONS = {("formcheck.storage.patient_data", "formcheck.pdf.clinician")}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None   # the package itself (its version)
    top = parts[1]
    return LAYERS.index("apps") if top in APPS else LAYERS.index(top)


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES}
    assert tops - {"__init__"} <= set(LAYERS) | APPS


def test_a_module_imports_only_its_own_layer_or_below():
    modules = {_module_name(p) for p in MODULES}
    wrong = []
    for path in MODULES:
        me = _module_name(path)
        mine = _layer(me)
        if mine is None:
            continue
        wrong += [f"{me} ({LAYERS[mine]}) imports {m}" for m in sorted(_imports(path))
                  if m in modules and (_layer(m) or 0) > mine and (me, m) not in EXCEPTIONS]
    assert not wrong


def test_only_the_estimator_imports_mediapipe_and_only_the_ui_streamlit():
    wrong = []
    for path in MODULES:
        me = _module_name(path)
        roots = {m.split(".")[0] for m in _imports(path)}
        if "mediapipe" in roots and me != "formcheck.media.estimator":
            wrong.append(f"{me} imports mediapipe")
        if roots & {"streamlit", "streamlit_webrtc"} and not me.startswith("formcheck.ui"):
            wrong.append(f"{me} imports streamlit")
    assert not wrong


def test_every_module_is_at_most_300_lines():
    long = {_module_name(p): n for p in MODULES if (n := len(p.read_text().splitlines())) > 300}
    assert not long


def test_a_test_file_imports_test_modules_of_its_own_folder_only():
    """Shared test helpers live at tests/ (synth.py, pages.py, browser.py...): a test file that
    imports a test module of another folder runs in the whole suite (pytest put that folder on
    sys.path first) but not alone, e.g. `pytest tests/run`."""
    tests = Path(__file__).resolve().parent
    wrong = []
    for path in sorted(tests.rglob("test_*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top.startswith("test_") and not (path.parent / f"{top}.py").is_file():
                wrong.append(f"{path.relative_to(tests)} imports {top}")
    assert not wrong, wrong
