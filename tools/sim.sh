#!/usr/bin/env bash
# npm run sim -- SCENARIO [--check]: runs tools/sim/scenarios/SCENARIO.json with the
# native simulator and prints its metrics as JSON (--check: fail on a missed target).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ $# -lt 1 ]; then
  echo "usage: npm run sim -- SCENARIO [--check]   (scenarios: $(ls tools/sim/scenarios | sed 's/\.json$//' | tr '\n' ' '))" >&2
  exit 2
fi
scenario="$1"; shift
[ -f "$scenario" ] || scenario="tools/sim/scenarios/$scenario.json"
bash tools/prepare.sh native >/dev/null
exec build/native/tools/sim/swarm_sim "$scenario" "$@"
