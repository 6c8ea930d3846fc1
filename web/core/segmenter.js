// The WebM segmenter (C++ on libwebm, in wasm): push MediaRecorder bytes in any
// slicing, get init segments, chunks (each one WebM Cluster of known size) and typed
// errors back as plain objects.
//   { type: 'init', epoch, mimeType, video, audio, bytes }
//   { type: 'chunk', seq, epoch, startMs, durationMs, keyframe, bytes }
//   { type: 'error', code, position, detail, fatal }
import { HeapBuffer, withHeapBytes } from './heap.js';
/** @import { SwarmcastCore } from './index.js' */

/** @typedef {import('../../build/wasm/swarmcast.mjs').TrackInfo} TrackInfo */
/** @typedef {import('../../build/wasm/swarmcast.mjs').InitEvent} InitEvent */
/** @typedef {import('../../build/wasm/swarmcast.mjs').ChunkEvent} ChunkEvent */
/** @typedef {import('../../build/wasm/swarmcast.mjs').SegmenterErrorEvent} SegmenterErrorEvent */
/** @typedef {import('../../build/wasm/swarmcast.mjs').SegmenterEvent} SegmenterEvent */

/**
 * @typedef {object} SegmenterOptions
 * @property {number} [targetDurationMs] A chunk closes at the first keyframe after ~this long (default 1000).
 * @property {number} [maxDurationMs] With no keyframe, a chunk closes at the first video frame this long
 *   after its start, and the next is not a keyframe chunk (default: 1.25 x targetDurationMs).
 * @property {number} [maxChunkBytes] A chunk this large closes at the next block even without a keyframe (4 MiB).
 * @property {number} [maxElementBytes] Larger WebM elements are a fatal error (8 MiB).
 */

/** @type {Readonly<Required<Omit<SegmenterOptions, 'maxDurationMs'>>>} */
export const SEGMENTER_DEFAULTS = Object.freeze({
  targetDurationMs: 1000,
  maxChunkBytes: 4 * 1024 * 1024,
  maxElementBytes: 8 * 1024 * 1024,
});

/**
 * A push parser: feed MediaRecorder bytes in any slicing, get init segments (one per
 * epoch: a codec or resolution change starts a new one) and chunks, each one Cluster
 * that opens at a keyframe, or at a video frame when keyframes are sparse.
 * Errors are events, never exceptions (except a non-Uint8Array argument: TypeError).
 */
export class Segmenter {
  /**
   * @param {SwarmcastCore} core
   * @param {SegmenterOptions} [options]
   */
  constructor(core, options = {}) {
    const o = { ...SEGMENTER_DEFAULTS, ...options };
    // A quarter above the target: a keyframe a few frames late still opens its chunk.
    const maxDurationMs = o.maxDurationMs ?? Math.round(o.targetDurationMs * 1.25);
    /** @private */
    this.native = new core.Segmenter(o.targetDurationMs, maxDurationMs, o.maxChunkBytes, o.maxElementBytes);
    /** @private */
    this.heap = new HeapBuffer(core);
  }

  /**
   * @param {Uint8Array} bytes
   * @returns {SegmenterEvent[]}
   */
  push(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('Segmenter.push expects a Uint8Array');
    this.native.push(this.heap.write(bytes), bytes.length);
    return this.#drain();
  }

  /**
   * The end of the recording: emits the last chunk.
   * @returns {SegmenterEvent[]}
   */
  finish() {
    this.native.finish();
    return this.#drain();
  }

  /** @returns {number} */
  retainedBytes() {
    return this.native.retainedBytes();
  }

  /** Frees the wasm memory; the object is unusable afterwards. */
  close() {
    this.heap.free();
    this.native.delete();
  }

  /** @returns {SegmenterEvent[]} */
  #drain() {
    const events = [];
    while (this.native.hasEvent()) {
      const event = this.native.nextEvent();
      if (event) events.push(event);
    }
    return events;
  }
}

/** Bytes that are not an init segment followed by whole clusters of its epoch, in order. */
export class ClipError extends Error {
  /**
   * @param {string} detail
   * @param {number} position
   */
  constructor(detail, position) {
    super(`cannot make a clip: ${detail} (at byte ${position})`);
    this.name = 'ClipError';
    this.detail = detail;
    this.position = position;
  }
}

/**
 * A clip as a WebM file of its own (C++ media::make_clip): `init` then whole `chunks`
 * of its epoch from the first that opens with a video keyframe, with every Cluster
 * Timecode moved back so the file's timeline starts at 0. Throws a ClipError otherwise.
 * @param {SwarmcastCore} core
 * @param {Uint8Array} init
 * @param {Uint8Array[]} chunks
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function makeClip(core, init, chunks) {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, init.length);
  const file = new Uint8Array(total);
  file.set(init);
  let at = init.length;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return withHeapBytes(core, file, (pointer) => {
    const out = core.makeClip(pointer, init.length, total - init.length);
    if (out.error !== undefined) throw new ClipError(out.error, out.position);
    return out.bytes;
  });
}
