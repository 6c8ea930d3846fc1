// Loads the wasm core under Node. Emscripten 3.1.6's web build cannot fetch() a file
// path under Node, so the .wasm bytes are read here and passed as wasmBinary.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../web/core/index.js';

const wasmPath = fileURLToPath(new URL('../../build/wasm/swarmcast.wasm', import.meta.url));

export async function loadCoreForNode() {
  if (!existsSync(wasmPath)) throw new Error(`${wasmPath} is missing: run tools/build.sh wasm (or npm test)`);
  return loadCore({ wasmBinary: readFileSync(wasmPath) });
}
