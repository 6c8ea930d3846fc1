// One rendition of a broadcast epoch: its VideoEncoder (which scales the source frame to
// the rendition's size), its FrameMuxer (web/core/frame-muxer.js), and the merge of its
// video with the shared Opus packets in capture order. Measures what it costs: encode
// time per frame, output frame rate, bytes per chunk.
import { FrameMuxer } from '../core/index.js';

/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('../core/frame-muxer.js').MuxFrame} MuxFrame */
/** @typedef {import('../core/frame-muxer.js').RenditionAudio} RenditionAudio */
/** @typedef {import('../../build/wasm/swarmcast.mjs').MuxEvent} MuxEvent */
/** @typedef {import('./rendition-ladder.js').PlannedRendition} PlannedRendition */

/**
 * A rendition's numbers, for the broadcaster's stats.
 * @typedef {object} RenditionTrackStats
 * @property {number} id
 * @property {number} width
 * @property {number} height
 * @property {number} bitrate The nominal video rate it was configured with (bits/s).
 * @property {number} measuredBitsPerS Bits/s of its chunks (bytes over their duration), over the last ~10 chunks.
 * @property {number} chunks Chunks muxed.
 * @property {number} bytes Bytes of those chunks.
 * @property {number} audioSilencedMs Silence muxed where the audio came too late for its video (a starved page).
 * @property {number} framesIn Frames handed to its encoder.
 * @property {number} framesOut Frames its encoder gave back.
 * @property {number} encodeMsPerFrame The encoder's busy time per frame (call to output, back to back): its CPU cost.
 * @property {number} encoderCpuShare That busy time over wall time, the last ~10 s: the share of one core it takes.
 */

// Video waits this long for the audio of its moment before it is muxed without it.
const AUDIO_WAIT_US = 500_000;
// The Opus packets' length (the session configures its encoder so).
export const OPUS_FRAME_US = 20_000;
const RATE_CHUNKS = 10;
const CPU_WINDOW_MS = 10_000;

export class RenditionTrack {
  #encoder;
  #muxer;
  /** @type {MuxFrame[]} */
  #video = [];
  /** @type {MuxFrame[]} */
  #audio = [];
  #hasAudio;
  #audioUntilUs = -Infinity;
  #audioEndUs = -Infinity;  // where the audio muxed so far ends
  /** @type {Uint8Array} */
  #silence;
  #lastMuxedUs = -Infinity;
  #boundaries;
  #onEvents;
  /** @type {number[]} encode() call times not yet answered */
  #calls = [];
  #busyMs = 0;
  #lastOutputAt = 0;
  // (wall ms, busy ms so far) at each chunk of the last CPU_WINDOW_MS and one before.
  /** @type {{ at: number, busyMs: number }[]} */
  #busySamples = [{ at: performance.now(), busyMs: 0 }];
  #closed = false;
  #counts = { in: 0, out: 0, chunks: 0, bytes: 0, silentUs: 0 };
  /** @type {{ bytes: number, durationMs: number }[]} */
  #recent = [];

