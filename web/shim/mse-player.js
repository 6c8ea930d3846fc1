// The only owner of the MediaSource and its SourceBuffer (one, muxed audio + video).
// Every append and removal goes through one queue, run one at a time on `updateend`,
// so no caller can ever touch a SourceBuffer that is updating. It keeps the video near
// the live edge, jumps gaps left by skipped chunks, trims the back buffer, and reports
// what a viewer sees: buffer seconds, playing/stalled, decoded frames, and the
// glass-to-glass latency of the frame on screen.
//   events: 'statechange' (detail: state), 'error' (detail: {type, detail, fatal}),
//           'autoplay-blocked'
//   states: idle → waiting (no media yet) → playing ⇄ stalled → ended; or failed
//
// Live-edge policy. A frame captured at C in a chunk that starts at S can only play
// once the whole chunk has arrived, at S + A (A: the chunk's arrival lateness: its
// duration plus the time it took to be cut, signed and carried). Playing at a
// glass-to-glass latency L never stalls as long as L ≥ A for every chunk. So the
// player aims at the worst arrival lateness of the recent chunks plus a margin, and
// steers towards it: a small playbackRate change for a small error, a seek for a large
// one. A late chunk raises the target at once; the target falls back as the late one
// leaves the window.
import { nowMs } from './clock.js';
import { chunkStartMs, timecodeScaleNs } from './webm-time.js';

export const MSE_PLAYER_DEFAULTS = Object.freeze({
  initialLatencyMs: 1800,  // the target until chunks have been timed
  latencyMarginMs: 250,    // above the worst recent arrival lateness: append + decode
  latencyWindowMs: 20_000, // how long a late chunk keeps the target up
  minLatencyMs: 500,
  maxLatencyMs: 10_000,
  warmupMs: 3000,          // chunks appended this soon after the first are the join
                           // backlog: their lateness says nothing about the swarm
  seekAboveMs: 700,        // further behind the target than this: jump (if buffered)
  maxRateChange: 0.1,      // playbackRate stays within 1 ± this
  rateGainPerS: 0.1,       // playbackRate change per second of latency error
  backBufferS: 20,         // media kept behind the playhead
  monitorMs: 200,
});

const STALL_EPSILON_S = 0.01;
const RATE_DEADBAND_MS = 60;
const MIN_START_AHEAD_S = 0.3;

export class MsePlayer extends EventTarget {
  #video;
  #mediaSource = new MediaSource();
  #objectUrl;
  #opened;
  #sourceBuffer = null;
  #mimeType = null;
  #ops = [];
  #pumping = false;
  #closed = false;
  #state = 'idle';
  #started = false;
  #lastTime = 0;
  #stalledSince = null;
  #stalls = 0;
  #stalledMs = 0;
  #appended = { chunks: 0, bytes: 0, inits: 0 };
  #captureBase = null;  // capture time (ms) of media time 0 in the current timeline
  #timecodeScaleNs;
  #offsetMs = 0;        // the SourceBuffer's timestampOffset, in ms
  #epochChanged = false; // a later init segment was appended; its first chunk is next
  #firstAppendAt = null;
  #lateness = [];       // [{at, ms}]: arrival lateness of recent chunks (see above)
  #shownLatencyMs = null;
  #timer;

  constructor(video, options = {}) {
    super();
    this.options = { ...MSE_PLAYER_DEFAULTS, ...options };
    this.#video = video;
    this.#opened = new Promise((resolve) => this.#mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    this.#objectUrl = URL.createObjectURL(this.#mediaSource);
    video.src = this.#objectUrl;
    this.#timer = setInterval(() => this.#monitor(), this.options.monitorMs);
    this.#watchFrames();
  }

  static supports(mimeType) {
    return Boolean(globalThis.MediaSource?.isTypeSupported(mimeType));
  }

  get state() {
    return this.#state;
  }

  // An init segment starts an epoch: the first one creates the SourceBuffer, a later one
  // with other codecs switches it with changeType().
  appendInit(bytes, mimeType) {
    this.#enqueue({ kind: 'init', bytes, mimeType });
  }

  // captureMs: when the chunk's first frame was captured (the signed header's capture
  // time, on the shim's clock); it maps media time to capture time, for the latency
  // stats and the live-edge policy. Without it the player plays what it is given
  // without steering towards the live edge.
  appendChunk(bytes, captureMs = null) {
    this.#enqueue({ kind: 'chunk', bytes, captureMs });
  }

  // The stream is over: play out what is buffered, then report 'ended'.
  end() {
    this.#enqueue({ kind: 'end' });
  }

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
      latencyMs: this.#shownLatencyMs ?? this.#playheadLatencyMs(),
      targetLatencyMs: this.#targetLatencyMs(),
      playbackRate: video.playbackRate,
      decodedFrames: quality ? quality.totalVideoFrames - quality.droppedVideoFrames : 0,
      droppedFrames: quality ? quality.droppedVideoFrames : 0,
      stalls: this.#stalls,
      stalledMs: this.#stalledMs + (this.#stalledSince === null ? 0 : performance.now() - this.#stalledSince),
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
    this.#ops = [];
    this.#video.removeAttribute('src');
    this.#video.load();
    URL.revokeObjectURL(this.#objectUrl);
  }

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

