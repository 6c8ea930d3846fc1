// Stream trust (C++ on libsodium, in wasm). A stream's id is its broadcaster's
// Ed25519 public key (base64url). The broadcaster signs a small header per chunk and
// per init segment of each rendition (quality); anyone verifies the header once, then
// each 16 KiB piece alone against the header's Merkle root.
import { withHeapBytes } from './heap.js';
/** @import { SwarmcastCore } from './index.js' */

/** @typedef {import('../../build/wasm/swarmcast.mjs').VerifiedHeader} VerifiedHeader */
/** @typedef {import('../../build/wasm/swarmcast.mjs').VerifiedHeaderFields} VerifiedHeaderFields */
/** @typedef {import('../../build/wasm/swarmcast.mjs').TrustCheck} TrustCheck */
/** @typedef {import('../../build/wasm/swarmcast.mjs').RenditionFields} RenditionFields */
/** @typedef {import('../../build/wasm/swarmcast.mjs').VerifiedLadder} VerifiedLadder */
/** @typedef {import('../../build/wasm/swarmcast.mjs').ChatKind} ChatKind */

/** The two kinds of signed header, by their wire code. */
export const HeaderKind = Object.freeze({ init: 1, chunk: 2 });
/** @typedef {typeof HeaderKind[keyof typeof HeaderKind]} HeaderKindValue */

/**
 * What a signed header says about its payload.
 * @typedef {object} HeaderFields
 * @property {number} epoch
 * @property {number} [seq]
 * @property {number} captureMs When the first frame was captured (ms since the epoch, the broadcaster's clock).
 * @property {number} [durationMs]
 * @property {boolean} [keyframe] A chunk's first video frame is a keyframe (default true): viewers start only
 *   at such a chunk. Signed, so no relay can change it.
 * @property {number} [rendition] Which of the stream's renditions (qualities) it belongs to, 0-7 (default 0,
 *   the only one of a single-quality stream).
 */

/**
 * A chat line to sign (StreamSigner.signChat).
 * @typedef {object} ChatLineFields
 * @property {number} number The author's line number, a uint32 (unique per author).
 * @property {number} sentAtMs When it was written (ms since the epoch).
 * @property {ChatKind} [kind] 'text' (default) or 'reaction'.
 * @property {string} [name] At most 32 bytes of UTF-8.
 * @property {string} text 1-500 bytes of UTF-8 (a reaction: 1-16).
 */

/**
 * A stream's rendition list to sign (StreamSigner.signLadder).
 * @typedef {object} LadderFields
 * @property {number} revision A uint32, above the previous list's.
 * @property {number} [firstSeq] The first chunk the list speaks for (default 0).
 * @property {RenditionFields[]} renditions 1-8, highest bitrate first.
 */

// The integer fields of a rendition and their ranges (the core checks the rest).
/** @type {ReadonlyArray<[keyof RenditionFields, number]>} */
const RENDITION_INTEGERS = [['id', 0xff], ['width', 0xffff], ['height', 0xffff], ['bitrate', 0xffffffff],
  ['frameRateMilli', 0xffffffff]];

/**
 * @param {unknown} value
 * @param {number} max
 */
function isUint(value, max) {
  return Number.isInteger(value) && /** @type {number} */ (value) >= 0 && /** @type {number} */ (value) <= max;
}

// wire::ChatKind, by code.
/** @type {readonly ChatKind[]} */
const CHAT_KINDS = ['text', 'reaction'];

/** Thrown for a malformed stream id or a payload the signer refuses; `code` says which. */
export class TrustError extends Error {
  /**
   * @param {string} code
   * @param {string} what
   */
  constructor(code, what) {
    super(`${what}: ${code}`);
    this.name = 'TrustError';
    this.code = code;
  }
}

