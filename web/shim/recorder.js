// MediaRecorder → wasm Segmenter: turns a MediaStream into init segments and
// keyframe-aligned chunks stamped with their capture time (the shim's clock).
//   events: 'init'  (detail: {epoch, mimeType, captureMs, bytes})
//           'chunk' (detail: {epoch, seq, captureMs, durationMs, keyframe, bytes})
//           'warning', 'error' (detail: {type, detail, fatal}); only an error stops it
import { Segmenter } from '../core/index.js';
import { nowMs } from './clock.js';
import { TypedEventTarget } from './typed-event-target.js';

/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('../core/index.js').SegmenterEvent} SegmenterEvent */
/** @typedef {import('./typed-event-target.js').SwarmcastErrorDetail} SwarmcastErrorDetail */

/**
 * @typedef {object} RecorderOptions
 * @property {number} [timesliceMs] How often the MediaRecorder hands over bytes: a chunk waits up to this long.
 * @property {number} [keyframeIntervalMs] One chunk per keyframe interval.
 * @property {number | null} [videoBitsPerSecond] null: videoBitsPerSecondFor() the track.
 * @property {number} [audioBitsPerSecond]
 */

/**
 * An init segment: one per recording (a source switch starts a new epoch).
 * @typedef {{ epoch: number, mimeType: string, captureMs: number, bytes: Uint8Array }} RecordedInit
 */
/**
 * A keyframe-aligned chunk, stamped with the capture time of its first frame.
 * @typedef {{ epoch: number, seq: number, captureMs: number, durationMs: number, keyframe: boolean, bytes: Uint8Array }} RecordedChunk
 */

/**
 * @typedef {object} ChunkRecorderEvents
 * @property {RecordedInit} init
 * @property {RecordedChunk} chunk
 * @property {SwarmcastErrorDetail} warning Something the segmenter skipped; recording goes on.
 * @property {SwarmcastErrorDetail} error type 'segmenter', fatal: recording stopped.
 */

/**
 * What Chromium's MediaRecorder takes beyond the standard options (TypeScript's DOM
 * types lack it): the keyframe interval that cuts the stream into chunks.
 * @typedef {MediaRecorderOptions & { videoKeyFrameIntervalDuration?: number }} ChromiumRecorderOptions
 */

// VP8 first: it costs the broadcaster the least CPU, and every MSE browser plays it.
const VIDEO_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus'];
// A stream without sound names no audio codec: Firefox's recorder, told to expect
// opus, waited for audio that never came and handed over nothing (Firefox 153).
const SILENT_VIDEO_TYPES = ['video/webm;codecs=vp8', 'video/webm;codecs=vp9'];
const AUDIO_TYPES = ['audio/webm;codecs=opus'];

/** @type {Readonly<Required<RecorderOptions>>} */
export const RECORDER_DEFAULTS = Object.freeze({
  // A chunk is published when the segmenter sees the next keyframe; the recorder hands
  // over bytes only every timeslice, so a long one delays every chunk by up to that.
  timesliceMs: 50,
  keyframeIntervalMs: 750,   // one chunk per keyframe: ~0.75 s chunks
  // null: videoBitsPerSecondFor() the track's size. Every viewer relays what the
  // broadcaster encodes, so the rate is kept modest: Chromium's own default for
  // 640x360 is ~2.6 Mbit/s.
  videoBitsPerSecond: null,
  audioBitsPerSecond: 64_000,
});

/**
 * ~1.5 Mbit/s at 640x360, scaled with the pixel count, within 0.5-3 Mbit/s.
 * @param {MediaStreamTrack} [track]
 * @returns {number}
 */
export function videoBitsPerSecondFor(track) {
  const { width = 640, height = 360 } = track?.getSettings?.() ?? {};
  const bits = (1_500_000 * width * height) / (640 * 360);
  return Math.round(Math.min(3_000_000, Math.max(500_000, bits)));
}

/**
 * The first WebM type this browser records for `stream`, or null.
 * @param {MediaStream} stream
 * @returns {string | null}
 */
export function recorderMimeType(stream) {
  const video = stream.getVideoTracks().length > 0;
  const audio = stream.getAudioTracks().length > 0;
  const candidates = !video ? AUDIO_TYPES : audio ? VIDEO_TYPES : SILENT_VIDEO_TYPES;
  return candidates.find((type) => MediaRecorder.isTypeSupported(type)) ?? null;
}

