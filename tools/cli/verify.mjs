#!/usr/bin/env node
// Checks a directory written by segment.mjs: every signed header against the stream
// id, every file against its header's Merkle root (piece by piece, with proofs, as a
// relay would), and the manifest against the headers. Exits 1 on the first failure,
// naming it.
//   node tools/cli/verify.mjs DIR
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCoreForNode } from '../lib/load-core.mjs';
import { StreamVerifier, HeaderKind, proofFromHashes } from '../../web/core/index.js';
import { toHex, toBase64url, fromBase64url, fromHex } from '../lib/encoding.mjs';

class VerifyFailure extends Error {}

function check(condition, what) {
  if (!condition) throw new VerifyFailure(what);
}

function verifyEntry(core, verifier, kind, entry, dir) {
  const name = entry.file;
  check(typeof name === 'string' && /^(init|chunk)-\d+\.webm$/.test(name), `bad file name in manifest: ${name}`);
  const path = join(dir, name);
  check(existsSync(path), `${name}: missing`);
  const bytes = new Uint8Array(readFileSync(path));
  const headerBytes = fromBase64url(entry.header);
  check(headerBytes, `${name}: header is not base64url`);

  const header = verifier.verifyHeader(headerBytes);
  check(header.ok, `${name}: signed header rejected (${header.error})`);
  check(header.kind === (kind === HeaderKind.init ? 'init' : 'chunk'), `${name}: header is for a ${header.kind}`);
  check(header.epoch === entry.epoch, `${name}: epoch ${entry.epoch} in manifest, ${header.epoch} signed`);
  if (kind === HeaderKind.chunk) {
    check(header.seq === entry.seq, `${name}: seq ${entry.seq} in manifest, ${header.seq} signed`);
    check(header.durationMs === entry.duration_ms, `${name}: duration differs from the signed one`);
  }
  check(toBase64url(headerBytes.subarray(headerBytes.length - 64)) === entry.signature, `${name}: signature field differs`);
  check(toHex(header.merkleRoot) === entry.merkle_root, `${name}: merkle_root differs from the signed one`);
  check(header.byteLength === bytes.length && entry.bytes === bytes.length,
    `${name}: ${bytes.length} bytes on disk, ${header.byteLength} signed`);

  // Pieces are checked one by one, as a relay does: each against the signed root
  // through a proof built from the piece-hash list that travels with the chunk.
  const hashes = fromHex(entry.piece_hashes);
  check(hashes && hashes.length === header.pieceCount * 32, `${name}: piece_hashes do not match the signed length`);
  const key = kind === HeaderKind.init ? header.epoch : header.seq;
  const pieceSize = core.PIECE_SIZE;
  for (let index = 0; index < header.pieceCount; index++) {
    const piece = bytes.subarray(index * pieceSize, (index + 1) * pieceSize);
    const result = verifier.verifyPiece(kind, key, index, piece, proofFromHashes(core, hashes, index));
    check(result.ok, `${name}: piece ${index} rejected (${result.error})`);
  }
  const whole = verifier.verifyPayload(kind, key, bytes);
  check(whole.ok, `${name}: content rejected (${whole.error})`);
}

async function main() {
  const dir = process.argv[2];
  if (!dir || process.argv.length > 3) throw new VerifyFailure('usage: node tools/cli/verify.mjs DIR');
  const manifestPath = join(dir, 'manifest.json');
  check(existsSync(manifestPath), `${manifestPath}: missing`);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new VerifyFailure(`manifest.json: ${error.message}`);
  }
  check(manifest.version === 1 && Array.isArray(manifest.inits) && Array.isArray(manifest.chunks),
    'manifest.json: not a version 1 manifest');
  check(manifest.chunks.length > 0, 'manifest.json: no chunks');

  const core = await loadCoreForNode();
  let verifier;
  try {
    verifier = new StreamVerifier(core, manifest.stream_id);
  } catch (error) {
    throw new VerifyFailure(`manifest.json: ${error.message}`);
  }
  for (const init of manifest.inits) verifyEntry(core, verifier, HeaderKind.init, init, dir);
  manifest.chunks.forEach((chunk, i) => {
    check(chunk.seq === (manifest.chunks[0].seq + i), `chunk-${chunk.seq}.webm: sequence gap before it`);
    verifyEntry(core, verifier, HeaderKind.chunk, chunk, dir);
  });
  verifier.close();
  console.log(`${dir}: ${manifest.inits.length} init segment(s) and ${manifest.chunks.length} chunk(s) verified ` +
    `for stream ${manifest.stream_id}`);
}

main().catch((error) => {
  console.error(`verify: ${error instanceof VerifyFailure ? error.message : error.stack}`);
  process.exit(1);
});
