#!/usr/bin/env bash
# npm run bench: builds what is missing, then runs tools/bench/run.mjs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/prepare.sh all
node tools/bench/run.mjs
