// One epoch of a WebCodecs broadcast: one source stream, one VideoEncoder per rendition
// all fed the same frame, one Opus AudioEncoder muxed into every rendition. Chunk k of
// every rendition opens on the same frame: the first captured at or after k chunk
// durations of capture time, which every encoder is told to make a keyframe. Under
// load a frame is skipped for every rendition or for none, and a boundary frame never;
// a rendition that cannot keep up is dropped (the lowest first) at a boundary.
import { OPUS_FRAME_US, RenditionTrack } from './rendition-track.js';
import { planLadder } from './rendition-ladder.js';
import { openAudioData, openVideoFrames } from './frame-source.js';
import { opusHead } from './opus-head.js';
import { EncoderHealth } from './encoder-health.js';

/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('../../build/wasm/swarmcast.mjs').MuxEvent} MuxEvent */
/** @typedef {import('../../build/wasm/swarmcast.mjs').InitEvent} InitEvent */
/** @typedef {import('./rendition-ladder.js').RenditionRung} RenditionRung */
/** @typedef {import('./rendition-ladder.js').PlannedRendition} PlannedRendition */
/** @typedef {import('./rendition-track.js').RenditionTrackStats} RenditionTrackStats */
/** @typedef {import('./frame-source.js').FrameSource} FrameSource */

/**
 * @typedef {object} SessionHooks
 * @property {(renditions: PlannedRendition[], firstSeq: number, audio: boolean) => void} ladder The renditions from
 *   chunk firstSeq on, and whether they carry sound.
 * @property {(rendition: number, event: MuxEvent | InitEvent) => void} media A rendition's init, chunk or error event.
 * @property {(error: unknown) => void} failed An encoder failed: the session is over.
 */

// An encoder holding more frames than this is behind: the next frame (unless it opens a
// chunk) is skipped for every rendition.
const MAX_QUEUE = 2;
// Audio that does not start within this long after the session is encoded without it.
const AUDIO_START_MS = 1500;

export class RenditionSession {
  #core;
  #stream;
  #options;
  #hooks;
  /** @type {FrameSource[]} */
  #sources = [];
  /** @type {RenditionTrack[]} */
  #tracks = [];
  /** @type {AudioEncoder | null} */
  #audioEncoder = null;
  /** @type {import('../core/frame-muxer.js').RenditionAudio | null} */
  #audio = null;
  #audioWanted = false;
  #openedAt = 0;
  /** @type {number | null} capture µs of the epoch's first frame */
  #startUs = null;
  #nextBoundaryUs = 0;
  #nextKeyframeUs = 0;
  #chunkIndex = -1;
  /** @type {Set<number>} */
  #boundaries = new Set();
  #health;
  #dropWanted = false;
  #counts = { captured: 0, skipped: 0 };
  #lastSeq = -1;
  // Ended: no more input read. Closed: no more output muxed either.
  #ended = false;
  #closed = false;

  /**
   * @param {SwarmcastCore} core
   * @param {MediaStream} stream
   * @param {{ epoch: number, firstSeq: number, rungs: ReadonlyArray<RenditionRung>, chunkMs: number, keyframeMs: number,
   *   audioBitsPerSecond: number, keepUp: import('./encoder-health.js').EncoderHealthOptions }} options
   * @param {SessionHooks} hooks
   */
  constructor(core, stream, options, hooks) {
    this.#core = core;
    this.#stream = stream;
    this.#options = options;
    this.#hooks = hooks;
    this.#health = new EncoderHealth(options.keepUp);
  }

