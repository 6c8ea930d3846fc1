// The wasm core for the browser: loads build/wasm/swarmcast.{mjs,wasm} and re-exports
// the JS faces of the segmenter, the WebCodecs muxer, the trust module and the swarm
// engine.
import createSwarmcastCore from '../../build/wasm/swarmcast.mjs';

export * from './segmenter.js';
export * from './frame-muxer.js';
export * from './trust.js';
export * from './engine.js';
export * from './topology.js';

/**
 * The loaded wasm module: pass it to the classes and functions of this module.
 * @typedef {import('../../build/wasm/swarmcast.mjs').SwarmcastModule} SwarmcastCore
 */
/** @typedef {import('../../build/wasm/swarmcast.mjs').CoreOptions} CoreOptions */

// Named by a literal URL relative to this module, the pattern bundlers follow (Vite and
// webpack 5 as they are, Rollup and esbuild with a plugin): they copy the .wasm into
// their output, hash its name and rewrite this line; the glue is told where it went.
const WASM_URL = new URL('../../build/wasm/swarmcast.wasm', import.meta.url).href;

/**
 * Loads build/wasm/swarmcast.{mjs,wasm}. In a browser the .wasm is fetched from where
 * this module's URL says it is (a bundler's output included); under Node pass
 * `{ wasmBinary }`, or import swarmcast/core, whose Node entry does. Rejects when the
 * module cannot be compiled.
 * @param {CoreOptions} [options] Emscripten module options.
 * @returns {Promise<SwarmcastCore>}
 */
export function loadCore(options = {}) {
  return createSwarmcastCore({
    locateFile: (path, prefix) => (path.endsWith('.wasm') ? WASM_URL : prefix + path),
    ...options,
  });
}
