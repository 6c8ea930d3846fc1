// The only owner of the MediaSource and its SourceBuffer (one, muxed audio + video).
// Every append and removal goes through one queue, run one at a time on `updateend`,
// so no caller can ever touch a SourceBuffer that is updating. It keeps the video near
// the live edge (live-edge-steering.js), jumps gaps left by skipped chunks
// (gap-crossing.js), trims the back buffer, and reports what a viewer sees: buffer
// seconds, playing/stalled, decoded frames, and the glass-to-glass latency of the frame
// on screen (playback-meter.js, capture-timeline.js).
// States: idle → waiting (no media yet) → playing ⇄ stalled → ended; or failed. Its
// options, events and stats are declared in mse-player-types.js.
import { bufferedAhead, bufferedEnd, bufferedStart, isBuffered } from './buffered-ranges.js';
import { CaptureTimeline } from './capture-timeline.js';
import { GapCrossing } from './gap-crossing.js';
import { LiveEdgeSteering } from './live-edge-steering.js';
import { Milestones } from './milestones.js';
import { LATENCY_MODES, MSE_PLAYER_DEFAULTS } from './mse-player-defaults.js';
import { PlaybackMeter } from './playback-meter.js';
import { appendMakingRoom, updateSourceBuffer } from './source-buffer-ops.js';
import { StallRecovery } from './stall-recovery.js';
import { TypedEventTarget } from './typed-event-target.js';

/** @typedef {import('./mse-player-types.js').LatencyMode} LatencyMode */
/** @typedef {import('./mse-player-types.js').MsePlayerOptions} MsePlayerOptions */
/** @typedef {import('./mse-player-types.js').MsePlayerState} MsePlayerState */
/** @typedef {import('./mse-player-types.js').MsePlayerEvents} MsePlayerEvents */
/** @typedef {import('./mse-player-types.js').MsePlayerStats} MsePlayerStats */

export { LATENCY_MODES, MSE_PLAYER_DEFAULTS };

/**
 * One SourceBuffer operation waiting in the queue.
 * @typedef {{ kind: 'init', bytes: Uint8Array<ArrayBuffer>, mimeType: string }
 *   | { kind: 'chunk', bytes: Uint8Array<ArrayBuffer>, captureMs: number | null, keyframe: boolean }
 *   | { kind: 'remove', start: number, end: number }
 *   | { kind: 'end' }} Operation
 */

const STALL_EPSILON_S = 0.01;

/**
 * The only owner of a MediaSource and its SourceBuffer: appends in order through one
 * queue, keeps the video near the live edge, jumps gaps, trims the back buffer.
 * @extends {TypedEventTarget<MsePlayerEvents>}
 */
export class MsePlayer extends TypedEventTarget {
  #video;
  #mediaSource = new MediaSource();
  #objectUrl;
  #opened;
  /** @type {SourceBuffer | null} */
  #sourceBuffer = null;
  /** @type {string | null} */
  #mimeType = null;
  /** @type {Operation[]} */
  #ops = [];
  #pumping = false;
  #closed = false;
  /** @type {MsePlayerState} */
  #state = 'idle';
  #started = false;
  #lastTime = 0;
  #appended = { chunks: 0, bytes: 0, inits: 0 };
  #timeline = new CaptureTimeline();
  #steering;
  #meter;
  #gaps;
  #recovery;
  #timer;

