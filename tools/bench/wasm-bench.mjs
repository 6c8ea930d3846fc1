// The native benchmarks' inputs, run through the wasm build under Node. Inputs are
// placed in the wasm heap once, so the figures are the core's speed (plus the Embind
// call), not the cost of copying test data in.
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';

function pattern(n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (Math.imul(i, 2654435761) >>> 13) & 0xff;
  return out;
}

// Calls fn for `rounds` rounds of at least minMs each (after a warm-up) and returns
// the best round's calls per second: on a shared machine the best round is the one
// least disturbed by other load. tools/bench/run.mjs treats native results the same way.
function rate(fn, { rounds = 5, minMs = 250 } = {}) {
  for (let i = 0; i < 3; i++) fn();
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < minMs) {
      fn();
      calls++;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (calls * 1000) / elapsed);
  }
  return best;
}

function inHeap(core, bytes) {
  const pointer = core._malloc(bytes.length);
  core.HEAPU8.set(bytes, pointer);
  return pointer;
}

export function runWasmBench(core, mediaPath) {
  const results = {};
  const MB = 1e6;

  const media = new Uint8Array(readFileSync(mediaPath));
  const mediaPtr = inHeap(core, media);
  const slice = 64 * 1024;
  results.segmenter_MBps = (rate(() => {
    const segmenter = new core.Segmenter(1000, 1250, 4 << 20, 8 << 20);
    for (let at = 0; at < media.length; at += slice) segmenter.push(mediaPtr + at, Math.min(slice, media.length - at));
    segmenter.finish();
    while (segmenter.hasEvent()) segmenter.nextEvent();
    segmenter.delete();
  }) * media.length) / MB;

  const mib = pattern(1 << 20);
  const mibPtr = inHeap(core, mib);
  results.sha256_1MiB_MBps = (rate(() => core.sha256(mibPtr, mib.length)) * mib.length) / MB;
  results.sha256_16KiB_MBps = (rate(() => core.sha256(mibPtr, 16384)) * 16384) / MB;
  results.merkle_root_1MiB_per_s = rate(() => core.merkleRoot(mibPtr, mib.length));

  const seedPtr = inHeap(core, new Uint8Array(32).fill(7));
  const signer = new core.Signer(seedPtr);
  // 95 bytes + the 22-byte challenge prefix = the 117 bytes the native bench signs.
  const message = pattern(95);
  const messagePtr = inHeap(core, message);
  results.ed25519_sign_per_s = rate(() => signer.signChallenge(messagePtr, message.length));
  const signaturePtr = inHeap(core, signer.signChallenge(messagePtr, message.length));
  const streamId = signer.streamId();
  results.ed25519_verify_per_s = rate(() => core.verifyChallenge(streamId, messagePtr, message.length, signaturePtr));

  const signed = signer.sign(2, 0, 1, 0, 1000, true, 0, mibPtr, mib.length);
  const verifier = new core.Verifier(streamId);
  const headerPtr = inHeap(core, signed.header);
  verifier.verifyHeader(headerPtr, signed.header.length);
  const pieces = mib.length / core.PIECE_SIZE;
  const proofs = Array.from({ length: pieces }, (_, i) => {
    const proof = core.pieceProof(mibPtr, mib.length, i);
    return { pointer: inHeap(core, proof), length: proof.length };
  });
  let index = 0;
  results.piece_verify_per_s = rate(() => {
    const proof = proofs[index];
    verifier.verifyPiece(2, 0, 1, index, mibPtr + index * core.PIECE_SIZE, core.PIECE_SIZE, proof.pointer, proof.length);
    index = (index + 1) % pieces;
  });

  signer.delete();
  verifier.delete();
  return results;
}
