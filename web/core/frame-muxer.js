// The WebCodecs muxer (C++ media::FrameMuxer, in wasm): a rendition's encoded frames in
// capture order, its init segment and chunks out, each chunk one WebM Cluster of unknown
// size opening at the video frame the caller marked as a chunk boundary. The events
// have the segmenter's shapes, so signing and the swarm take them as they are:
//   muxer.init:   { type: 'init', epoch, mimeType, video, audio, bytes }
//   push/finish:  { type: 'chunk', seq, epoch, startMs, durationMs, keyframe, bytes }
//                 { type: 'error', code, detail, fatal }
// startMs is the chunk's first frame's timestamp in ms: with timestamps from the capture
// clock, its capture time. RenditionAlignment checks that chunk k of every rendition
// starts at the same moment.
import { HeapBuffer, withHeapBytes } from './heap.js';
/** @import { SwarmcastCore } from './index.js' */

/** @import { InitEvent } from '../../build/wasm/swarmcast.mjs' */
/** @typedef {import('../../build/wasm/swarmcast.mjs').MuxErrorEvent} MuxErrorEvent */
/** @typedef {import('../../build/wasm/swarmcast.mjs').MuxEvent} MuxEvent */

/**
 * One rung of the ladder, as its init segment declares it.
 * @typedef {object} RenditionSpec
 * @property {'V_VP8' | 'V_VP9'} videoCodec
 * @property {number} width
 * @property {number} height
 * @property {RenditionAudio} [audio] Opus; the same packets go into every rendition.
 */

/**
 * @typedef {object} RenditionAudio
 * @property {number} sampleRate
 * @property {number} channels
 * @property {Uint8Array} opusHead The AudioEncoder's decoderConfig.description (19 bytes for mono or stereo).
 */

/**
 * @typedef {object} FrameMuxerOptions
 * @property {number} [epoch] Written into the init segment's and every chunk's event (default 0).
 * @property {number} [firstSeq] The first chunk's number: a rendition started mid-stream takes its siblings' (default 0).
 * @property {number} [maxFrameBytes] A larger frame is refused (4 MiB).
 * @property {number} [maxChunkBytes] A frame that would take its chunk above this is refused (16 MiB).
 */

/**
 * An encoded frame, as a VideoEncoder or AudioEncoder hands it over (copied out of its
 * EncodedVideoChunk / EncodedAudioChunk).
 * @typedef {object} MuxFrame
 * @property {'video' | 'audio'} track
 * @property {number} timestampUs The chunk's timestamp: µs of the capture clock.
 * @property {boolean} keyframe
 * @property {boolean} [chunkBoundary] Video: this frame opens the next chunk (every rendition's encoder was asked
 *   for a keyframe on it).
 * @property {Uint8Array} bytes
 */

/** @type {Readonly<Required<Omit<FrameMuxerOptions, 'epoch' | 'firstSeq'>>>} */
export const FRAME_MUXER_DEFAULTS = Object.freeze({
  maxFrameBytes: 4 * 1024 * 1024,
  maxChunkBytes: 16 * 1024 * 1024,
});

/** A rendition spec the muxer cannot write; `code` is 'bad_spec'. */
export class MuxSpecError extends Error {
  /** @param {MuxErrorEvent} error */
  constructor(error) {
    super(`cannot mux this rendition: ${error.detail}`);
    this.name = 'MuxSpecError';
    this.type = error.type;
    this.code = error.code;
    this.detail = error.detail;
    this.fatal = error.fatal;
  }
}

/** @param {unknown} value @returns {number} a uint32, or 0 for anything else (which the muxer refuses) */
const uint32 = (value) => (Number.isInteger(value) && Number(value) >= 0 && Number(value) <= 0xffffffff ? Number(value) : 0);

/**
 * One rendition's muxer. Refused frames come back as error events, never exceptions
 * (except arguments of the wrong type: TypeError).
 */
