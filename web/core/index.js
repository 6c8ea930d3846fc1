// The wasm core for the browser: loads build/wasm/swarmcast.{mjs,wasm} and re-exports
// the JS faces of the segmenter, the trust module and the swarm engine.
import createSwarmcastCore from '../../build/wasm/swarmcast.mjs';

export { Segmenter, SEGMENTER_DEFAULTS, makeClip, ClipError } from './segmenter.js';
export * from './trust.js';
export { SwarmEngine, EngineError, scorePeer } from './engine.js';

// options: Emscripten module options, e.g. { wasmBinary } under Node.
export function loadCore(options = {}) {
  return createSwarmcastCore(options);
}
