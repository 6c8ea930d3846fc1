#!/usr/bin/env bash
# npm test: sets up whatever is missing, builds both ways, and runs every suite:
# GoogleTest natively (ctest) and as wasm under Node, then the node:test suites.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash tools/prepare.sh all

echo "== GoogleTest, native (ctest)"
if ! ctest --test-dir build/native -j "$(nproc)" --output-on-failure >build/native/ctest.log 2>&1; then
  cat build/native/ctest.log
  exit 1
fi
grep -E 'tests passed|tests failed' build/native/ctest.log

echo "== GoogleTest, WebAssembly under Node"
node build/wasm/tests/core_tests.cjs --gtest_brief=1

echo "== node:test"
node --test --test-reporter=spec tests/node/

echo "== browser end to end: Chromium and Firefox pages over real WebRTC"
node --test --test-reporter=spec tests/browser/

echo "== fuzz burst: wire decoder, 20 s from the fixed seeds (ASan + UBSan)"
bash tools/fuzz.sh --burst
