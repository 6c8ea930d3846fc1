#!/usr/bin/env bash
# Everything the test, bench and sim commands need first: installs what is missing,
# makes the ffmpeg test media, builds.   tools/prepare.sh [native|wasm|all]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/tools/bootstrap.sh"
bash "$root/tests/media/make-media.sh"
bash "$root/tools/build.sh" "${1:-all}"
