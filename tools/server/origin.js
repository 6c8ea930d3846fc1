// The optional HTTP origin: the broadcaster PUTs the stream's signed rendition list and
// each signed init segment and chunk of every rendition; the server checks each with
// the stream's key (and an item's rendition against the list) and keeps a short window;
// viewers whose peers cannot deliver in time GET what they need. Bodies are stored and
// served exactly as uploaded (signed header + payload, or the signed list), so viewers
// verify them the same way as bytes from a peer. Only live streams have a window; it is
// dropped when the broadcaster leaves, which bounds memory by the rooms limit.
import { HeaderKind, StreamVerifier } from '../../web/core/index.js';
import { RenditionWindow } from './origin-window.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {Extract<import('../../web/core/index.js').VerifiedLadder, { ok: true }>} VerifiedLadderFields */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./origin-window.js').ItemKind} ItemKind */

/**
 * The largest body the list's route reads: well above the largest signed list (734
 * bytes: 8 renditions with 64-byte codecs strings), which the core checks exactly.
 */
export const MAX_LADDER_BODY_BYTES = 4096;

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

// How the core's refusals of a list map to HTTP: a list that does not parse is a bad
// request; one that parses but is not the stream key's is forbidden.
/** @type {Readonly<Record<string, number>>} */
const LADDER_REFUSAL_STATUS = Object.freeze({ malformed_ladder: 400, unsupported_version: 400 });

/**
 * What a viewer may fetch of one rendition, and the list that names the renditions.
 * @typedef {object} OriginIndex
 * @property {number[]} chunks the rendition's chunk seqs, oldest first
 * @property {number[]} inits the rendition's init segment epochs, oldest first
 * @property {number[]} renditions the renditions the window holds anything of
 * @property {string | null} ladder the signed rendition list, base64url; null before the broadcaster sent one
 */

class StreamState {
  /**
   * @param {SwarmcastCore} core
   * @param {string} streamId
   * @param {Limits} limits
   */
  constructor(core, streamId, limits) {
    this.verifier = new StreamVerifier(core, streamId);
    this.items = new RenditionWindow(limits);
    /** @type {{ fields: VerifiedLadderFields, body: Uint8Array } | null} the newest list that verified */
    this.ladder = null;
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
    /** @type {Map<string, StreamState>} */
    this.streams = new Map();
  }

  /**
   * Keeps the stream's signed rendition list once it verifies and is newer than the one
   * held (the same bytes again are no error). Throws OriginError.
   * @param {string} streamId
   * @param {Uint8Array} body the list as StreamSigner.signLadder made it
   */
  putLadder(streamId, body) {
    const stream = this.#liveStream(streamId);
    const fields = stream.verifier.verifyLadder(body);
    if (!fields.ok) {
      throw new OriginError(LADDER_REFUSAL_STATUS[fields.error] ?? 403, fields.error, `rendition list refused: ${fields.error}`);
    }
    const held = stream.ladder;
    if (held && fields.revision <= held.fields.revision) {
      if (fields.revision === held.fields.revision && Buffer.from(body).equals(Buffer.from(held.body))) return;
      throw new OriginError(409, 'stale_ladder', `revision ${fields.revision} is not above the list held (${held.fields.revision})`);
    }
    stream.ladder = { fields, body: body.slice() };
  }

  /**
   * Keeps a signed item once it verifies and its rendition is in the stream's list
   * (without a list, rendition 0 only). Throws OriginError.
   * @param {string} streamId
   * @param {ItemKind} kind 'chunk' (number = seq) or 'init' (number = epoch)
   * @param {number} rendition
   * @param {number} number
   * @param {Uint8Array} body the signed header, then the payload
   */
  put(streamId, kind, rendition, number, body) {
    const stream = this.#liveStream(streamId);
    const headerSize = this.core.SIGNED_HEADER_SIZE;
    if (body.length <= headerSize) throw new OriginError(400, 'truncated', `a body is a ${headerSize}-byte header and a payload`);
    const header = body.subarray(0, headerSize);
    const payload = body.subarray(headerSize);
    const fields = stream.verifier.verifyHeader(header);
    if (!fields.ok) throw new OriginError(403, fields.error, `header refused: ${fields.error}`);
    const signedNumber = kind === 'init' ? fields.epoch : fields.seq;
    if (fields.kind !== kind || fields.rendition !== rendition || signedNumber !== number || fields.byteLength !== payload.length) {
      throw new OriginError(400, 'mismatch',
        `the signed header is for ${fields.kind} ${signedNumber} of rendition ${fields.rendition}, ${fields.byteLength} bytes`);
    }
    this.#checkListed(stream, rendition);
    const checked = stream.verifier.verifyPayload(HeaderKind[kind], number, payload, rendition);
    if (!checked.ok) throw new OriginError(403, checked.error, `payload refused: ${checked.error}`);
    stream.items.keep(kind, rendition, number, body);
  }

  /**
   * @param {string} streamId
   * @param {ItemKind} kind
   * @param {number} rendition
   * @param {number} number
   * @returns {Uint8Array | null}
   */
  get(streamId, kind, rendition, number) {
    return this.streams.get(streamId)?.items.get(kind, rendition, number) ?? null;
  }

  /**
   * The stream's signed rendition list, byte for byte; null before one arrived.
   * @param {string} streamId
   * @returns {Uint8Array | null}
   */
  ladder(streamId) {
    return this.streams.get(streamId)?.ladder?.body ?? null;
  }

  /**
   * What a viewer may fetch of one rendition; null when nothing is stored for the stream.
   * @param {string} streamId
   * @param {number} rendition
   * @returns {OriginIndex | null}
   */
  index(streamId, rendition) {
    const stream = this.streams.get(streamId);
    if (!stream) return null;
    const ladder = stream.ladder ? Buffer.from(stream.ladder.body).toString('base64url') : null;
    return { ...stream.items.index(rendition), renditions: stream.items.renditions(), ladder };
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
   * The stream's state, made on its first upload. Throws OriginError when not live.
   * @param {string} streamId
   * @returns {StreamState}
   */
  #liveStream(streamId) {
    if (!this.isLive(streamId)) throw new OriginError(404, 'not_live', 'no live broadcaster for this stream');
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = new StreamState(this.core, streamId, this.limits);
      this.streams.set(streamId, stream);
    }
    return stream;
  }

  /**
   * As a viewer judges a header (docs/PROTOCOL.md, "Renditions"): before any list a
   * stream has rendition 0 only; after, exactly the list's renditions.
   * @param {StreamState} stream
   * @param {number} rendition
   */
  #checkListed(stream, rendition) {
    const ladder = stream.ladder?.fields;
    if (!ladder) {
      if (rendition === 0) return;
      throw new OriginError(409, 'no_rendition_list', `rendition ${rendition} before the stream's signed rendition list`);
    }
    if (!ladder.renditions.some((r) => r.id === rendition)) {
      throw new OriginError(403, 'unlisted_rendition', `rendition ${rendition} is not in the signed list (revision ${ladder.revision})`);
    }
  }
}
