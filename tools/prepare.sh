#!/usr/bin/env bash
# Everything the test, bench and sim commands need first: installs what is missing,
# makes the ffmpeg test media, builds.   tools/prepare.sh [native|wasm|all]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One at a time per checkout: three `npm start` of a cluster begun together raced one
# another's build (and would race apt on a fresh machine); the others wait, then find
# everything done.
mkdir -p "$root/build"
exec 9>"$root/build/.prepare.lock"
flock 9
bash "$root/tools/bootstrap.sh"
bash "$root/tests/media/make-media.sh"
bash "$root/tools/build.sh" "${1:-all}"
