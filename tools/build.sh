#!/usr/bin/env bash
# Builds the core twice from one tree: build/native (g++) and build/wasm (em++).
#   tools/build.sh [native|wasm|all]   (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# One build of a tree at a time (two at once broke each other's archives); prepare.sh
# holds a lock of its own around this one.
mkdir -p build
exec 9>build/.build.lock
flock 9
what="${1:-all}"
jobs="$(nproc)"
export NODE_PATH=/usr/share/nodejs  # emcc's JS optimizer needs Debian's acorn

configure() {  # configure DIR EXTRA-ARGS...
  local dir="$1"; shift
  [ -f "$dir/CMakeCache.txt" ] || cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
}

build() {  # build DIR: quiet unless it fails
  local log="$1/build.log"
  if ! cmake --build "$1" -j "$jobs" >"$log" 2>&1; then
    grep -E 'error|Error' "$log" | head -40; tail -20 "$log"
    echo "build of $1 failed (full log: $log)" >&2
    exit 1
  fi
  echo "built $1"
}

if [ "$what" = native ] || [ "$what" = all ]; then
  configure build/native
  build build/native
fi
if [ "$what" = wasm ] || [ "$what" = all ]; then
  configure build/wasm -DCMAKE_TOOLCHAIN_FILE="$root/emscripten.cmake"
  build build/wasm
fi
