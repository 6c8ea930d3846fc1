// swarmcast/core under Node: the same API as web/core/index.js, but loadCore() reads
// the .wasm from disk and hands Emscripten its bytes, since the core's web build can
// only fetch() it and Node's fetch() takes no file paths.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadCore as loadCoreFromOptions } from '../../web/core/index.js';

export * from '../../web/core/index.js';

const WASM_FILE = fileURLToPath(new URL('../../build/wasm/swarmcast.wasm', import.meta.url));

/**
 * Loads the wasm core from the package's build/wasm/swarmcast.wasm (or from
 * `options.wasmBinary` when given). Rejects when the file is missing or does not compile.
 * @param {import('../../web/core/index.js').CoreOptions} [options] Emscripten module options.
 * @returns {Promise<import('../../web/core/index.js').SwarmcastCore>}
 */
export async function loadCore(options = {}) {
  if (options.wasmBinary) return loadCoreFromOptions(options);
  let wasmBinary;
  try {
    wasmBinary = await readFile(WASM_FILE);
  } catch (error) {
    throw new Error(`cannot read ${WASM_FILE}: build it with tools/build.sh wasm (or npm test)`, { cause: error });
  }
  return loadCoreFromOptions({ ...options, wasmBinary });
}
