#!/usr/bin/env bash
# One command that installs everything formcheck needs on a Debian/Ubuntu machine:
#   ./install.sh           the app, the CLI and the test tools, into ./.venv
#   ./install.sh --browser also Chromium (Debian package) for the real-browser test
#   ./install.sh --dev     everything the whole test suite uses: Chromium and PostgreSQL
# System libraries are installed only when missing (MediaPipe links libGL/EGL/GLES).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

need_pkgs=()
for lib in libGL.so.1:libgl1 libEGL.so.1:libegl1 libGLESv2.so.2:libgles2 libglib-2.0.so.0:libglib2.0-0; do
  so=${lib%%:*}; pkg=${lib##*:}
  ldconfig -p 2>/dev/null | grep -q "$so" || need_pkgs+=("$pkg")
done
want_browser=0; want_pg=0
[[ " $* " == *" --browser "* || " $* " == *" --dev "* ]] && want_browser=1
[[ " $* " == *" --dev "* ]] && want_pg=1
if ((want_browser)) && ! command -v chromium >/dev/null; then
  need_pkgs+=(chromium)
fi
# The storage tests also run against a real PostgreSQL server they start on loopback.
if ((want_pg)) && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need_pkgs+=(postgresql)
fi
if ((${#need_pkgs[@]})); then
  echo "installing system packages: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}"
fi

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "formcheck needs Python >= 3.11 (found $("$PY" --version))"; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
# The in-browser pose model (live coaching without sending video): MediaPipe Tasks for Web,
# pinned and checksummed, served by the app itself from the component's folder (gitignored).
./scripts/fetch_web_assets.sh || echo "warning: in-browser pose assets not installed; live coaching uses the server-side video path"
.venv/bin/python -c "import cv2, mediapipe, av, streamlit; print('formcheck installed: mediapipe', mediapipe.__version__, '| opencv', cv2.__version__, '| av', av.__version__)"
