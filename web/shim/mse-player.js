// The only owner of the MediaSource and its SourceBuffer (one, muxed audio + video).
// Every append and removal goes through one queue, run one at a time on `updateend`,
// so no caller can ever touch a SourceBuffer that is updating. It keeps the video near
// the live edge, jumps gaps left by skipped chunks, trims the back buffer, and reports
// what a viewer sees: buffer seconds, playing/stalled, decoded frames, and the
// glass-to-glass latency of the frame on screen.
// States: idle → waiting (no media yet) → playing ⇄ stalled → ended; or failed. Its
// options, events and stats are declared in mse-player-types.js.
//
// Live-edge policy. A frame captured at C in a chunk that starts at S can only play
// once the whole chunk has been appended, at S + A (A: the chunk's arrival lateness:
// its duration plus the time it took to be cut, signed, carried and appended). Playing at a
// glass-to-glass latency L never stalls as long as L ≥ A for every chunk. So the
// player aims at the worst arrival lateness of the recent chunks plus a margin, and
// steers towards it: a seek for a large error, and (only where maxRateChange allows,
// off by default) a small playbackRate change for a small one. A late chunk raises the
// target at once; the target falls back as the late one leaves the window.
//
// While stalled the playbackRate is left alone: nothing plays, and the latency error it
// would chase is the stall itself; StallRecovery gets a stuck pipeline going again.
import { nowMs } from './clock.js';
import { bufferedAhead, bufferedEnd, bufferedStart, isBuffered, nextRangeStart } from './buffered-ranges.js';
import { LatencyTarget } from './latency-target.js';
import { Milestones } from './milestones.js';
import { appendMakingRoom, updateSourceBuffer } from './source-buffer-ops.js';
import { StallRecovery } from './stall-recovery.js';
import { chunkStartMs, timecodeScaleNs } from './webm-time.js';
import { TypedEventTarget } from './typed-event-target.js';

/** @typedef {import('./mse-player-types.js').LatencyMode} LatencyMode */
/** @typedef {import('./mse-player-types.js').MsePlayerOptions} MsePlayerOptions */
/** @typedef {import('./mse-player-types.js').MsePlayerState} MsePlayerState */
/** @typedef {import('./mse-player-types.js').MsePlayerEvents} MsePlayerEvents */
/** @typedef {import('./mse-player-types.js').MsePlayerStats} MsePlayerStats */

/**
 * One SourceBuffer operation waiting in the queue.
 * @typedef {{ kind: 'init', bytes: Uint8Array<ArrayBuffer>, mimeType: string }
 *   | { kind: 'chunk', bytes: Uint8Array<ArrayBuffer>, captureMs: number | null }
 *   | { kind: 'remove', start: number, end: number }
 *   | { kind: 'end' }} Operation
 */

/** @type {Readonly<Required<MsePlayerOptions>>} */
export const MSE_PLAYER_DEFAULTS = Object.freeze({
  initialLatencyMs: 1800,  // the target until chunks have been timed
  latencyMarginMs: 500,    // above the worst recent arrival lateness: decode, jitter
                           // (bench:swarm, 8 viewers: with 250 continuity was 0.976-0.995
                           // over four runs, with 500 0.995-0.996; glass-to-glass p95
                           // 2.0-2.1 s instead of 1.9-2.2)
  latencyWindowMs: 20_000, // how long a late chunk keeps the target up
  minLatencyMs: 500,
  maxLatencyMs: 10_000,
  warmupMs: 3000,          // chunks appended this soon after the first are the join
                           // backlog: their lateness says nothing about the swarm
  seekAboveMs: 700,        // further behind the target than this: jump (if buffered)
  maxRateChange: 0,        // playbackRate stays within 1 ± this: 0, as a changed rate
                           // makes Chromium time-stretch the audio, whose renderer then
                           // runs dry on a busy machine and holds the video (bench:swarm,
                           // 8 viewers, four runs each: with ±0.1, 7-16 nudges and
                           // continuity 0.989-0.996; with 0, 0-7 nudges and 0.995-1)
  rateGainPerS: 0.1,       // playbackRate change per second of latency error
  backBufferS: 20,         // media kept behind the playhead
  monitorMs: 200,
  nudgeAfterMs: 120,       // stuck this long with media ahead: nudge (stall-recovery.js).
                           // Underflows that ended by themselves took 10-90 ms (the
                           // next append ended them); stuck ones lasted until the
                           // nudge. bench:swarm, 8 viewers, three runs each: with 250,
                           // each nudged stall froze the video 265-320 ms and
                           // continuity was 0.994-0.9994; with 120, 0.999-1
  frozenVideoMs: 1000,     // no new frame this long while playing: nudge
  latencyMode: /** @type {LatencyMode} */ ('low'),  // or 'smooth': see MsePlayer#latencyMode
  smoothLatencyMs: 6000,   // the least latency aimed at in the smooth mode
});

