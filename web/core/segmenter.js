// The WebM segmenter (C++ on libwebm, in wasm): push MediaRecorder bytes in any
// slicing, get init segments, chunks and typed errors back as plain objects.
//   { type: 'init', epoch, mimeType, video, audio, bytes }
//   { type: 'chunk', seq, epoch, startMs, durationMs, keyframe, bytes }
//   { type: 'error', code, position, detail, fatal }
import { HeapBuffer } from './heap.js';

export const SEGMENTER_DEFAULTS = Object.freeze({
  targetDurationMs: 1000,
  maxChunkBytes: 4 * 1024 * 1024,
  maxElementBytes: 8 * 1024 * 1024,
});

export class Segmenter {
  constructor(core, options = {}) {
    const o = { ...SEGMENTER_DEFAULTS, ...options };
    this.native = new core.Segmenter(o.targetDurationMs, o.maxChunkBytes, o.maxElementBytes);
    this.heap = new HeapBuffer(core);
  }

  push(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('Segmenter.push expects a Uint8Array');
    this.native.push(this.heap.write(bytes), bytes.length);
    return this.#drain();
  }

  finish() {
    this.native.finish();
    return this.#drain();
  }

  retainedBytes() {
    return this.native.retainedBytes();
  }

  close() {
    this.heap.free();
    this.native.delete();
  }

  #drain() {
    const events = [];
    while (this.native.hasEvent()) events.push(this.native.nextEvent());
    return events;
  }
}