  async #run(op) {
    if (op.kind === 'init') {
      this.#epochChanged = this.#sourceBuffer !== null;
      this.#prepareSourceBuffer(op.mimeType);
      this.#timecodeScaleNs = timecodeScaleNs(op.bytes);
      await this.#append(op.bytes);
      this.#appended.inits++;
    } else if (op.kind === 'chunk') {
      if (!this.#sourceBuffer) throw new Error('a chunk arrived before any init segment');
      this.#timeArrival(op.captureMs);
      if (this.#epochChanged) this.#continueTimeline(op.captureMs, op.bytes);
      await this.#append(op.bytes);
      this.#anchorCapture(op.captureMs, op.bytes);
      this.#appended.chunks++;
      this.#appended.bytes += op.bytes.length;
      this.#startPlayback();
    } else if (op.kind === 'remove') {
      await this.#update((sb) => sb.remove(op.start, op.end));
    } else if (op.kind === 'end' && this.#mediaSource.readyState === 'open') {
      this.#mediaSource.endOfStream();
    }
  }

  #prepareSourceBuffer(mimeType) {
    if (!MsePlayer.supports(mimeType)) throw new Error(`this browser cannot play ${mimeType}`);
    if (!this.#sourceBuffer) {
      this.#sourceBuffer = this.#mediaSource.addSourceBuffer(mimeType);
      // Chunks carry the recorder's timestamps; a skipped chunk leaves a gap that the
      // monitor jumps, rather than shifting everything after it.
      this.#sourceBuffer.mode = 'segments';
    } else if (mimeType !== this.#mimeType) {
      this.#sourceBuffer.changeType(mimeType);
    }
    this.#mimeType = mimeType;
  }