  /**
   * @param {SwarmcastCore} core
   * @param {PlannedRendition} rendition
   * @param {{ epoch: number, firstSeq: number, frameRate: number, audio: RenditionAudio | null,
   *   boundaries: Set<number>, onEvents: (events: MuxEvent[]) => void, onError: (error: unknown) => void }} options
   *   boundaries: the timestamps (µs) of the frames that open a chunk, shared by every rendition
   */
  constructor(core, rendition, { epoch, firstSeq, frameRate, audio, boundaries, onEvents, onError }) {
    this.rendition = rendition;
    this.#hasAudio = audio !== null;
    // An Opus packet of one 20 ms frame of zero bytes (RFC 6716, 3.2.1: code 0, a TOC
    // byte of configuration 31, CELT fullband 20 ms, mono or stereo): the decoder
    // conceals it as a lost frame, which after silence is silence.
    this.#silence = Uint8Array.of((31 << 3) | (audio?.channels === 2 ? 0b100 : 0));
    this.#boundaries = boundaries;
    this.#onEvents = onEvents;
    this.#muxer = new FrameMuxer(core, { videoCodec: 'V_VP8', width: rendition.width, height: rendition.height,
      ...(audio ? { audio } : {}) }, { epoch, firstSeq });
    /** The init segment event of this rendition and epoch. */
    this.init = this.#muxer.init;
    this.#encoder = new VideoEncoder({ output: (chunk) => this.#onOutput(chunk), error: onError });
    this.#encoder.configure({ codec: 'vp8', width: rendition.width, height: rendition.height, bitrate: rendition.bitrate,
      framerate: frameRate, latencyMode: 'realtime' });
  }

  /** @returns {number} frames its encoder gave back */
  get framesOut() {
    return this.#counts.out;
  }

  /** @returns {number} frames waiting in its encoder */
  get queueSize() {
    return this.#encoder.encodeQueueSize;
  }

  /**
   * @param {VideoFrame} frame its timestamp µs since the epoch began
   * @param {boolean} keyframe a group of pictures opens at this frame (a chunk boundary), in every rendition
   */
  encode(frame, keyframe) {
    this.#calls.push(performance.now());
    this.#counts.in++;
    this.#encoder.encode(frame, { keyFrame: keyframe });
  }

  /** @param {MuxFrame} packet an Opus packet, the same object for every rendition */
  pushAudio(packet) {
    if (this.#closed) return;
    this.#audio.push(packet);
    this.#audioUntilUs = packet.timestampUs;
    this.#drain(false);
  }

  /**
   * The epoch's end: what the encoder still holds, then the last chunk.
   * @returns {Promise<void>}
   */
  async finish() {
    if (this.#closed) return;
    await this.#encoder.flush().catch(() => {});
    if (this.#closed) return;
    this.#drain(true);
    this.#onEvents(this.#muxer.finish());
    this.close();
  }

  /** Stops at once; the open chunk is abandoned. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#encoder.state !== 'closed') this.#encoder.close();
    this.#muxer.close();
    this.#video = [];
    this.#audio = [];
  }

  /** @returns {RenditionTrackStats} */
  stats() {
    const { id, width, height, bitrate } = this.rendition;
    const bytes = this.#recent.reduce((n, c) => n + c.bytes, 0);
    const ms = this.#recent.reduce((n, c) => n + c.durationMs, 0);
    const now = performance.now();
    const since = this.#busySamples[0];
    return {
      id, width, height, bitrate,
      measuredBitsPerS: ms > 0 ? Math.round((bytes * 8000) / ms) : 0,
      chunks: this.#counts.chunks,
      bytes: this.#counts.bytes,
      audioSilencedMs: this.#counts.silentUs / 1000,
      framesIn: this.#counts.in,
      framesOut: this.#counts.out,
      encodeMsPerFrame: this.#counts.out ? this.#busyMs / this.#counts.out : 0,
      encoderCpuShare: now > since.at ? (this.#busyMs - since.busyMs) / (now - since.at) : 0,
    };
  }

  /** @param {EncodedVideoChunk} chunk */
  #onOutput(chunk) {
    if (this.#closed) return;
    const now = performance.now();
    const calledAt = this.#calls.shift() ?? now;
    // Busy from the later of its call and the previous output: time spent on this frame alone.
    this.#busyMs += now - Math.max(calledAt, this.#lastOutputAt);
    this.#lastOutputAt = now;
    this.#counts.out++;
    const bytes = new Uint8Array(chunk.byteLength);
    chunk.copyTo(bytes);
    this.#video.push({ track: 'video', timestampUs: chunk.timestamp, keyframe: chunk.type === 'key',
      chunkBoundary: this.#boundaries.has(chunk.timestamp), bytes });
    this.#drain(false);
  }

  // Muxes video in capture order with the audio of the same moment: a video frame waits
  // for audio up to its time (at most AUDIO_WAIT_US) unless `force`.
  /** @param {boolean} force */
  #drain(force) {
    /** @type {MuxEvent[]} */
    const events = [];
    while (this.#video.length > 0) {
      const head = this.#video[0];
      const newest = this.#video[this.#video.length - 1];
      const audioBehind = this.#hasAudio && this.#audioUntilUs < head.timestampUs;
      if (audioBehind && !force && newest.timestampUs - head.timestampUs < AUDIO_WAIT_US) break;
      events.push(...this.#muxAudioUntil(head.timestampUs));
      if (audioBehind && !force) events.push(...this.#silenceUntil(head.timestampUs));
      this.#video.shift();
      events.push(...this.#mux(head));
    }
    if (force) events.push(...this.#muxAudioUntil(Infinity));
    if (events.length > 0) this.#deliver(events);
  }

  /** @param {number} untilUs */
  #muxAudioUntil(untilUs) {
    /** @type {MuxEvent[]} */
    const events = [];
    while (this.#audio.length > 0 && this.#audio[0].timestampUs <= untilUs) {
      const packet = /** @type {MuxFrame} */ (this.#audio.shift());
      // Audio that came after video of a later moment was muxed has missed its place, and
      // silence may be in it (#silenceUntil).
      const inPlace = packet.timestampUs >= this.#lastMuxedUs && packet.timestampUs >= this.#audioEndUs - OPUS_FRAME_US / 2;
      if (inPlace) events.push(...this.#muxAudio(packet));
    }
    return events;
  }

  // Video that waited its most for the audio of its moment goes with silence up to it: a
  // chunk without audio for a moment is a hole in what a player holds of the stream, at
  // which it stops. A starved page's audio runs behind its video by more and more (with 9
  // pages on 2 cores, 10-60 ms a second); once it was half a second behind, every chunk
  // came without audio and every viewer stalled for good. The audio stays in step with
  // the video: it is silent where it came too late, and plays again once in time.
  /** @param {number} untilUs */
  #silenceUntil(untilUs) {
    /** @type {MuxEvent[]} */
    const events = [];
    if (this.#audioEndUs === -Infinity) return events;  // no audio yet: none to carry on
    while (this.#audioEndUs < untilUs) {
      events.push(...this.#muxAudio({ track: 'audio', timestampUs: this.#audioEndUs, keyframe: true, bytes: this.#silence }));
      this.#counts.silentUs += OPUS_FRAME_US;
    }
    return events;
  }

  /** @param {MuxFrame} packet */
  #muxAudio(packet) {
    this.#audioEndUs = packet.timestampUs + OPUS_FRAME_US;
    return this.#mux(packet);
  }

  /** @param {MuxFrame} frame */
  #mux(frame) {
    this.#lastMuxedUs = frame.timestampUs;
    return this.#muxer.push(frame);
  }

  /** @param {MuxEvent[]} events */
  #deliver(events) {
    for (const event of events) {
      if (event.type !== 'chunk') continue;
      this.#counts.chunks++;
      this.#counts.bytes += event.bytes.length;
      this.#recent.push({ bytes: event.bytes.length, durationMs: event.durationMs });
      if (this.#recent.length > RATE_CHUNKS) this.#recent.shift();
      const now = performance.now();
      this.#busySamples.push({ at: now, busyMs: this.#busyMs });
      while (this.#busySamples.length > 2 && now - this.#busySamples[1].at >= CPU_WINDOW_MS) this.#busySamples.shift();
    }
    this.#onEvents(events);
  }
}
