// The wasm core under Node, for the tests and the CLIs: swarmcast/core's Node entry
// (tools/lib/node-core.mjs) reads the .wasm bytes from build/wasm.
export { loadCore as loadCoreForNode } from './node-core.mjs';
