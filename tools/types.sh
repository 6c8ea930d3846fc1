#!/usr/bin/env bash
# Emits the package's TypeScript declarations from its JSDoc-typed JavaScript, checked
# strictly on the way (tsconfig.json), into build/types with the repo's paths
# (build/types/web/index.d.ts declares web/index.js). Quiet on success; prints tsc's
# errors and fails otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Emitted afresh: a declaration of a deleted file must not linger.
rm -rf build/types
# The wasm module's declaration is written beside the bindings (Emscripten 3.1.6 cannot
# emit one) and tsc does not copy a .d.mts. Beside build/wasm/swarmcast.mjs it types
# web/core's import of the module (before any wasm build too); beside the emitted
# declarations it is what their imports of the module resolve to.
for dir in build/wasm build/types/build/wasm; do
  mkdir -p "$dir"
  cp bindings/swarmcast.d.mts "$dir/"
done

if ! output="$(node_modules/.bin/tsc -p tsconfig.json 2>&1)"; then
  printf '%s\n' "$output"
  echo "tools/types.sh: the declarations were not emitted (tsc errors above)" >&2
  exit 1
fi

# The elements' tag names (HTMLElementTagNameMap) are a hand-written declaration, as
# JSDoc cannot add to a global interface: tsc neither copies it nor keeps web/index.js's
# reference to it pointing beside the emitted files (it points back into web/).
cp web/elements/tag-names.d.ts build/types/web/elements/
sed -i 's#<reference path="[^"]*tag-names\.d\.ts"#<reference path="./elements/tag-names.d.ts"#' build/types/web/index.d.ts