  async #append(bytes) {
    try {
      await this.#update((sb) => sb.appendBuffer(bytes));
    } catch (error) {
      if (error?.name !== 'QuotaExceededError') throw error;
      // The browser's buffer quota is full: drop everything but a little behind the
      // playhead and try once more; a second refusal is fatal.
      const keepFrom = this.#video.currentTime - 1;
      const start = this.#bufferedStart();
      if (start !== null && keepFrom > start) await this.#update((sb) => sb.remove(start, keepFrom));
      await this.#update((sb) => sb.appendBuffer(bytes));
    }
  }

  // Runs one SourceBuffer operation and resolves when it has finished.
  #update(start) {
    const sb = this.#sourceBuffer;
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        sb.removeEventListener('updateend', done);
        sb.removeEventListener('error', failed);
      };
      const done = () => { cleanup(); resolve(); };
      const failed = () => { cleanup(); reject(new Error('the SourceBuffer refused the media (decode error)')); };
      sb.addEventListener('updateend', done);
      sb.addEventListener('error', failed);
      try {
        start(sb);
      } catch (error) {
        cleanup();
        reject(error);
      }
    });
  }

  // Within one recording, media time and capture time advance together (capture times
  // are the recorder's start plus the media timestamps), so one chunk's signed capture
  // time and its first Cluster Timecode fix the mapping; each chunk renews it, which
  // follows a restarted recording at once.
  #anchorCapture(captureMs, bytes) {
    if (captureMs === null) return;
    const startMs = chunkStartMs(bytes, this.#timecodeScaleNs);
    if (startMs !== null) this.#captureBase = captureMs - startMs - this.#offsetMs;
  }

  // A new recording (the broadcaster switched source) starts its timestamps at zero
  // again; shifted by its capture time, it goes on the timeline where it was captured,
  // after what is buffered, and the playhead crosses the switch as it plays.
  #continueTimeline(captureMs, bytes) {
    this.#epochChanged = false;
    const startMs = chunkStartMs(bytes, this.#timecodeScaleNs);
    if (captureMs === null || startMs === null || this.#captureBase === null) return;
    this.#offsetMs = captureMs - this.#captureBase - startMs;
    this.#sourceBuffer.timestampOffset = this.#offsetMs / 1000;
  }

  // The arrival lateness of a chunk appended now (see the policy above).
  #timeArrival(captureMs) {
    if (captureMs === null) return;
    const now = nowMs();
    this.#firstAppendAt ??= now;
    if (now - this.#firstAppendAt < this.options.warmupMs) return;
    this.#lateness.push({ at: now, ms: now - captureMs });
    while (this.#lateness[0].at < now - this.options.latencyWindowMs) this.#lateness.shift();
  }

  #targetLatencyMs() {
    const { initialLatencyMs, latencyMarginMs, minLatencyMs, maxLatencyMs } = this.options;
    if (!this.#lateness.length) return initialLatencyMs;
    const worst = Math.max(...this.#lateness.map((sample) => sample.ms));
    return Math.min(maxLatencyMs, Math.max(minLatencyMs, worst + latencyMarginMs));
  }

  #playheadLatencyMs() {
    if (this.#captureBase === null || !this.#started) return null;
    return nowMs() - (this.#captureBase + this.#video.currentTime * 1000);
  }

  // Where the playhead would be at the target latency (media seconds), or null.
  #targetPosition() {
    if (this.#captureBase === null) return null;
    return (nowMs() - this.#targetLatencyMs() - this.#captureBase) / 1000;
  }

  // requestVideoFrameCallback reports each frame as it is composited, with its media
  // time: the latency of what the viewer actually sees.
  #watchFrames() {
    const video = this.#video;
    if (!video.requestVideoFrameCallback) return;
    const onFrame = (_, { expectedDisplayTime, mediaTime }) => {
      if (this.#closed) return;
      if (this.#captureBase !== null) {
        this.#shownLatencyMs = performance.timeOrigin + expectedDisplayTime - (this.#captureBase + mediaTime * 1000);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  #startPlayback() {
    if (this.#started) return;
    const start = this.#bufferedStart();
    if (start === null) return;
    this.#started = true;
    // Start at the target latency if that much is buffered, else as close to it as
    // leaves a little media to play while the next chunk comes.
    const edge = this.#liveEdge();
    const wanted = this.#targetPosition() ?? edge;
    this.#video.currentTime = Math.max(start, Math.min(wanted, edge - MIN_START_AHEAD_S));
    this.#lastTime = this.#video.currentTime;
    this.#video.play().catch((error) => {
      if (error.name === 'NotAllowedError') this.dispatchEvent(new Event('autoplay-blocked'));
    });
  }

  #monitor() {
    if (!this.#started || this.#closed || this.#state === 'failed' || this.#state === 'ended') return;
    const video = this.#video;
    if (video.ended || (this.#mediaSource.readyState === 'ended' && this.#bufferAhead() < 0.1)) {
      this.#setState('ended');
      return;
    }
    const advanced = video.currentTime > this.#lastTime + STALL_EPSILON_S;
    this.#lastTime = video.currentTime;
    if (video.paused) return;
    if (advanced) {
      if (this.#stalledSince !== null) {
        this.#stalledMs += performance.now() - this.#stalledSince;
        this.#stalledSince = null;
      }
      this.#setState('playing');
    } else if (this.#state !== 'waiting' && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) {
      // Only after playback has begun: the wait for the first frame is startup, not a stall.
      if (this.#stalledSince === null) {
        this.#stalledSince = performance.now();
        this.#stalls++;
      }
      this.#setState('stalled');
      this.#jumpGap();
    }
    this.#followLiveEdge();
    this.#trimBackBuffer();
  }

  // A skipped chunk leaves a hole; playback waits at its start forever unless moved on.
  #jumpGap() {
    const buffered = this.#video.buffered;
    const now = this.#video.currentTime;
    for (let i = 0; i < buffered.length; i++) {
      if (buffered.start(i) > now) {
        this.#video.currentTime = buffered.start(i) + 0.01;
        return;
      }
    }
  }

  #followLiveEdge() {
    const video = this.#video;
    const latency = this.#playheadLatencyMs();
    if (latency === null) return;
    const { seekAboveMs, maxRateChange, rateGainPerS } = this.options;
    const errorMs = latency - this.#targetLatencyMs();
    const target = this.#targetPosition();
    const edge = this.#liveEdge();
    if (errorMs > seekAboveMs && this.#isBuffered(target) && target < edge - MIN_START_AHEAD_S) {
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

  #isBuffered(time) {
    const buffered = this.#video.buffered;
    for (let i = 0; i < buffered.length; i++) {
      if (buffered.start(i) <= time && time < buffered.end(i)) return true;
    }
    return false;
  }

  #trimBackBuffer() {
    const start = this.#bufferedStart();
    const keepFrom = this.#video.currentTime - this.options.backBufferS;
    // Trim in steps of ~10 s, not on every tick.
    if (start === null || keepFrom - start < 10 || this.#ops.some((op) => op.kind === 'remove')) return;
    this.#enqueue({ kind: 'remove', start, end: keepFrom });
  }

  #bufferedStart() {
    const buffered = this.#video.buffered;
    return buffered.length ? buffered.start(0) : null;
  }

  #liveEdge() {
    const buffered = this.#video.buffered;
    return buffered.length ? buffered.end(buffered.length - 1) : null;
  }

  #bufferAhead() {
    const buffered = this.#video.buffered;
    const now = this.#video.currentTime;
    for (let i = 0; i < buffered.length; i++) {
      if (buffered.start(i) <= now + STALL_EPSILON_S && now < buffered.end(i)) return buffered.end(i) - now;
    }
    return 0;
  }

  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: state }));
  }

  #fail(type, error) {
    this.#setState('failed');
    this.dispatchEvent(new CustomEvent('error', { detail: { type, detail: error?.message ?? String(error), fatal: true } }));
  }
}