/**
 * 32 random bytes: a new stream key (Ed25519 seed).
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function randomSeed() {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

/** The broadcaster's key. Its stream id is the Ed25519 public key, base64url (43 chars). */
export class StreamSigner {
  /**
   * @param {SwarmcastCore} core
   * @param {Uint8Array} [seed] 32 bytes; a random one by default.
   */
  constructor(core, seed = randomSeed()) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('a signing seed is 32 bytes');
    /** @private */
    this.core = core;
    /** @private */
    this.native = withHeapBytes(core, seed, (p) => new core.Signer(p));
    this.streamId = this.native.streamId();
  }

  /**
   * The 164-byte signed header for `payload`. Throws a TrustError when the core refuses it
   * (`bad_rendition` for a rendition outside 0-7).
   * @param {HeaderKindValue} kind
   * @param {HeaderFields} fields
   * @param {Uint8Array} payload
   * @returns {Uint8Array<ArrayBuffer>}
   */
  sign(kind, { epoch, seq = 0, captureMs, durationMs = 0, keyframe = true, rendition = 0 }, payload) {
    if (!Number.isInteger(rendition) || rendition < 0) throw new TrustError('bad_rendition', 'cannot sign');
    const result = withHeapBytes(this.core, payload, (p, n) =>
      this.native.sign(kind, epoch, seq, captureMs, durationMs, keyframe !== false, rendition, p, n));
    if (!result.ok) throw new TrustError(result.error, 'cannot sign');
    return result.header;
  }

  /**
   * A chat line by this key in stream `streamId` (swarm/chat.hpp): the signed wire
   * message SwarmEngine.postChat takes. Throws RangeError for a field outside the
   * wire's limits.
   * @param {string} streamId
   * @param {ChatLineFields} line
   * @returns {Uint8Array<ArrayBuffer>}
   */
  signChat(streamId, { number, sentAtMs, kind = 'text', name = '', text }) {
    if (!Number.isSafeInteger(number) || number < 0 || number > 0xffffffff) throw new RangeError('a chat number is a uint32');
    if (!Number.isSafeInteger(sentAtMs) || sentAtMs < 0) throw new RangeError('sentAtMs is ms since the epoch');
    const kindCode = CHAT_KINDS.indexOf(kind);
    const message = kindCode < 0 ? null
      : this.native.signChat(String(streamId), number, sentAtMs, kindCode, String(name), String(text));
    if (!message) throw new RangeError('a chat line needs a stream id, a name of at most 32 bytes and a text of 1-500 bytes (a reaction 1-16)');
    return message;
  }

  /**
   * The stream's signed rendition list (docs/PROTOCOL.md, "Signed rendition list"), to
   * publish before the first chunk of any rendition but 0. Throws a TrustError
   * (`malformed_ladder`) when a field is missing, out of range or breaks the list's rules.
   * @param {LadderFields} ladder
   * @returns {Uint8Array<ArrayBuffer>}
   */
  signLadder({ revision, firstSeq = 0, renditions }) {
    const wellTyped = isUint(revision, 0xffffffff) && Number.isSafeInteger(firstSeq) && firstSeq >= 0 &&
      Array.isArray(renditions) && renditions.length <= 8 && renditions.every((r) => typeof r === 'object' && r !== null &&
        RENDITION_INTEGERS.every(([field, max]) => isUint(r[field], max)) && typeof r.codecs === 'string');
    if (!wellTyped) throw new TrustError('malformed_ladder', 'cannot sign');
    const plain = renditions.map(({ id, width, height, bitrate, frameRateMilli, codecs }) =>
      ({ id, width, height, bitrate, frameRateMilli, codecs }));
    const result = this.native.signLadder(revision, firstSeq, plain);
    if (!result.ok) throw new TrustError(result.error, 'cannot sign');
    return result.ladder;
  }

  /**
   * Proves ownership of the stream to a signaling server (never a header signature).
   * @param {Uint8Array} nonce
   * @returns {Uint8Array<ArrayBuffer>} the 64-byte signature
   */
  signChallenge(nonce) {
    return withHeapBytes(this.core, nonce, (p, n) => this.native.signChallenge(p, n));
  }

  close() {
    this.native.delete();
  }
}

/** Checks what a stream's broadcaster signed. Throws TrustError for a bad stream id. */
export class StreamVerifier {
  /**
   * @param {SwarmcastCore} core
   * @param {string} streamId
   */
  constructor(core, streamId) {
    /** @private */
    this.core = core;
    /** @private */
    this.native = new core.Verifier(String(streamId));
    if (!this.native.valid()) {
      this.native.delete();
      throw new TrustError('bad_stream_id', `not a stream id: ${streamId}`);
    }
  }