  /**
   * @param {HTMLVideoElement} video
   * @param {MsePlayerOptions} [options]
   */
  constructor(video, options = {}) {
    super();
    /** @type {Required<MsePlayerOptions>} */
    this.options = { ...MSE_PLAYER_DEFAULTS, ...options };
    this.#video = video;
    this.#steering = new LiveEdgeSteering(video, this.options, this.#timeline,
      { playing: () => this.#state === 'playing', play: () => this.#play() });
    this.latencyMode = this.options.latencyMode;
    // First init and chunk appended, play() asked, first frame composited.
    this.milestones = new Milestones();
    this.#opened = new Promise((resolve) => this.#mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    this.#objectUrl = URL.createObjectURL(this.#mediaSource);
    video.src = this.#objectUrl;
    this.#timer = setInterval(() => this.#monitor(), this.options.monitorMs);
    this.#recovery = new StallRecovery(video, this.options,
      () => this.#started && !this.#closed && this.#state !== 'failed' && this.#state !== 'ended',
      (position) => this.#steering.nudgeLanding(position));
    this.#meter = new PlaybackMeter(video, this.#timeline, () => {
      this.milestones.mark('first-frame');
      this.#recovery.frameShown();
    });
    this.#gaps = new GapCrossing(video);
    if (typeof video.requestVideoFrameCallback === 'function') this.#meter.sampleFrame();
    else video.addEventListener('playing', () => this.milestones.mark('first-frame'), { once: true });
  }

  /**
   * Whether this browser's MSE plays `mimeType`.
   * @param {string} mimeType
   * @returns {boolean}
   */
  static supports(mimeType) {
    return Boolean(globalThis.MediaSource?.isTypeSupported(mimeType));
  }

  /** @returns {MsePlayerState} */
  get state() {
    return this.#state;
  }

  // 'low': as near the live edge as the stream's recent chunks allow (the live-edge
  // policy in live-edge-steering.js); 'smooth': at least smoothLatencyMs behind, a
  // deeper buffer for a busy device or a weak network. The player only ever seeks
  // forward to its target, so on the way to a higher one it holds its picture (paused)
  // until it is that far behind; back in 'low' it jumps towards the live edge.
  /**
   * Switching to a mode with a higher target holds the picture (paused) until the
   * player is that far behind; back in 'low' it jumps towards the live edge. Throws
   * TypeError for anything but a LatencyMode.
   * @returns {LatencyMode}
   */
  get latencyMode() {
    // Set by the constructor.
    return /** @type {LatencyMode} */ (this.#steering.mode);
  }

  /** @param {LatencyMode} mode */
  set latencyMode(mode) {
    if (!LATENCY_MODES.includes(mode)) throw new TypeError(`latencyMode is 'low' or 'smooth', not ${String(mode)}`);
    this.#steering.mode = mode;
  }

  /**
   * The latency aimed at before any chunk is timed, in the current mode (ms).
   * @returns {number}
   */
  get initialLatencyMs() {
    return this.#steering.initialMs;
  }

  /**
   * An init segment starts an epoch, or a rendition switch within one (its chunks then
   * placed by capture time): the first one creates the SourceBuffer, a later one with
   * other codecs switches it with changeType().
   * @param {Uint8Array<ArrayBuffer>} bytes
   * @param {string} mimeType
   */
  appendInit(bytes, mimeType) {
    this.#enqueue({ kind: 'init', bytes, mimeType });
  }

  /**
   * captureMs: when the chunk's first frame was captured (the signed header's capture
   * time, on the shim's clock); it maps media time to capture time, for the latency
   * stats and the live-edge policy. Without it the player plays what it is given
   * without steering towards the live edge. Each chunk is one Cluster of known size
   * (the segmenter writes it so), appended as it comes. keyframe: its first video frame
   * is a keyframe, so the player seeks to its start at no decoding cost (false for a
   * chunk cut within a group of pictures).
   * @param {Uint8Array<ArrayBuffer>} bytes
   * @param {number | null} [captureMs]
   * @param {boolean} [keyframe]
   */
  appendChunk(bytes, captureMs = null, keyframe = true) {
    this.#enqueue({ kind: 'chunk', bytes, captureMs, keyframe });
  }

  /**
   * Back to the live edge from wherever the viewer left the playhead (a pause, a
   * seek): to the target latency, or as near it as is buffered, and playing.
   */
  seekToLive() {
    if (!this.#started || this.#closed) return;
    const position = this.#steering.livePosition();
    if (position === null) return;
    this.#video.currentTime = position;
    this.#play();
  }

  /** The stream is over: play out what is buffered, then report 'ended'. */
  end() {
    this.#enqueue({ kind: 'end' });
  }

  /** @returns {MsePlayerStats} */
  stats() {
    const video = this.#video;
    const quality = video.getVideoPlaybackQuality?.();
    const edge = bufferedEnd(video.buffered);
    return {
      state: this.#state,
      currentTime: video.currentTime,
      bufferSeconds: this.#bufferAhead(),
      behindLiveSeconds: edge === null ? 0 : Math.max(0, edge - video.currentTime),
      // Glass to glass: when the frame on screen was shown minus when it was captured
      // (the playhead's, where the browser cannot say which frame is on screen).
      // Paused, the frame on screen ages with the clock, which no frame callback reports.
      latencyMs: (this.#video.paused ? null : this.#meter.shownLatencyMs) ?? this.#playheadLatencyMs(),
      targetLatencyMs: this.#steering.targetMs,
      latencyMode: this.latencyMode,
      playbackRate: video.playbackRate,
      decodedFrames: quality ? quality.totalVideoFrames - quality.droppedVideoFrames : 0,
      droppedFrames: quality ? quality.droppedVideoFrames : 0,
      stalls: this.#meter.stalls,
      stalledMs: this.#meter.stalledMs,
      nudges: this.#recovery.nudges,
      holesCrossed: this.#gaps.holesCrossed,
      appendedChunks: this.#appended.chunks,
      appendedBytes: this.#appended.bytes,
      initSegments: this.#appended.inits,
      queuedOperations: this.#ops.length,
    };
  }

  destroy() {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#gaps.stop();
    this.#steering.stop();
    this.#meter.stop();
    this.#ops = [];
    this.#video.removeAttribute('src');
    this.#video.load();
    URL.revokeObjectURL(this.#objectUrl);
  }

  /** @param {Operation} op */
  #enqueue(op) {
    if (this.#closed || this.#state === 'failed') return;
    if (this.#state === 'idle') this.#setState('waiting');
    this.#ops.push(op);
    this.#pump();
  }

  async #pump() {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      await this.#opened;
      while (this.#ops.length && !this.#closed) {
        await this.#run(this.#ops[0]);
        this.#ops.shift();
      }
    } catch (error) {
      this.#fail('append', error);
    } finally {
      this.#pumping = false;
    }
  }

  /** @param {Operation} op */
  async #run(op) {
    if (op.kind === 'init') {
      const later = this.#sourceBuffer !== null;
      const sb = this.#prepareSourceBuffer(op.mimeType);
      this.#timeline.startEpoch(op.bytes, later);
      this.#recovery.reset();
      await this.#append(sb, op.bytes);
      this.milestones.mark('init-appended');
      this.#appended.inits++;
    } else if (op.kind === 'chunk') {
      const sb = this.#sourceBuffer;
      if (!sb) throw new Error('a chunk arrived before any init segment');
      const offsetS = this.#timeline.offsetFor(op.captureMs, op.bytes);
      if (offsetS !== null) sb.timestampOffset = offsetS;
      await this.#append(sb, op.bytes);
      if (op.captureMs !== null) this.#steering.noteArrival(op.captureMs);
      this.#timeline.anchor(op.captureMs, op.bytes);
      const startS = op.keyframe && op.captureMs !== null ? this.#timeline.mediaTimeAt(op.captureMs) : null;
      if (startS !== null) this.#steering.noteKeyframe(startS);
      this.milestones.mark('chunk-appended');
      this.#appended.chunks++;
      this.#appended.bytes += op.bytes.length;
      this.#startPlayback();
    } else if (op.kind === 'remove' && this.#sourceBuffer) {
      await updateSourceBuffer(this.#sourceBuffer, (sb) => sb.remove(op.start, op.end));
    } else if (op.kind === 'end' && this.#mediaSource.readyState === 'open') {
      this.#mediaSource.endOfStream();
    }
  }

  /**
   * @param {string} mimeType
   * @returns {SourceBuffer}
   */
  #prepareSourceBuffer(mimeType) {
    if (!MsePlayer.supports(mimeType)) throw new Error(`this browser cannot play ${mimeType}`);
    let sb = this.#sourceBuffer;
    if (!sb) {
      sb = this.#mediaSource.addSourceBuffer(mimeType);
      // Chunks carry the recorder's timestamps; a skipped chunk leaves a gap that the
      // monitor jumps, rather than shifting everything after it.
      sb.mode = 'segments';
      this.#sourceBuffer = sb;
    } else if (mimeType !== this.#mimeType) {
      sb.changeType(mimeType);
    }
    this.#mimeType = mimeType;
    return sb;
  }

  /**
   * Keeps a second behind the playhead if the quota forces a clean-up.
   * @param {SourceBuffer} sb
   * @param {Uint8Array<ArrayBuffer>} bytes
   */
  #append(sb, bytes) {
    return appendMakingRoom(sb, bytes, this.#video.currentTime - 1);
  }

  // The playhead's latency, once playback has begun (before, its media time means nothing).
  /** @returns {number | null} */
  #playheadLatencyMs() {
    return this.#started ? this.#timeline.latencyMsAt(this.#video.currentTime) : null;
  }

  #startPlayback() {
    if (this.#started) return;
    const position = this.#steering.livePosition();
    if (position === null) return;
    this.#started = true;
    this.#video.currentTime = position;
    this.#lastTime = this.#video.currentTime;
    this.milestones.mark('play');
    this.#play();
  }

  #play() {
    this.#video.play().catch((/** @type {unknown} */ error) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') this.dispatchEvent(new Event('autoplay-blocked'));
    });
  }

  #monitor() {
    if (!this.#started || this.#closed || this.#state === 'failed' || this.#state === 'ended') return;
    const video = this.#video;
    if (typeof video.requestVideoFrameCallback === 'function') this.#meter.sampleFrame();
    if (video.ended || (this.#mediaSource.readyState === 'ended' && this.#bufferAhead() < 0.1)) {
      this.#setState('ended');
      return;
    }
    // A seek moves the playhead without playing anything: the gap jump out of a stall
    // is still the stall (counting it as progress made one stall two).
    const advanced = !video.seeking && video.currentTime > this.#lastTime + STALL_EPSILON_S;
    this.#lastTime = video.currentTime;
    if (video.paused) return;
    if (advanced) {
      this.#meter.advanced();
      this.#setState('playing');
      this.#gaps.crossHole();
      this.#recovery.checkFrozen();
    } else if (this.#state !== 'waiting' && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA
      && !(video.seeking && isBuffered(video.buffered, video.currentTime))) {
      // Only after playback has begun: the wait for the first frame is startup, not a stall.
      // Nor is a seek into media already buffered (the steering's jump back to its
      // target): the decoder works up to it with nothing missing, and a picture it holds
      // meanwhile is counted where the frames are (frozen frames). The soak saw every
      // such jump, 1.4-2 s of media ahead, as a 200 ms stall.
      this.#meter.stalled();
      this.#setState('stalled');
      this.#gaps.jumpGap();
    }
    this.#steering.steer(this.#state === 'stalled');
    this.#trimBackBuffer();
  }

  #trimBackBuffer() {
    const start = bufferedStart(this.#video.buffered);
    const keepFrom = this.#video.currentTime - this.options.backBufferS;
    // Trim in steps of ~10 s, not on every tick.
    if (start === null || keepFrom - start < 10 || this.#ops.some((op) => op.kind === 'remove')) return;
    this.#enqueue({ kind: 'remove', start, end: keepFrom });
  }

  #bufferAhead() {
    return bufferedAhead(this.#video.buffered, this.#video.currentTime, STALL_EPSILON_S);
  }

  /** @param {MsePlayerState} state */
  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: state }));
  }

  /**
   * @param {string} type
   * @param {unknown} error
   */
  #fail(type, error) {
    this.#setState('failed');
    const detail = error instanceof Error ? error.message : String(error);
    this.dispatchEvent(new CustomEvent('error', { detail: { type, detail, fatal: true } }));
  }
}
