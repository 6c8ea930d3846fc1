// Stream trust (C++ on libsodium, in wasm). A stream's id is its broadcaster's
// Ed25519 public key (base64url). The broadcaster signs a small header per chunk and
// per init segment; anyone verifies the header once, then each 16 KiB piece alone
// against the header's Merkle root.
import { withHeapBytes } from './heap.js';

export const HeaderKind = Object.freeze({ init: 1, chunk: 2 });

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
