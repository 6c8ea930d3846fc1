#!/usr/bin/env bash
# npm start: sets up whatever is missing (packages, the wasm build), then runs the
# signaling server, which also serves the pages, on http://localhost:8080 (PORT overrides).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/prepare.sh wasm
exec node tools/server/main.js "$@"
