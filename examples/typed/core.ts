// The wasm core typed by the declarations of `swarmcast/core` (under Node here: the
// package's "node" condition loads the .wasm from disk; the types are the same).
import {
  ClipError, EngineError, HeaderKind, SEGMENTER_DEFAULTS, Segmenter, StreamSigner, StreamVerifier,
  SwarmEngine, TrustError, loadCore, makeClip, merkleRoot, pieceHashes, pieceProof, proofFromHashes,
  randomSeed, scorePeer, sha256, verifyChallenge,
} from 'swarmcast/core';
import type { SwarmcastCore } from 'swarmcast/core';

const core: SwarmcastCore = await loadCore();
const signer = new StreamSigner(core, randomSeed());
const verifier = new StreamVerifier(core, signer.streamId);
const payload = new Uint8Array(40_000);
const header = signer.sign(HeaderKind.chunk, { epoch: 0, seq: 1, captureMs: Date.now(), durationMs: 1000 }, payload);
const verified = verifier.verifyHeader(header);
if (verified.ok) console.log(verified.seq, verifier.verifyPayload(HeaderKind.chunk, verified.seq, payload));
const proof = pieceProof(core, payload, 1);
const hashes = pieceHashes(core, payload);
console.log(proof?.length, proofFromHashes(core, hashes, 1)?.length, sha256(core, payload).length, merkleRoot(core, payload)?.length);
const nonce = randomSeed();
console.log(verifyChallenge(core, signer.streamId, nonce, signer.signChallenge(nonce)));

const segmenter = new Segmenter(core, { ...SEGMENTER_DEFAULTS, targetDurationMs: 2000 });
const inits: Uint8Array[] = [];
const chunks: Uint8Array[] = [];
for (const event of [...segmenter.push(new Uint8Array(16)), ...segmenter.finish()]) {
  if (event.type === 'init') inits.push(event.bytes);
  else if (event.type === 'chunk') chunks.push(event.bytes);
  else console.log(event.code, event.fatal);
}
segmenter.close();
try {
  makeClip(core, inits[0] ?? new Uint8Array(), chunks);
} catch (error) {
  if (error instanceof ClipError) console.log(error.position);
}

const engine = new SwarmEngine(core, { self: 1, broadcaster: true, streamKey: signer.streamId });
engine.connect(2, 0);
engine.tick(10);
for (const { to, bytes } of engine.takeOutbox()) console.log(to, bytes.length);
console.log(engine.stats(20).share_from_peers, scorePeer(core, { connectedAt: 0, nowMs: 1000, rttMs: 40 }).role);
engine.delete();
try {
  engine.tick(30);
} catch (error) {
  if (error instanceof EngineError || error instanceof TrustError) console.log(error.code);
}
signer.close();
verifier.close();
