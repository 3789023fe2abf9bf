#!/usr/bin/env bash
# Fetch MediaPipe Tasks for Web (the in-browser pose landmarker) from the npm registry, pinned
# and checksummed, into formcheck/ui/pose_component/frontend/vendor/ (gitignored; the app serves
# it itself, nothing is loaded from a CDN). Only the files the page loads are kept: the ES module
# and the SIMD and no-SIMD WebAssembly builds (~26 MB; too big to keep in git).
# Idempotent: does nothing when the pinned version is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG="@mediapipe/tasks-vision"
VERSION="1.1.0"
SHA256="46fc3d3d13fa5de631915929d045be2f74bb32e909d7a5b3a322b28976f54165"   # the npm tarball
DEST="formcheck/ui/pose_component/frontend/vendor"
FILES=(vision_bundle.mjs vision_bundle.js wasm/vision_wasm_internal.js wasm/vision_wasm_internal.wasm
       wasm/vision_wasm_nosimd_internal.js wasm/vision_wasm_nosimd_internal.wasm)

if [ -f "$DEST/VERSION" ] && [ "$(cat "$DEST/VERSION")" = "$VERSION" ]; then   # and every file below
  ok=1; for f in "${FILES[@]}"; do [ -s "$DEST/$f" ] || ok=0; done
  if ((ok)); then echo "$PKG $VERSION already in $DEST"; exit 0; fi
fi
command -v npm >/dev/null || { echo "npm not found: install Node.js/npm (apt-get install npm) to get $PKG"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got=$(sha256sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
  echo "checksum mismatch for $PKG@$VERSION: got $got, expected $SHA256"; exit 1
fi
mkdir -p "$tmp/x" && tar -xzf "$tgz" -C "$tmp/x"
new="$DEST.new"; rm -rf "$new"; mkdir -p "$new/wasm"
for f in "${FILES[@]}"; do cp "$tmp/x/package/$f" "$new/$f"; done
cp "$tmp/x/package/package.json" "$new/package.json"
echo "$VERSION" > "$new/VERSION"
chmod -R a+rX "$new"   # the tarball's files are 0640
rm -rf "$DEST" && mv "$new" "$DEST"   # swapped in whole: never a half-written folder
echo "$PKG $VERSION installed in $DEST (sha256 checked)"
