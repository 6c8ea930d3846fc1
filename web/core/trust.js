// Stream trust (C++ on libsodium, in wasm). A stream's id is its broadcaster's
// Ed25519 public key (base64url). The broadcaster signs a small header per chunk and
// per init segment; anyone verifies the header once, then each 16 KiB piece alone
// against the header's Merkle root.
import { withHeapBytes } from './heap.js';

export const HeaderKind = Object.freeze({ init: 1, chunk: 2 });
// wire::ChatKind, by code.
const CHAT_KINDS = ['text', 'reaction'];

export class TrustError extends Error {
  constructor(code, what) {
    super(`${what}: ${code}`);
    this.name = 'TrustError';
    this.code = code;
  }
}

export function randomSeed() {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

export class StreamSigner {
  constructor(core, seed = randomSeed()) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('a signing seed is 32 bytes');
    this.core = core;
    this.native = withHeapBytes(core, seed, (p) => new core.Signer(p));
    this.streamId = this.native.streamId();
  }

  // Returns the 162-byte signed header for `payload`.
  sign(kind, { epoch, seq = 0, captureMs, durationMs = 0 }, payload) {
    const result = withHeapBytes(this.core, payload, (p, n) =>
      this.native.sign(kind, epoch, seq, captureMs, durationMs, p, n));
    if (!result.ok) throw new TrustError(result.error, 'cannot sign');
    return result.header;
  }

  // A chat line by this key in stream `streamId` (swarm/chat.hpp): the signed wire
  // message SwarmEngine.postChat takes. kind 'text' or 'reaction'; name at most 32
  // bytes of UTF-8, text 1-500 (a reaction 1-16). RangeError otherwise.
  signChat(streamId, { number, sentAtMs, kind = 'text', name = '', text }) {
    if (!Number.isSafeInteger(number) || number < 0 || number > 0xffffffff) throw new RangeError('a chat number is a uint32');
    if (!Number.isSafeInteger(sentAtMs) || sentAtMs < 0) throw new RangeError('sentAtMs is ms since the epoch');
    const kindCode = CHAT_KINDS.indexOf(kind);
    const message = kindCode < 0 ? null
      : this.native.signChat(String(streamId), number, sentAtMs, kindCode, String(name), String(text));
    if (!message) throw new RangeError('a chat line needs a stream id, a name of at most 32 bytes and a text of 1-500 bytes (a reaction 1-16)');
    return message;
  }

  // Proves ownership of the stream to a signaling server (never a header signature).
  signChallenge(nonce) {
    return withHeapBytes(this.core, nonce, (p, n) => this.native.signChallenge(p, n));
  }

  close() {
    this.native.delete();
  }
}

export class StreamVerifier {
  constructor(core, streamId) {
    this.core = core;
    this.native = new core.Verifier(String(streamId));
    if (!this.native.valid()) {
      this.native.delete();
      throw new TrustError('bad_stream_id', `not a stream id: ${streamId}`);
    }
  }

  // Returns the header's fields, or { ok: false, error } when it does not verify.
  verifyHeader(headerBytes) {
    return withHeapBytes(this.core, headerBytes, (p, n) => this.native.verifyHeader(p, n));
  }

  // Needs the chunk's header verified first; `proof` is pieceProof()'s output.
  verifyPiece(kind, seqOrEpoch, index, piece, proof) {
    return withHeapBytes(this.core, piece, (pp, pn) =>
      withHeapBytes(this.core, proof, (qp, qn) => this.native.verifyPiece(kind, seqOrEpoch, index, pp, pn, qp, qn)));
  }

  verifyPayload(kind, seqOrEpoch, payload) {
    return withHeapBytes(this.core, payload, (p, n) => this.native.verifyPayload(kind, seqOrEpoch, p, n));
  }

  close() {
    this.native.delete();
  }
}

// The Merkle proof (concatenated 32-byte hashes) for piece `index` of `payload`.
export function pieceProof(core, payload, index) {
  return withHeapBytes(core, payload, (p, n) => core.pieceProof(p, n, index));
}

// The chunk's piece hashes, concatenated (32 bytes each).
export function pieceHashes(core, payload) {
  return withHeapBytes(core, payload, (p, n) => core.pieceHashes(p, n));
}

// The proof for piece `index` from a piece-hash list (pieceHashes()'s output).
export function proofFromHashes(core, hashes, index) {
  return withHeapBytes(core, hashes, (p, n) => core.proofFromHashes(p, n, index));
}

export function sha256(core, bytes) {
  return withHeapBytes(core, bytes, (p, n) => core.sha256(p, n));
}

export function merkleRoot(core, payload) {
  return withHeapBytes(core, payload, (p, n) => core.merkleRoot(p, n));
}

export function verifyChallenge(core, streamId, nonce, signature) {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  return withHeapBytes(core, nonce, (np, nn) =>
    withHeapBytes(core, signature, (sp) => core.verifyChallenge(String(streamId), np, nn, sp)));
}