export class FrameMuxer {
  /**
   * @param {SwarmcastCore} core
   * @param {RenditionSpec} spec
   * @param {FrameMuxerOptions} [options]
   * @throws {MuxSpecError} when the spec cannot be written as an init segment
   */
  constructor(core, spec, options = {}) {
    const o = { ...FRAME_MUXER_DEFAULTS, ...options };
    const audio = spec.audio;
    // The binding reads 0 channels as "no audio track": a spec with audio must say how many.
    const channels = audio ? uint32(audio.channels) : 0;
    if (audio && channels === 0) {
      throw new MuxSpecError({ type: 'error', code: 'bad_spec', detail: `audio channels ${audio.channels}`, fatal: true });
    }
    const opusHead = audio?.opusHead instanceof Uint8Array ? audio.opusHead : new Uint8Array(0);
    const native = withHeapBytes(core, opusHead, (pointer, length) =>
      new core.FrameMuxer(String(spec.videoCodec), uint32(spec.width), uint32(spec.height),
        uint32(audio?.sampleRate), channels, pointer, length,
        uint32(o.epoch ?? 0), uint32(o.firstSeq ?? 0), uint32(o.maxFrameBytes), uint32(o.maxChunkBytes)));
    const error = native.error();
    const init = native.init();
    if (error || !init) {
      native.delete();
      throw new MuxSpecError(error ?? { type: 'error', code: 'bad_spec', detail: 'no init segment', fatal: true });
    }
    /** @private */
    this.native = native;
    /** @private */
    this.heap = new HeapBuffer(core);
    /** The rendition's init segment: appended before its first chunk, and before a switch to it. */
    this.init = init;
  }

  /**
   * @param {MuxFrame} frame
   * @returns {MuxEvent[]} the chunk this frame closed, or why it was refused; usually none
   */
  push(frame) {
    if (!(frame.bytes instanceof Uint8Array)) throw new TypeError('FrameMuxer.push expects frame.bytes as a Uint8Array');
    if (frame.track !== 'video' && frame.track !== 'audio') throw new TypeError("FrameMuxer.push expects track 'video' or 'audio'");
    const pointer = this.heap.write(frame.bytes);
    return this.native.push(frame.track === 'audio', Number(frame.timestampUs), Boolean(frame.keyframe),
      Boolean(frame.chunkBoundary), pointer, frame.bytes.length);
  }

  /**
   * The end of the stream: the open chunk, lasting until its last video frame ends.
   * @returns {MuxEvent[]}
   */
  finish() {
    return this.native.finish();
  }

  /**
   * The bytes the last push added to the open chunk (a new Cluster's start and the frame
   * when it opened one): published frame by frame, they add up to the chunk's bytes.
   * @returns {Uint8Array<ArrayBuffer>}
   */
  appended() {
    return this.native.appended();
  }

  /**
   * Frames dropped without an error: before the first boundary, or video held back
   * after a refused video frame until the next keyframe.
   * @returns {number}
   */
  droppedFrames() {
    return this.native.droppedFrames();
  }

  /** Frees the wasm memory; the object is unusable afterwards. */
  close() {
    this.heap.free();
    this.native.delete();
  }
}

/**
 * Checks that chunk k of every rendition starts at the same capture time, within
 * `toleranceMs` (a frame), as chunk events come in from the renditions' muxers.
 */
export class RenditionAlignment {
  /**
   * @param {SwarmcastCore} core
   * @param {{ toleranceMs?: number, window?: number }} [options] tolerance (default 34 ms: a frame at 30 fps);
   *   how many of the newest chunk numbers are remembered (default 64)
   */
  constructor(core, { toleranceMs = 34, window = 64 } = {}) {
    /** @private */
    this.native = new core.RenditionAlignment(Number(toleranceMs), uint32(window));
  }

  /**
   * @param {number} rendition the rendition's index in the ladder
   * @param {{ seq: number, startMs: number }} chunk a chunk event of that rendition's muxer
   * @returns {MuxErrorEvent | null} null when aligned; a 'misaligned' error (not fatal) naming both renditions
   */
  check(rendition, chunk) {
    return this.native.check(uint32(rendition), Number(chunk.seq), Number(chunk.startMs));
  }

  /** Frees the wasm memory; the object is unusable afterwards. */
  close() {
    this.native.delete();
  }
}
