// The last seconds of a stream, kept so they can be saved as a file (a clip): the
// init segment of each epoch still in the window and the chunks captured within
// `seconds` of the newest one. A clip is the newest epoch's init segment followed by
// its chunks, the bytes of the live stream with the timeline moved to start at 0
// (makeClip, in the wasm core). A source switch starts a new epoch, possibly with
// other codecs, which one file cannot hold: a clip is taken from the newest epoch only.
import { makeClip } from '../core/index.js';

export const CLIP_DEFAULTS = Object.freeze({
  seconds: 30,
  maxBytes: 64 * 1024 * 1024,  // a bound whatever the stream's rate
});

export class ClipBuffer {
  #core;
  #options;
  #inits = new Map();  // epoch -> bytes
  #chunks = [];        // { epoch, captureMs, bytes }, in stream order
  #bytes = 0;

  constructor(core, options = {}) {
    this.#core = core;
    this.#options = { ...CLIP_DEFAULTS, ...options };
    const { seconds, maxBytes } = this.#options;
    if (!(seconds > 0) || !(maxBytes > 0)) throw new RangeError('a clip needs seconds > 0 and maxBytes > 0');
  }

  // A played or published item: { init: true, epoch, bytes } or
  // { epoch, captureMs, bytes } for a chunk (captureMs: its signed capture time).
  add({ init = false, epoch, captureMs, bytes }) {
    if (init) {
      this.#inits.set(epoch, bytes);
      return;
    }
    this.#chunks.push({ epoch, captureMs, bytes });
    this.#bytes += bytes.length;
    const oldestMs = captureMs - this.#options.seconds * 1000;
    while (this.#chunks.length > 1 && (this.#chunks[0].captureMs < oldestMs || this.#bytes > this.#options.maxBytes)) {
      this.#bytes -= this.#chunks.shift().bytes.length;
    }
    // Epochs only grow: an init segment older than every kept chunk is of no more use
    // (a newer one may have come before its first chunk).
    const oldestEpoch = this.#chunks[0].epoch;
    for (const held of this.#inits.keys()) if (held < oldestEpoch) this.#inits.delete(held);
  }

  // Seconds of media a clip would hold now, from the capture times of its first and
  // last chunks (the last chunk's own length is not known here).
  get seconds() {
    const chunks = this.#newestEpoch();
    return chunks.length ? (chunks.at(-1).captureMs - chunks[0].captureMs) / 1000 : 0;
  }

  // What a clip is made of: the newest epoch's init segment and its chunks in the
  // window; null before its first chunk (or when its init segment never arrived).
  parts() {
    const chunks = this.#newestEpoch();
    const init = chunks.length ? this.#inits.get(chunks[0].epoch) : undefined;
    return init ? { init, chunks: chunks.map((chunk) => chunk.bytes) } : null;
  }

  // The clip as a WebM Blob, or null (see parts()). Throws a ClipError if the kept
  // bytes are not whole clusters in order (they were verified, so that is a bug).
  clip() {
    const parts = this.parts();
    return parts && new Blob([makeClip(this.#core, parts.init, parts.chunks)], { type: 'video/webm' });
  }

  #newestEpoch() {
    const newest = this.#chunks.at(-1)?.epoch;
    let first = this.#chunks.length;
    while (first > 0 && this.#chunks[first - 1].epoch === newest) first--;
    return this.#chunks.slice(first);
  }
}
