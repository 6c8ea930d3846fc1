// The broadcaster's renditions over WebCodecs (where the browser has VideoEncoder and
// AudioEncoder): a MediaStream as several aligned renditions, each with its init
// segments and chunks, and the rendition list to sign before their first chunk. A
// source switch starts a new epoch (new encoders on the new stream, the chunk sequence
// going on), as the MediaRecorder path does.
//   events: 'ladder' (detail: {revision, firstSeq, renditions, audioBitsPerSecond, frameRate})
//           'init'  (detail: {rendition, epoch, mimeType, captureMs, bytes})
//           'chunk' (detail: {rendition, epoch, seq, captureMs, durationMs, keyframe, bytes})
//           'warning', 'error' (detail: {type, detail, fatal}); only an error stops it
import { RenditionSession } from './rendition-session.js';
import { DEFAULT_RUNGS } from './rendition-ladder.js';
import { TypedEventTarget } from './typed-event-target.js';

/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('../../build/wasm/swarmcast.mjs').MuxEvent} MuxEvent */
/** @typedef {import('../../build/wasm/swarmcast.mjs').InitEvent} InitEvent */
/** @typedef {import('./typed-event-target.js').SwarmcastErrorDetail} SwarmcastErrorDetail */
/** @typedef {import('./rendition-ladder.js').RenditionRung} RenditionRung */
/** @typedef {import('./rendition-ladder.js').PlannedRendition} PlannedRendition */
/** @typedef {import('./rendition-track.js').RenditionTrackStats} RenditionTrackStats */

/**
 * @typedef {object} RenditionOptions
 * @property {ReadonlyArray<RenditionRung>} [rungs] The ladder asked for, highest first (DEFAULT_RUNGS); rungs
 *   larger than the source are left out.
 * @property {number} [chunkMs] Capture time per chunk: every rendition cuts a chunk on the same frame. A
 *   chunk is published once complete, so its length is a floor under every viewer's latency (docs/BENCHMARKS.md:
 *   250 ms chunks took Chromium and Firefox viewers from ~2 s to ~0.9 s behind the camera).
 * @property {number} [keyframeMs] Capture time per group of pictures: every rendition's encoder is asked for a
 *   keyframe on the same boundary, the first at or after each multiple of it. Joiners start, and viewers switch
 *   rendition, on those chunks; a keyframe on every short chunk would spend the bitrate on keyframes. By default
 *   the first multiple of chunkMs from 1000 on.
 * @property {number} [audioBitsPerSecond]
 * @property {import('./encoder-health.js').EncoderHealthOptions} [keepUp] When an encoder counts as not keeping up
 *   (the lowest rendition is then dropped).
 */

/**
 * @typedef {object} RenditionLadderEvent
 * @property {number} revision
 * @property {number} firstSeq
 * @property {PlannedRendition[]} renditions Highest first; id 0 is the top.
 * @property {number} audioBitsPerSecond 0 when the stream has no sound.
 * @property {number} frameRate
 */

/**
 * @typedef {object} RenditionPublisherEvents
 * @property {RenditionLadderEvent} ladder
 * @property {{ rendition: number, epoch: number, mimeType: string, captureMs: number, bytes: Uint8Array }} init
 * @property {{ rendition: number, epoch: number, seq: number, captureMs: number, durationMs: number,
 *   keyframe: boolean, bytes: Uint8Array }} chunk
 * @property {SwarmcastErrorDetail} warning
 * @property {SwarmcastErrorDetail} error
 */

/**
 * @typedef {object} RenditionPublisherStats
 * @property {number} framesCaptured Source frames this epoch.
 * @property {number} framesSkipped Source frames skipped for every rendition (an encoder was behind).
 * @property {number} ladderRevision
 * @property {RenditionTrackStats[]} renditions
 */

/** @type {Readonly<Required<RenditionOptions>>} */
export const RENDITION_DEFAULTS = Object.freeze({
  rungs: DEFAULT_RUNGS,
  chunkMs: 1000,
  keyframeMs: 1000,
  audioBitsPerSecond: 64_000,
  keepUp: {},
});

/**
 * The options with the defaults filled in. Throws RangeError unless chunkMs is a whole number of ms from 100 to
 * 10,000 and keyframeMs a multiple of it (so every group of pictures opens a chunk).
 * @param {RenditionOptions} options
 * @returns {Required<RenditionOptions>}
 */