  /**
   * Starts reading the stream. False when its audio cannot be read here (the caller
   * then records it another way).
   * @returns {Promise<boolean>}
   */
  async start() {
    const [audioTrack] = this.#stream.getAudioTracks();
    const [videoTrack] = this.#stream.getVideoTracks();
    if (!videoTrack) return false;
    if (audioTrack) {
      const audio = await openAudioData(audioTrack, (data) => this.#onAudioData(data));
      if (!audio) return false;
      this.#audioWanted = true;
      this.#sources.push(audio);
    }
    this.#openedAt = performance.now();
    this.#sources.push(openVideoFrames(videoTrack, (frame) => this.#onVideoFrame(frame)));
    return true;
  }

  /** @returns {number} the seq after the last chunk this session published */
  get nextSeq() {
    return this.#lastSeq >= 0 ? this.#lastSeq + 1 : this.#options.firstSeq;
  }

  /** @returns {{ captured: number, skipped: number, renditions: RenditionTrackStats[] }} */
  stats() {
    return { ...this.#counts, renditions: this.#tracks.map((t) => t.stats()) };
  }

  /**
   * Stops reading; the encoders finish what they hold and the last chunks are muxed.
   * @returns {Promise<void>}
   */
  async finish() {
    if (this.#ended) return;
    this.#ended = true;
    for (const source of this.#sources) source.stop();
    if (this.#audioEncoder?.state === 'configured') await this.#audioEncoder.flush().catch(() => {});
    if (this.#audioEncoder && this.#audioEncoder.state !== 'closed') this.#audioEncoder.close();
    await Promise.all(this.#tracks.map((t) => t.finish()));
  }

  /** Stops at once, muxing nothing more. */
  close() {
    this.#ended = true;
    this.#closed = true;
    for (const source of this.#sources) source.stop();
    if (this.#audioEncoder && this.#audioEncoder.state !== 'closed') this.#audioEncoder.close();
    for (const track of this.#tracks) track.close();
  }

  /** @param {AudioData} data */
  #onAudioData(data) {
    // An epoch that began without sound (it came too late) stays without.
    if (this.#ended || (!this.#audioEncoder && this.#startUs !== null)) return data.close();
    if (!this.#audioEncoder) this.#openAudioEncoder(data);
    if (this.#audioEncoder?.state === 'configured') this.#audioEncoder.encode(data);
    data.close();
  }

  /** @param {AudioData} first */
  #openAudioEncoder(first) {
    const channels = Math.min(2, first.numberOfChannels);
    this.#audioEncoder = new AudioEncoder({
      output: (chunk) => this.#onAudioChunk(chunk),
      error: (error) => this.#fail(error),
    });
    this.#audioEncoder.configure({ codec: 'opus', sampleRate: first.sampleRate, numberOfChannels: channels,
      bitrate: this.#options.audioBitsPerSecond, opus: { frameDuration: OPUS_FRAME_US } });
    // Opus always decodes at 48 kHz; the head names the input rate for information only.
    this.#audio = { sampleRate: 48000, channels, opusHead: opusHead(channels, first.sampleRate) };
  }

  /** @param {EncodedAudioChunk} chunk */
  #onAudioChunk(chunk) {
    if (this.#startUs === null || this.#closed) return;
    const timestampUs = chunk.timestamp - this.#startUs;
    if (timestampUs < 0) return;
    const bytes = new Uint8Array(chunk.byteLength);
    chunk.copyTo(bytes);
    /** @type {import('../core/frame-muxer.js').MuxFrame} */
    const packet = { track: 'audio', timestampUs, keyframe: true, bytes };
    for (const track of this.#tracks) track.pushAudio(packet);
  }

  /** @param {VideoFrame} frame timestamped µs of the capture clock */
  #onVideoFrame(frame) {
    try {
      if (!this.#ended) this.#encodeFrame(frame);
    } finally {
      frame.close();
    }
  }

  /** @param {VideoFrame} frame */
  #encodeFrame(frame) {
    if (this.#startUs === null) {
      // The epoch opens once its audio is known (or given up on): every init segment declares it.
      const audioPending = this.#audioWanted && !this.#audio && performance.now() - this.#openedAt < AUDIO_START_MS;
      if (audioPending || !this.#begin(frame)) return;
    }
    const startUs = /** @type {number} */ (this.#startUs);
    const timestampUs = frame.timestamp - startUs;
    this.#counts.captured++;
    const boundary = timestampUs >= this.#nextBoundaryUs;
    const keyframe = boundary && timestampUs >= this.#nextKeyframeUs;
    if (boundary) {
      const chunkUs = this.#options.chunkMs * 1000;
      this.#nextBoundaryUs = (Math.floor(timestampUs / chunkUs) + 1) * chunkUs;
      if (keyframe) {
        const keyframeUs = this.#options.keyframeMs * 1000;
        this.#nextKeyframeUs = (Math.floor(timestampUs / keyframeUs) + 1) * keyframeUs;
      }
      this.#chunkIndex++;
      if (this.#dropWanted) this.#dropLowest();
      for (const t of this.#boundaries) if (t < timestampUs - 10 * chunkUs) this.#boundaries.delete(t);
      this.#boundaries.add(timestampUs);
    } else if (this.#tracks.some((t) => t.queueSize > MAX_QUEUE)) {
      this.#counts.skipped++;
      this.#judge();
      return;
    }
    const relative = new VideoFrame(frame, { timestamp: timestampUs });
    try {
      for (const track of this.#tracks) track.encode(relative, keyframe);
    } finally {
      relative.close();
    }
    this.#judge();
  }

  /**
   * The epoch's first frame: its size sets the ladder; the renditions' encoders and
   * muxers open, their init segments go out.
   * @param {VideoFrame} frame
   * @returns {boolean}
   */
  #begin(frame) {
    const renditions = planLadder({ width: frame.displayWidth, height: frame.displayHeight }, this.#options.rungs);
    if (renditions.length === 0) {
      this.#fail(new Error(`no rendition fits a ${frame.displayWidth}x${frame.displayHeight} source`));
      return false;
    }
    const { epoch, firstSeq } = this.#options;
    const frameRate = this.#stream.getVideoTracks()[0]?.getSettings().frameRate || 30;
    this.#startUs = frame.timestamp;
    try {
      this.#tracks = renditions.map((rendition) => new RenditionTrack(this.#core, rendition, {
        epoch, firstSeq, frameRate, audio: this.#audio, boundaries: this.#boundaries,
        onEvents: (events) => this.#deliver(rendition.id, events), onError: (error) => this.#fail(error),
      }));
    } catch (error) {
      this.#fail(error);
      return false;
    }
    this.#hooks.ladder(renditions, firstSeq, this.#audio !== null);
    for (const track of this.#tracks) this.#hooks.media(track.rendition.id, track.init);
    return true;
  }

  #judge() {
    const verdict = this.#health.observe(performance.now(), this.#counts.captured, this.#tracks.map((t) => t.framesOut));
    if (verdict === 'behind' && this.#tracks.length > 1) this.#dropWanted = true;
  }

  // The lowest rendition goes: it frees an encoder, and viewers of the others see no
  // change. Its open chunk, which ends where this boundary frame begins, is finished.
  #dropLowest() {
    this.#dropWanted = false;
    const dropped = this.#tracks.pop();
    void dropped?.finish();
    this.#health.reset();
    this.#hooks.ladder(this.#tracks.map((t) => t.rendition), this.#options.firstSeq + this.#chunkIndex, this.#audio !== null);
  }

  /**
   * @param {number} rendition
   * @param {MuxEvent[]} events
   */
  #deliver(rendition, events) {
    for (const event of events) {
      if (event.type === 'chunk') this.#lastSeq = Math.max(this.#lastSeq, event.seq);
      this.#hooks.media(rendition, event);
    }
  }

  /** @param {unknown} error */
  #fail(error) {
    if (this.#closed) return;
    this.close();
    this.#hooks.failed(error);
  }

  /** @returns {number} capture ms of the epoch's first frame (0 before it) */
  get startMs() {
    return this.#startUs === null ? 0 : Math.round(this.#startUs / 1000);
  }
}
