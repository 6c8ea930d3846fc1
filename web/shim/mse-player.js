// The only owner of the MediaSource and its SourceBuffer (one, muxed audio + video).
// Every append and removal goes through one queue, run one at a time on `updateend`,
// so no caller can ever touch a SourceBuffer that is updating. It keeps the video near
// the live edge, jumps gaps left by skipped chunks, trims the back buffer, and reports
// what a viewer sees: buffer seconds, playing/stalled, decoded frames, and the
// glass-to-glass latency of the frame on screen.
//   events: 'statechange' (detail: state), 'error' (detail: {type, detail, fatal}),
//           'autoplay-blocked'
//   states: idle → waiting (no media yet) → playing ⇄ stalled → ended; or failed
import { nowMs } from './clock.js';

export const MSE_PLAYER_DEFAULTS = Object.freeze({
  liveDelayS: 1.5,       // target distance behind the newest buffered media
  catchUpAboveS: 3,      // play slightly faster while further behind than this
  seekAboveS: 6,         // further behind than this: jump to the live edge
  backBufferS: 20,       // media kept behind the playhead
  monitorMs: 250,
});

const CATCH_UP_RATE = 1.08;
const STALL_EPSILON_S = 0.01;

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
  #timer;

  constructor(video, options = {}) {
    super();
    this.options = { ...MSE_PLAYER_DEFAULTS, ...options };
    this.#video = video;
    this.#opened = new Promise((resolve) => this.#mediaSource.addEventListener('sourceopen', resolve, { once: true }));
    this.#objectUrl = URL.createObjectURL(this.#mediaSource);
    video.src = this.#objectUrl;
    this.#timer = setInterval(() => this.#monitor(), this.options.monitorMs);
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
  // time, on the shim's clock); it maps media time to capture time for latency.
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
      // Glass to glass: now minus the capture time of the frame at the playhead.
      latencyMs: this.#captureBase === null || !this.#started ? null
        : nowMs() - (this.#captureBase + video.currentTime * 1000),
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
      this.#prepareSourceBuffer(op.mimeType);
      await this.#append(op.bytes);
      this.#appended.inits++;
    } else if (op.kind === 'chunk') {
      if (!this.#sourceBuffer) throw new Error('a chunk arrived before any init segment');
      const startsBefore = this.#rangeStarts();
      await this.#append(op.bytes);
      this.#anchorCapture(op.captureMs, startsBefore);
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
  // are the recorder's start plus the media timestamps). A chunk that opens a new
  // buffered range (the first one, one after a skipped chunk, a restarted recording)
  // starts exactly at that range's start, which anchors the mapping.
  #anchorCapture(captureMs, startsBefore) {
    if (captureMs === null) return;
    const fresh = this.#rangeStarts().find((start) => !startsBefore.includes(start));
    if (fresh !== undefined) this.#captureBase = captureMs - fresh * 1000;
  }

  #rangeStarts() {
    const buffered = this.#video.buffered;
    return Array.from({ length: buffered.length }, (_, i) => buffered.start(i));
  }

  #startPlayback() {
    if (this.#started) return;
    const start = this.#bufferedStart();
    if (start === null) return;
    this.#started = true;
    // A late joiner's first chunk starts far from zero: begin where the media is.
    const edge = this.#liveEdge();
    this.#video.currentTime = Math.max(start, edge - this.options.liveDelayS);
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
    const edge = this.#liveEdge();
    if (edge === null) return;
    const behind = edge - this.#video.currentTime;
    const { liveDelayS, catchUpAboveS, seekAboveS } = this.options;
    if (behind > seekAboveS) this.#video.currentTime = edge - liveDelayS;
    const rate = behind > catchUpAboveS ? CATCH_UP_RATE : 1;
    if (this.#video.playbackRate !== rate) this.#video.playbackRate = rate;
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