export function renditionOptions(options) {
  const chunkMs = options.chunkMs ?? RENDITION_DEFAULTS.chunkMs;
  const keyframeMs = options.keyframeMs ?? chunkMs * Math.max(1, Math.ceil(RENDITION_DEFAULTS.keyframeMs / chunkMs));
  const checked = { ...RENDITION_DEFAULTS, ...options, keyframeMs };
  if (!Number.isInteger(chunkMs) || chunkMs < 100 || chunkMs > 10_000) {
    throw new RangeError(`chunkMs must be a whole number of ms from 100 to 10000, not ${chunkMs}`);
  }
  if (!Number.isInteger(keyframeMs) || keyframeMs < chunkMs || keyframeMs % chunkMs !== 0) {
    throw new RangeError(`keyframeMs must be a multiple of chunkMs (${chunkMs}), not ${keyframeMs}`);
  }
  return checked;
}

/** @extends {TypedEventTarget<RenditionPublisherEvents>} */
export class RenditionPublisher extends TypedEventTarget {
  #core;
  #options;
  #epoch = -1;
  #revision = 0;
  /** @type {RenditionSession | null} */
  #session = null;
  #frameRate = 30;

  /**
   * Throws RangeError as renditionOptions does.
   * @param {SwarmcastCore} core
   * @param {RenditionOptions} [options]
   */
  constructor(core, options = {}) {
    super();
    this.#core = core;
    this.#options = renditionOptions(options);
  }

  /**
   * Starts encoding `stream`. False when this browser cannot read its sound for the
   * encoders (the caller records it another way).
   * @param {MediaStream} stream
   * @returns {Promise<boolean>}
   */
  async start(stream) {
    return this.#open(stream, 0);
  }

  /**
   * Goes on from `stream` in a new epoch; the old one's last chunks are published first.
   * False (still on the old stream's end) when the new one cannot be read.
   * @param {MediaStream} stream
   * @returns {Promise<boolean>}
   */
  async switchStream(stream) {
    const old = this.#session;
    await old?.finish();
    return this.#open(stream, old?.nextSeq ?? 0);
  }

  /** @returns {Promise<void>} once the last chunks are published */
  async stop() {
    const session = this.#session;
    this.#session = null;
    await session?.finish();
  }

  /** @returns {RenditionPublisherStats} */
  stats() {
    const s = this.#session?.stats() ?? { captured: 0, skipped: 0, renditions: [] };
    return { framesCaptured: s.captured, framesSkipped: s.skipped, ladderRevision: this.#revision, renditions: s.renditions };
  }

  /**
   * @param {MediaStream} stream
   * @param {number} firstSeq
   */
  async #open(stream, firstSeq) {
    const epoch = this.#epoch + 1;
    const o = this.#options;
    this.#frameRate = stream.getVideoTracks()[0]?.getSettings().frameRate || 30;
    const session = new RenditionSession(this.#core, stream,
      { epoch, firstSeq, rungs: o.rungs, chunkMs: o.chunkMs, keyframeMs: o.keyframeMs, audioBitsPerSecond: o.audioBitsPerSecond, keepUp: o.keepUp }, {
        ladder: (renditions, from, audio) => this.#announce(renditions, from, audio),
        media: (rendition, event) => this.#media(session, rendition, event),
        failed: (error) => this.#failed(session, error),
      });
    if (!(await session.start())) {
      session.close();
      return false;
    }
    this.#epoch = epoch;
    this.#session = session;
    return true;
  }

  /**
   * @param {PlannedRendition[]} renditions
   * @param {number} firstSeq
   * @param {boolean} audio
   */
  #announce(renditions, firstSeq, audio) {
    this.#revision++;
    this.#emit('ladder', { revision: this.#revision, firstSeq, renditions,
      audioBitsPerSecond: audio ? this.#options.audioBitsPerSecond : 0, frameRate: this.#frameRate });
  }

  /**
   * @param {RenditionSession} session
   * @param {number} rendition
   * @param {MuxEvent | InitEvent} event
   */
  #media(session, rendition, event) {
    if (event.type === 'init') {
      this.#emit('init', { rendition, epoch: event.epoch, mimeType: event.mimeType, captureMs: session.startMs, bytes: event.bytes });
    } else if (event.type === 'chunk') {
      this.#emit('chunk', { rendition, epoch: event.epoch, seq: event.seq, captureMs: session.startMs + Math.round(event.startMs),
        durationMs: Math.round(event.durationMs), keyframe: event.keyframe, bytes: event.bytes });
    } else {
      this.#emit(event.fatal ? 'error' : 'warning', { type: 'encoder', detail: `rendition ${rendition}: ${event.code}: ${event.detail}`, fatal: event.fatal });
    }
  }

  /**
   * @param {RenditionSession} session
   * @param {unknown} error
   */
  #failed(session, error) {
    if (session !== this.#session) return;
    this.#session = null;
    this.#emit('error', { type: 'encoder', detail: `the encoder failed: ${error instanceof Error ? error.message : String(error)}`, fatal: true });
  }

  /**
   * @template {keyof RenditionPublisherEvents} K
   * @param {K} type
   * @param {RenditionPublisherEvents[K]} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
