// MediaRecorder → wasm Segmenter: turns a MediaStream into init segments and
// keyframe-aligned chunks stamped with their capture time (the shim's clock).
//   events: 'init'  (detail: {epoch, mimeType, captureMs, bytes})
//           'chunk' (detail: {epoch, seq, captureMs, durationMs, keyframe, bytes})
//           'warning', 'error' (detail: {type, detail, fatal}); only an error stops it
import { Segmenter } from '../core/index.js';
import { nowMs } from './clock.js';

// VP8 first: it costs the broadcaster the least CPU, and every MSE browser plays it.
const VIDEO_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus'];
const AUDIO_TYPES = ['audio/webm;codecs=opus'];

export const RECORDER_DEFAULTS = Object.freeze({
  timesliceMs: 200,
  keyframeIntervalMs: 1000,  // one chunk per keyframe: ~1 s chunks
  videoBitsPerSecond: undefined,
});

export function recorderMimeType(stream) {
  const candidates = stream.getVideoTracks().length ? VIDEO_TYPES : AUDIO_TYPES;
  return candidates.find((type) => MediaRecorder.isTypeSupported(type)) ?? null;
}

export class ChunkRecorder extends EventTarget {
  #recorder;
  #segmenter;
  #captureBase = 0;
  #pending = Promise.resolve();
  #failed = false;

  constructor(core, stream, options = {}) {
    super();
    const o = { ...RECORDER_DEFAULTS, ...options };
    const mimeType = recorderMimeType(stream);
    if (!mimeType) throw new Error('this browser cannot record WebM');
    this.timesliceMs = o.timesliceMs;
    this.#segmenter = new Segmenter(core, { targetDurationMs: o.keyframeIntervalMs });
    this.#recorder = new MediaRecorder(stream, {
      mimeType,
      videoKeyFrameIntervalDuration: o.keyframeIntervalMs,
      videoBitsPerSecond: o.videoBitsPerSecond,
    });
    // Blobs resolve their bytes asynchronously; the chain keeps them in recording order.
    this.#recorder.addEventListener('dataavailable', ({ data }) => {
      this.#pending = this.#pending.then(async () => {
        if (data.size) this.#push(new Uint8Array(await data.arrayBuffer()));
      });
    });
  }

  start() {
    this.#captureBase = nowMs();
    this.#recorder.start(this.timesliceMs);
  }

  // Resolves once the last bytes have been segmented (the final chunk included).
  async stop() {
    if (this.#recorder.state !== 'inactive') {
      const stopped = new Promise((resolve) => this.#recorder.addEventListener('stop', resolve, { once: true }));
      this.#recorder.stop();
      await stopped;
    }
    await this.#pending;
    if (!this.#failed) this.#deliver(this.#segmenter.finish());
    this.#segmenter.close();
  }

  #push(bytes) {
    if (this.#failed) return;
    this.#deliver(this.#segmenter.push(bytes));
  }

  #deliver(events) {
    for (const event of events) {
      if (event.type === 'init') {
        this.#emit('init', { epoch: event.epoch, mimeType: event.mimeType, captureMs: this.#captureBase, bytes: event.bytes });
      } else if (event.type === 'chunk') {
        this.#emit('chunk', { epoch: event.epoch, seq: event.seq, captureMs: this.#captureBase + event.startMs,
          durationMs: event.durationMs, keyframe: event.keyframe, bytes: event.bytes });
      } else {
        // Non-fatal: something the segmenter skipped (e.g. an element libwebm does not know).
        this.#emit(event.fatal ? 'error' : 'warning',
          { type: 'segmenter', detail: `${event.code} at byte ${event.position}: ${event.detail}`, fatal: event.fatal });
        if (event.fatal) {
          this.#failed = true;
          this.#recorder.stop();
        }
      }
    }
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
