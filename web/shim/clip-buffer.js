// The last seconds of a stream, kept so they can be saved as a file (a clip): the
// init segment of each epoch still in the window and the chunks captured within
// `seconds` of the newest one. A clip is the newest epoch's init segment followed by
// its chunks, the bytes of the live stream with the timeline moved to start at 0
// (makeClip, in the wasm core). A source switch starts a new epoch, possibly with
// other codecs, and a viewer's rendition switch goes on with another init segment
// (other frame size, other tracks' header), neither of which one file can hold: a clip
// is taken from the newest run of chunks of one epoch and one rendition, with that
// rendition's own init segment.
import { makeClip } from '../core/index.js';

/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */

/**
 * @typedef {object} ClipOptions
 * @property {number} [seconds] How far back a clip reaches, by capture time. Default 30.
 * @property {number} [maxBytes] A bound on the bytes kept, whatever the stream's rate. Default 64 MiB.
 */

/**
 * A played or published item: an init segment (`init: true`), or a chunk with the
 * signed capture time of its first frame; `rendition` is the rendition id (0 when
 * left out, a stream of one rendition).
 * @typedef {{ init: true, epoch: number, rendition?: number, bytes: Uint8Array }
 *   | { init?: boolean, epoch: number, rendition?: number, captureMs: number, bytes: Uint8Array }} ClipItem
 */

/** @typedef {{ epoch: number, rendition: number, captureMs: number, bytes: Uint8Array }} KeptChunk */

/** @type {Readonly<Required<ClipOptions>>} */
export const CLIP_DEFAULTS = Object.freeze({
  seconds: 30,
  maxBytes: 64 * 1024 * 1024,  // a bound whatever the stream's rate
});

/**
 * The last seconds of a stream as a file: the init segment of the newest chunk's epoch
 * and rendition, and the chunks of that run captured within `seconds` of the newest. A
 * source switch (a new epoch) or a rendition switch starts the clip afresh.
 */
export class ClipBuffer {
  #core;
  #options;
  /** @type {Map<string, { epoch: number, bytes: Uint8Array }>} initKey(epoch, rendition) -> init segment */
  #inits = new Map();
  /** @type {KeptChunk[]} in stream order */
  #chunks = [];
  #bytes = 0;

  /**
   * Throws RangeError unless seconds and maxBytes are above 0.
   * @param {SwarmcastCore} core
   * @param {ClipOptions} [options]
   */
  constructor(core, options = {}) {
    this.#core = core;
    this.#options = { ...CLIP_DEFAULTS, ...options };
    const { seconds, maxBytes } = this.#options;
    if (!(seconds > 0) || !(maxBytes > 0)) throw new RangeError('a clip needs seconds > 0 and maxBytes > 0');
  }

  /**
   * Keeps a played or published item: `{ init: true, epoch, rendition, bytes }`, or
   * `{ epoch, rendition, captureMs, bytes }` for a chunk.
   * @param {ClipItem} item
   */
  add(item) {
    const rendition = item.rendition ?? 0;
    if (item.init) {
      this.#inits.set(initKey(item.epoch, rendition), { epoch: item.epoch, bytes: item.bytes });
      return;
    }
    const { epoch, captureMs, bytes } = item;
    this.#chunks.push({ epoch, rendition, captureMs, bytes });
    this.#bytes += bytes.length;
    const oldestMs = captureMs - this.#options.seconds * 1000;
    while (this.#chunks.length > 1 && (this.#chunks[0].captureMs < oldestMs || this.#bytes > this.#options.maxBytes)) {
      this.#bytes -= this.#chunks[0].bytes.length;
      this.#chunks.shift();
    }
    // Epochs only grow: an init segment older than every kept chunk is of no more use
    // (a newer one may have come before its first chunk).
    const oldestEpoch = this.#chunks[0].epoch;
    for (const [key, held] of this.#inits) if (held.epoch < oldestEpoch) this.#inits.delete(key);
  }

  /**
   * Seconds between the first and the last chunk a clip would hold now (the last
   * chunk's own length is not known here).
   * @returns {number}
   */
  get seconds() {
    const chunks = this.#newestRun();
    return chunks.length ? (chunks[chunks.length - 1].captureMs - chunks[0].captureMs) / 1000 : 0;
  }

  /**
   * What a clip is made of: the init segment of the newest run of one epoch and one
   * rendition, and that run's chunks in the window; null before its first chunk (or
   * when its init segment never arrived).
   * @returns {{ init: Uint8Array, chunks: Uint8Array[] } | null}
   */
  parts() {
    const chunks = this.#newestRun();
    const init = chunks.length ? this.#inits.get(initKey(chunks[0].epoch, chunks[0].rendition))?.bytes : undefined;
    return init ? { init, chunks: chunks.map((chunk) => chunk.bytes) } : null;
  }

  /**
   * The clip as a WebM file starting at 0 (makeClip), or null (see parts()). Throws a
   * ClipError if the kept bytes are not whole clusters in order (they were verified,
   * so that is a bug).
   * @returns {Blob | null}
   */
  clip() {
    const parts = this.parts();
    if (!parts) return null;
    // The core hands its bytes over in a fresh ArrayBuffer of their own, never shared memory.
    const file = /** @type {Uint8Array<ArrayBuffer>} */ (makeClip(this.#core, parts.init, parts.chunks));
    return new Blob([file], { type: 'video/webm' });
  }

  // The kept chunks since the last change of epoch or rendition.
  /** @returns {KeptChunk[]} */
  #newestRun() {
    const newest = this.#chunks.at(-1);
    let first = this.#chunks.length;
    while (first > 0 && this.#chunks[first - 1].epoch === newest?.epoch
      && this.#chunks[first - 1].rendition === newest.rendition) first--;
    return this.#chunks.slice(first);
  }
}

/**
 * @param {number} epoch
 * @param {number} rendition
 * @returns {string}
 */
function initKey(epoch, rendition) {
  return `${epoch}/${rendition}`;
}