/**
 * MediaRecorder → wasm segmenter: a MediaStream as init segments and keyframe-aligned
 * chunks stamped with their capture time.
 * @extends {TypedEventTarget<ChunkRecorderEvents>}
 */
export class ChunkRecorder extends TypedEventTarget {
  #options;
  #recorder;
  #segmenter;
  // When each recording started, by the shim's clock: the recordings the segmenter has
  // not reached yet, and the one its events are about now. A switch's new recording
  // starts before the segmenter has cut the old one's last chunk.
  /** @type {number[]} */
  #recordingStarts = [];
  #captureBase = 0;
  /** @type {Promise<void>} */
  #pending = Promise.resolve();
  #failed = false;

  /**
   * Throws Error when the browser cannot record WebM.
   * @param {SwarmcastCore} core
   * @param {MediaStream} stream
   * @param {RecorderOptions} [options]
   */
  constructor(core, stream, options = {}) {
    super();
    this.#options = { ...RECORDER_DEFAULTS, ...options };
    /** How often the recorder hands over bytes (ms). */
    this.timesliceMs = this.#options.timesliceMs;
    this.#segmenter = new Segmenter(core, { targetDurationMs: this.#options.keyframeIntervalMs });
    this.#recorder = this.#newRecorder(stream);
  }

  start() {
    this.#recordingStarts.push(nowMs());
    this.#recorder.start(this.timesliceMs);
  }

  /**
   * Records `stream` from now on, in place of the current one (camera to screen, say).
   * A MediaRecorder cannot change its tracks, so a new one starts: its output opens
   * with a new EBML header, which the segmenter turns into a new epoch (a new init
   * segment, the chunk sequence going on), and players switch at that chunk.
   * @param {MediaStream} stream
   */
  async switchStream(stream) {
    const recorder = this.#newRecorder(stream);
    await this.#stopRecorder();
    if (this.#failed) return;
    this.#recorder = recorder;
    this.start();
  }

  // Resolves once the last bytes have been segmented (the final chunk included).
  async stop() {
    await this.#stopRecorder();
    if (!this.#failed) this.#deliver(this.#segmenter.finish());
    this.#segmenter.close();
  }

  /** @param {MediaStream} stream */
  #newRecorder(stream) {
    const o = this.#options;
    const mimeType = recorderMimeType(stream);
    if (!mimeType) throw new Error('this browser cannot record WebM');
    /** @type {ChromiumRecorderOptions} */
    const recorderOptions = {
      mimeType,
      videoKeyFrameIntervalDuration: o.keyframeIntervalMs,
      videoBitsPerSecond: o.videoBitsPerSecond ?? videoBitsPerSecondFor(stream.getVideoTracks()[0]),
      audioBitsPerSecond: o.audioBitsPerSecond,
    };
    const recorder = new MediaRecorder(stream, recorderOptions);
    // Blobs resolve their bytes asynchronously; the chain keeps them in recording order.
    recorder.addEventListener('dataavailable', ({ data }) => {
      this.#pending = this.#pending.then(async () => {
        if (data.size) this.#push(new Uint8Array(await data.arrayBuffer()));
      });
    });
    return recorder;
  }

  // Stops the current MediaRecorder; resolves once all it recorded has been segmented.
  async #stopRecorder() {
    if (this.#recorder.state !== 'inactive') {
      const stopped = new Promise((resolve) => this.#recorder.addEventListener('stop', resolve, { once: true }));
      this.#recorder.stop();
      await stopped;
    }
    await this.#pending;
  }

  /** @param {Uint8Array} bytes */
  #push(bytes) {
    if (this.#failed) return;
    this.#deliver(this.#segmenter.push(bytes));
  }

  /** @param {SegmenterEvent[]} events */
  #deliver(events) {
    for (const event of events) {
      if (event.type === 'init') {
        // Each recording opens with an EBML header: one init segment per recording.
        this.#captureBase = this.#recordingStarts.shift() ?? this.#captureBase;
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

  /**
   * @template {keyof ChunkRecorderEvents} K
   * @param {K} type
   * @param {ChunkRecorderEvents[K]} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