/** @type {readonly LatencyMode[]} */
export const LATENCY_MODES = Object.freeze(['low', 'smooth']);

const STALL_EPSILON_S = 0.01;
const RATE_DEADBAND_MS = 60;
const MIN_START_AHEAD_S = 0.3;

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
  /** @type {number | null} */
  #stalledSince = null;
  #stalls = 0;
  #stalledMs = 0;
  #holesCrossed = 0;     // gaps in the buffered media the audio played through (#crossHole)
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #holeTimer;
  #framePending = false; // a frame sample (#sampleFrame) is waiting for the next frame
  #appended = { chunks: 0, bytes: 0, inits: 0 };
  /** @type {number | null} */
  #captureBase = null;  // capture time (ms) of media time 0 in the current timeline
  /** @type {number | undefined} */
  #timecodeScaleNs;
  #offsetMs = 0;        // the SourceBuffer's timestampOffset, in ms
  #epochChanged = false; // a later init segment was appended; its first chunk is next
  #latencyTarget;
  /** @type {number | null} */
  #shownLatencyMs = null;
  #recovery;
  #timer;
  /** @type {LatencyMode | undefined} */
  #latencyMode;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #holdTimer;           // a hold that takes the player back to its target (#holdForTarget)

  /**
   * @param {HTMLVideoElement} video
   * @param {MsePlayerOptions} [options]
   */
  constructor(video, options = {}) {
    super();
    /** @type {Required<MsePlayerOptions>} */
    this.options = { ...MSE_PLAYER_DEFAULTS, ...options };
    this.#latencyTarget = new LatencyTarget(this.options);
    this.latencyMode = this.options.latencyMode;
    // First init and chunk appended, play() asked, first frame composited.
    this.milestones = new Milestones();
    this.#video = video;
    this.#opened = new Promise((resolve) => this.#mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    this.#objectUrl = URL.createObjectURL(this.#mediaSource);
    video.src = this.#objectUrl;
    this.#timer = setInterval(() => this.#monitor(), this.options.monitorMs);
    this.#recovery = new StallRecovery(video, this.options,
      () => this.#started && !this.#closed && this.#state !== 'failed' && this.#state !== 'ended');
    if (typeof video.requestVideoFrameCallback === 'function') this.#sampleFrame();
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
  // policy above); 'smooth': at least smoothLatencyMs behind, a deeper buffer for a
  // busy device or a weak network. The player only ever seeks forward to its target,
  // so on the way to a higher one it holds its picture (paused) until it is that far
  // behind; back in 'low' it jumps towards the live edge. A switch forgets the arrival
  // lateness measured so far: the engine fetched against the other mode's deadlines.
  /**
   * Switching to a mode with a higher target holds the picture (paused) until the
   * player is that far behind; back in 'low' it jumps towards the live edge. Throws
   * TypeError for anything but a LatencyMode.
   * @returns {LatencyMode}
   */
  get latencyMode() {
    // Set by the constructor.
    return /** @type {LatencyMode} */ (this.#latencyMode);
  }

  /** @param {LatencyMode} mode */
  set latencyMode(mode) {
    if (!LATENCY_MODES.includes(mode)) throw new TypeError(`latencyMode is 'low' or 'smooth', not ${String(mode)}`);
    if (this.#latencyMode !== undefined && mode !== this.#latencyMode) this.#latencyTarget.forget(nowMs());
    this.#latencyMode = mode;
    this.#latencyTarget.floorMs = mode === 'smooth' ? this.options.smoothLatencyMs : this.options.minLatencyMs;
    if (this.#holdTimer !== undefined) this.#endHold();
    this.#holdForTarget();
  }

  /**
   * The latency aimed at before any chunk is timed, in the current mode (ms).
   * @returns {number}
   */
  get initialLatencyMs() {
    return this.#latencyTarget.initialMs;
  }

  /**
   * An init segment starts an epoch: the first one creates the SourceBuffer, a later one
   * with other codecs switches it with changeType().
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
   * without steering towards the live edge.
   * @param {Uint8Array<ArrayBuffer>} bytes
   * @param {number | null} [captureMs]
   */
  appendChunk(bytes, captureMs = null) {
    this.#enqueue({ kind: 'chunk', bytes, captureMs });
  }

  /**
   * Back to the live edge from wherever the viewer left the playhead (a pause, a
   * seek): to the target latency, or as near it as is buffered, and playing.
   */
  seekToLive() {
    if (!this.#started || this.#closed) return;
    const position = this.#livePosition();
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
    const edge = this.#liveEdge();
    return {
      state: this.#state,
      currentTime: video.currentTime,
      bufferSeconds: this.#bufferAhead(),
      behindLiveSeconds: edge === null ? 0 : Math.max(0, edge - video.currentTime),
      // Glass to glass: when the frame on screen was shown minus when it was captured
      // (the playhead's, where the browser cannot say which frame is on screen).
      // Paused, the frame on screen ages with the clock, which no frame callback reports.
      latencyMs: (this.#video.paused ? null : this.#shownLatencyMs) ?? this.#playheadLatencyMs(),
      targetLatencyMs: this.#targetLatencyMs(),
      latencyMode: this.latencyMode,
      playbackRate: video.playbackRate,
      decodedFrames: quality ? quality.totalVideoFrames - quality.droppedVideoFrames : 0,
      droppedFrames: quality ? quality.droppedVideoFrames : 0,
      stalls: this.#stalls,
      stalledMs: this.#stalledMs + (this.#stalledSince === null ? 0 : performance.now() - this.#stalledSince),
      nudges: this.#recovery.nudges,
      holesCrossed: this.#holesCrossed,
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
    clearTimeout(this.#holeTimer);
    clearTimeout(this.#holdTimer);
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
      this.#epochChanged = this.#sourceBuffer !== null;
      const sb = this.#prepareSourceBuffer(op.mimeType);
      this.#timecodeScaleNs = timecodeScaleNs(op.bytes);
      this.#recovery.reset();
      await this.#append(sb, op.bytes);
      this.milestones.mark('init-appended');
      this.#appended.inits++;
    } else if (op.kind === 'chunk') {
      const sb = this.#sourceBuffer;
      if (!sb) throw new Error('a chunk arrived before any init segment');
      if (this.#epochChanged) this.#continueTimeline(sb, op.captureMs, op.bytes);
      await this.#append(sb, op.bytes);
      if (op.captureMs !== null) this.#latencyTarget.noteArrival(op.captureMs, nowMs());
      this.#anchorCapture(op.captureMs, op.bytes);
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

  // Within one recording, media time and capture time advance together (capture times
  // are the recorder's start plus the media timestamps), so one chunk's signed capture
  // time and its first Cluster Timecode fix the mapping; each chunk renews it, which
  // follows a restarted recording at once.
  /**
   * @param {number | null} captureMs
   * @param {Uint8Array} bytes
   */
  #anchorCapture(captureMs, bytes) {
    if (captureMs === null) return;
    const startMs = chunkStartMs(bytes, this.#timecodeScaleNs);
    if (startMs !== null) this.#captureBase = captureMs - startMs - this.#offsetMs;
  }

  // A new recording (the broadcaster switched source) starts its timestamps at zero
  // again; shifted by its capture time, it goes on the timeline where it was captured,
  // after what is buffered, and the playhead crosses the switch as it plays.
  /**
   * @param {SourceBuffer} sb
   * @param {number | null} captureMs
   * @param {Uint8Array} bytes
   */
  #continueTimeline(sb, captureMs, bytes) {
    this.#epochChanged = false;
    const startMs = chunkStartMs(bytes, this.#timecodeScaleNs);
    if (captureMs === null || startMs === null || this.#captureBase === null) return;
    this.#offsetMs = captureMs - this.#captureBase - startMs;
    sb.timestampOffset = this.#offsetMs / 1000;
  }

  #targetLatencyMs() {
    return this.#latencyTarget.ms;
  }

  /** @returns {number | null} */
  #playheadLatencyMs() {
    if (this.#captureBase === null || !this.#started) return null;
    return nowMs() - (this.#captureBase + this.#video.currentTime * 1000);
  }

  /**
   * Where the playhead would be at the target latency (media seconds), or null.
   * @returns {number | null}
   */
  #targetPosition() {
    if (this.#captureBase === null) return null;
    return (nowMs() - this.#targetLatencyMs() - this.#captureBase) / 1000;
  }

  // requestVideoFrameCallback reports a frame as it is composited, with its media time:
  // the latency of what the viewer actually sees. The first frame is waited for (it
  // ends startup); after it, one frame per monitor tick is sampled, not every frame: a
  // pending callback makes the page run its rendering steps for the next frame, which
  // a playing video otherwise leaves to the compositor (measured: a viewer's main
  // thread busy 12-14 % with a callback on every frame, 8 % without). Without it,
  // 'playing' is the nearest sign of a first frame.
  #sampleFrame() {
    const video = this.#video;
    if (this.#framePending) return;
    this.#framePending = true;
    video.requestVideoFrameCallback((_, { expectedDisplayTime, mediaTime }) => {
      this.#framePending = false;
      if (this.#closed) return;
      this.milestones.mark('first-frame');
      this.#recovery.frameShown();
      if (this.#captureBase !== null) {
        this.#shownLatencyMs = performance.timeOrigin + expectedDisplayTime - (this.#captureBase + mediaTime * 1000);
      }
    });
  }

  // Where playback starts, or goes back to live: at the target latency if that much is
  // buffered, else as close to it as leaves a little media to play while the next
  // chunk comes. Null with nothing buffered.
  /** @returns {number | null} */
  #livePosition() {
    const start = this.#bufferedStart();
    const edge = this.#liveEdge();
    if (start === null || edge === null) return null;
    const wanted = this.#targetPosition() ?? edge;
    return Math.max(start, Math.min(wanted, edge - MIN_START_AHEAD_S));
  }

  #startPlayback() {
    if (this.#started) return;
    const position = this.#livePosition();
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

  // Playing further than seekAboveMs nearer the live edge than the target (the smooth
  // mode's, just chosen): pause for the difference, then play on from there.
  #holdForTarget() {
    const latency = this.#playheadLatencyMs();
    if (latency === null || this.#holdTimer !== undefined || this.#state !== 'playing' || this.#video.paused) return;
    const shortMs = this.#targetLatencyMs() - latency;
    if (shortMs <= this.options.seekAboveMs) return;
    this.#video.pause();
    this.#holdTimer = setTimeout(() => this.#endHold(), shortMs);
    // Played meanwhile from the controls: the hold is over, and a pause after that is
    // the viewer's to keep.
    this.#video.addEventListener('play', () => {
      clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
    }, { once: true });
  }

  #endHold() {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    if (!this.#closed) this.#play();
  }

  #monitor() {
    if (!this.#started || this.#closed || this.#state === 'failed' || this.#state === 'ended') return;
    const video = this.#video;
    if (typeof video.requestVideoFrameCallback === 'function') this.#sampleFrame();
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
      if (this.#stalledSince !== null) {
        this.#stalledMs += performance.now() - this.#stalledSince;
        this.#stalledSince = null;
      }
      this.#setState('playing');
      this.#crossHole();
      this.#recovery.checkFrozen();
    } else if (this.#state !== 'waiting' && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) {
      // Only after playback has begun: the wait for the first frame is startup, not a stall.
      if (this.#stalledSince === null) {
        this.#stalledSince = performance.now();
        this.#stalls++;
      }
      this.#setState('stalled');
      this.#jumpGap();
    }
    if (this.#state !== 'stalled') this.#followLiveEdge();
    if (this.#latencyMode === 'smooth') this.#holdForTarget();
    this.#trimBackBuffer();
  }

  // A hole in the video alone leaves a gap in `buffered` that the audio plays through:
  // the broadcaster's capture skipped frames (its page starved of CPU), so MSE drops
  // the frames after the skip up to the next keyframe. The video then stays on its
  // last frame for good, even past the gap, until something seeks (measured in this
  // Chromium: a 0.6 s capture hole, the video frozen from there to the end, 3 s on,
  // with readyState HAVE_ENOUGH_DATA all along). So once the playhead is in such a gap,
  // a seek to the gap's end is set for when the audio gets there: the video restarts
  // with the stream, 1 s sooner than the frozen-video nudge would restart it. Jumping
  // the gap at once would cut the freeze short but take the gap off the buffer ahead,
  // and every later chunk would come that much nearer to a stall.
  #crossHole() {
    const { buffered, currentTime, seeking, playbackRate } = this.#video;
    if (this.#holeTimer !== undefined || seeking || isBuffered(buffered, currentTime)) return;
    const end = nextRangeStart(buffered, currentTime);
    if (end === null) return;
    this.#holesCrossed++;
    this.#holeTimer = setTimeout(() => {
      this.#holeTimer = undefined;
      const video = this.#video;
      if (this.#closed || video.paused || video.seeking) return;
      video.currentTime = Math.max(video.currentTime, end);
    }, ((end - currentTime) / playbackRate) * 1000);
  }

  // A skipped chunk leaves a hole; playback waits at its start forever unless moved on.
  #jumpGap() {
    const next = nextRangeStart(this.#video.buffered, this.#video.currentTime);
    if (next !== null) this.#video.currentTime = next + 0.01;
  }

  #followLiveEdge() {
    const video = this.#video;
    const latency = this.#playheadLatencyMs();
    if (latency === null) return;
    const { seekAboveMs, maxRateChange, rateGainPerS } = this.options;
    const errorMs = latency - this.#targetLatencyMs();
    const target = this.#targetPosition();
    const edge = this.#liveEdge();
    if (target !== null && edge !== null && errorMs > seekAboveMs && isBuffered(this.#video.buffered, target)
      && target < edge - MIN_START_AHEAD_S) {
      video.currentTime = target;
      video.playbackRate = 1;
      return;
    }
    let rate = 1;
    if (Math.abs(errorMs) > RATE_DEADBAND_MS) {
      rate = 1 + Math.max(-maxRateChange, Math.min(maxRateChange, (errorMs / 1000) * rateGainPerS));
      rate = Math.round(rate * 100) / 100;
    }
    if (video.playbackRate !== rate) video.playbackRate = rate;
  }

  #trimBackBuffer() {
    const start = this.#bufferedStart();
    const keepFrom = this.#video.currentTime - this.options.backBufferS;
    // Trim in steps of ~10 s, not on every tick.
    if (start === null || keepFrom - start < 10 || this.#ops.some((op) => op.kind === 'remove')) return;
    this.#enqueue({ kind: 'remove', start, end: keepFrom });
  }

  #bufferedStart() {
    return bufferedStart(this.#video.buffered);
  }

  #liveEdge() {
    return bufferedEnd(this.#video.buffered);
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
