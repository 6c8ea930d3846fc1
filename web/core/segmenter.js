// The WebM segmenter (C++ on libwebm, in wasm): push MediaRecorder bytes in any
// slicing, get init segments, chunks and typed errors back as plain objects.
//   { type: 'init', epoch, mimeType, video, audio, bytes }
//   { type: 'chunk', seq, epoch, startMs, durationMs, keyframe, bytes }
//   { type: 'error', code, position, detail, fatal }
import { HeapBuffer, withHeapBytes } from './heap.js';

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

// Bytes that are not an init segment followed by whole clusters of its epoch in order.
export class ClipError extends Error {
  constructor(detail, position) {
    super(`cannot make a clip: ${detail} (at byte ${position})`);
    this.name = 'ClipError';
    this.detail = detail;
    this.position = position;
  }
}

// A clip as a WebM file of its own (C++ media::make_clip): `init` then the `chunks` of
// its epoch, with the timeline moved to start at 0. Throws a ClipError otherwise.
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
