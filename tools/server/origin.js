// The optional HTTP origin: the broadcaster PUTs each signed chunk (and each epoch's
// init segment), the server checks it with the stream's key and keeps a short window,
// and viewers whose peers cannot deliver in time GET it. Bodies are stored and served
// exactly as uploaded (signed header + payload), so viewers verify them the same way
// as bytes from a peer. Only live streams have a window; it is dropped when the
// broadcaster leaves, which bounds memory by the rooms limit.
import { HeaderKind, StreamVerifier } from '../../web/core/index.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {'chunk' | 'init'} ItemKind */

/** A refused upload: the HTTP status and error code to answer with. */
export class OriginError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

class StreamWindow {
  /**
   * @param {SwarmcastCore} core
   * @param {string} streamId
   */
  constructor(core, streamId) {
    this.verifier = new StreamVerifier(core, streamId);
    /** @type {Map<number, Uint8Array>} seq -> body */
    this.chunks = new Map();
    /** @type {Map<number, Uint8Array>} epoch -> body */
    this.inits = new Map();
    this.chunkBytes = 0;
  }
}

export class ChunkOrigin {
  /**
   * @param {object} options
   * @param {SwarmcastCore} options.core
   * @param {Limits} options.limits
   * @param {(streamId: string) => boolean} options.isLive whether the stream has a broadcaster now
   */
  constructor({ core, limits, isLive }) {
    this.core = core;
    this.limits = limits;
    this.isLive = isLive;
    /** @type {Map<string, StreamWindow>} */
    this.streams = new Map();
  }

  /**
   * Keeps a signed item once it verifies. Throws OriginError.
   * @param {string} streamId
   * @param {ItemKind} kind 'chunk' (number = seq) or 'init' (number = epoch)
   * @param {number} number
   * @param {Uint8Array} body the signed header, then the payload
   */
  put(streamId, kind, number, body) {
    if (!this.isLive(streamId)) throw new OriginError(404, 'not_live', 'no live broadcaster for this stream');
    const headerSize = this.core.SIGNED_HEADER_SIZE;
    if (body.length <= headerSize) throw new OriginError(400, 'truncated', `a body is a ${headerSize}-byte header and a payload`);
    let window = this.streams.get(streamId);
    if (!window) {
      window = new StreamWindow(this.core, streamId);
      this.streams.set(streamId, window);
    }
    const header = body.subarray(0, headerSize);
    const payload = body.subarray(headerSize);
    const fields = window.verifier.verifyHeader(header);
    if (!fields.ok) throw new OriginError(403, fields.error, `header refused: ${fields.error}`);
    const signedNumber = kind === 'init' ? fields.epoch : fields.seq;
    // The paths name no rendition yet: the origin holds a stream's rendition 0 only.
    if (fields.kind !== kind || signedNumber !== number || fields.byteLength !== payload.length || fields.rendition !== 0) {
      throw new OriginError(400, 'mismatch',
        `the signed header is for ${fields.kind} ${signedNumber} of rendition ${fields.rendition}, ${fields.byteLength} bytes`);
    }
    const checked = window.verifier.verifyPayload(HeaderKind[kind], number, payload);
    if (!checked.ok) throw new OriginError(403, checked.error, `payload refused: ${checked.error}`);
    if (kind === 'init') this.#keepInit(window, number, body);
    else this.#keepChunk(window, number, body);
  }

  /**
   * @param {string} streamId
   * @param {ItemKind} kind
   * @param {number} number
   * @returns {Uint8Array | null}
   */
  get(streamId, kind, number) {
    const window = this.streams.get(streamId);
    return (kind === 'init' ? window?.inits : window?.chunks)?.get(number) ?? null;
  }

  /**
   * What a viewer may fetch: sequence numbers and epochs, oldest first.
   * @param {string} streamId
   * @returns {{ chunks: number[], inits: number[] } | null}
   */
  index(streamId) {
    const window = this.streams.get(streamId);
    if (!window) return null;
    /** @param {Map<number, Uint8Array>} map */
    const sorted = (map) => [...map.keys()].sort((a, b) => a - b);
    return { chunks: sorted(window.chunks), inits: sorted(window.inits) };
  }

  /** @param {string} streamId */
  drop(streamId) {
    this.streams.get(streamId)?.verifier.close();
    this.streams.delete(streamId);
  }

  close() {
    for (const streamId of [...this.streams.keys()]) this.drop(streamId);
  }

  /**
   * @param {StreamWindow} window
   * @param {number} seq
   * @param {Uint8Array} body
   */
  #keepChunk(window, seq, body) {
    window.chunkBytes += body.length - (window.chunks.get(seq)?.length ?? 0);
    window.chunks.set(seq, body);
    while (window.chunks.size > this.limits.originChunks || window.chunkBytes > this.limits.originBytes) {
      const oldest = Math.min(...window.chunks.keys());
      window.chunkBytes -= window.chunks.get(oldest)?.length ?? 0;
      window.chunks.delete(oldest);
    }
  }

  /**
   * @param {StreamWindow} window
   * @param {number} epoch
   * @param {Uint8Array} body
   */
  #keepInit(window, epoch, body) {
    window.inits.set(epoch, body);
    while (window.inits.size > this.limits.originInits) window.inits.delete(Math.min(...window.inits.keys()));
  }
}
