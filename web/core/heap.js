// Moves bytes into the wasm heap in one copy and hands the engine (pointer, length).
// One growable allocation is reused per owner, so a stream of pushes does not churn
// malloc.
/** @typedef {import('../../build/wasm/swarmcast.mjs').SwarmcastModule} SwarmcastModule */

export class HeapBuffer {
  /** @param {SwarmcastModule} core */
  constructor(core) {
    this.core = core;
    this.pointer = 0;
    this.capacity = 0;
  }

  /**
   * Copies `bytes` into the heap; the pointer stays valid until the next write or free.
   * @param {Uint8Array} bytes
   * @returns {number} the pointer
   */
  write(bytes) {
    if (bytes.length > this.capacity) {
      this.free();
      this.capacity = Math.max(bytes.length, 64 * 1024);
      this.pointer = this.core._malloc(this.capacity);
      if (!this.pointer) throw new RangeError(`wasm heap cannot hold ${bytes.length} bytes`);
    }
    // HEAPU8 is re-created when memory grows, so it is read afresh every time.
    this.core.HEAPU8.set(bytes, this.pointer);
    return this.pointer;
  }

  free() {
    if (this.pointer) this.core._free(this.pointer);
    this.pointer = 0;
    this.capacity = 0;
  }
}

/**
 * Runs fn(pointer, length) with `bytes` in the heap for the duration of the call.
 * @template T
 * @param {SwarmcastModule} core
 * @param {Uint8Array} bytes
 * @param {(pointer: number, length: number) => T} fn
 * @returns {T}
 */
export function withHeapBytes(core, bytes, fn) {
  const pointer = core._malloc(Math.max(bytes.length, 1));
  try {
    core.HEAPU8.set(bytes, pointer);
    return fn(pointer, bytes.length);
  } finally {
    core._free(pointer);
  }
}