  /**
   * The header's fields, or { ok: false, error } when it does not verify.
   * @param {Uint8Array} headerBytes
   * @returns {VerifiedHeader}
   */
  verifyHeader(headerBytes) {
    return withHeapBytes(this.core, headerBytes, (p, n) => this.native.verifyHeader(p, n));
  }

  /**
   * A signed rendition list's fields, or { ok: false, error } when it does not verify.
   * @param {Uint8Array} ladderBytes
   * @returns {VerifiedLadder}
   */
  verifyLadder(ladderBytes) {
    return withHeapBytes(this.core, ladderBytes, (p, n) => this.native.verifyLadder(p, n));
  }

  /**
   * Needs the chunk's header verified first; `proof` is pieceProof()'s output.
   * @param {HeaderKindValue} kind
   * @param {number} seqOrEpoch
   * @param {number} index
   * @param {Uint8Array} piece
   * @param {Uint8Array} proof
   * @param {number} [rendition] the header's rendition (default 0)
   * @returns {TrustCheck}
   */
  verifyPiece(kind, seqOrEpoch, index, piece, proof, rendition = 0) {
    return withHeapBytes(this.core, piece, (pp, pn) => withHeapBytes(this.core, proof, (qp, qn) =>
      this.native.verifyPiece(kind, rendition, seqOrEpoch, index, pp, pn, qp, qn)));
  }

  /**
   * Needs the header verified first.
   * @param {HeaderKindValue} kind
   * @param {number} seqOrEpoch
   * @param {Uint8Array} payload
   * @param {number} [rendition] the header's rendition (default 0)
   * @returns {TrustCheck}
   */
  verifyPayload(kind, seqOrEpoch, payload, rendition = 0) {
    return withHeapBytes(this.core, payload, (p, n) => this.native.verifyPayload(kind, rendition, seqOrEpoch, p, n));
  }

  close() {
    this.native.delete();
  }
}

/**
 * The Merkle proof (concatenated 32-byte hashes) for piece `index` of `payload`; null
 * when there is no such piece.
 * @param {SwarmcastCore} core
 * @param {Uint8Array} payload
 * @param {number} index
 * @returns {Uint8Array<ArrayBuffer> | null}
 */
export function pieceProof(core, payload, index) {
  return withHeapBytes(core, payload, (p, n) => core.pieceProof(p, n, index));
}

/**
 * The chunk's piece hashes, concatenated (32 bytes each).
 * @param {SwarmcastCore} core
 * @param {Uint8Array} payload
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function pieceHashes(core, payload) {
  return withHeapBytes(core, payload, (p, n) => core.pieceHashes(p, n));
}

/**
 * The proof for piece `index` from a piece-hash list (pieceHashes()'s output); null
 * when there is no such piece or the list is not whole hashes.
 * @param {SwarmcastCore} core
 * @param {Uint8Array} hashes
 * @param {number} index
 * @returns {Uint8Array<ArrayBuffer> | null}
 */
export function proofFromHashes(core, hashes, index) {
  return withHeapBytes(core, hashes, (p, n) => core.proofFromHashes(p, n, index));
}

/**
 * @param {SwarmcastCore} core
 * @param {Uint8Array} bytes
 * @returns {Uint8Array<ArrayBuffer>} the 32-byte digest
 */
export function sha256(core, bytes) {
  return withHeapBytes(core, bytes, (p, n) => core.sha256(p, n));
}

/**
 * The root of the payload's piece-hash tree, as a signed header carries it; null for
 * an empty payload.
 * @param {SwarmcastCore} core
 * @param {Uint8Array} payload
 * @returns {Uint8Array<ArrayBuffer> | null}
 */
export function merkleRoot(core, payload) {
  return withHeapBytes(core, payload, (p, n) => core.merkleRoot(p, n));
}

/**
 * True when `signature` (64 bytes) is `streamId`'s signature of `nonce`.
 * @param {SwarmcastCore} core
 * @param {string} streamId
 * @param {Uint8Array} nonce
 * @param {Uint8Array} signature
 * @returns {boolean}
 */
export function verifyChallenge(core, streamId, nonce, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  return withHeapBytes(core, nonce, (np, nn) =>
    withHeapBytes(core, signature, (sp) => core.verifyChallenge(String(streamId), np, nn, sp)));
}
