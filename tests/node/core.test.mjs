// The wasm core through its JS face (web/core): the same code the browser runs.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { Segmenter, StreamSigner, StreamVerifier, HeaderKind, TrustError, pieceProof, sha256,
  verifyChallenge } from '../../web/core/index.js';
import { readMedia } from './helpers.mjs';

let core;
before(async () => { core = await loadCoreForNode(); });

const hex = (bytes) => Buffer.from(bytes).toString('hex');

function segmentAll(bytes, slice) {
  const segmenter = new Segmenter(core);
  const events = [];
  for (let at = 0; at < bytes.length; at += slice) events.push(...segmenter.push(bytes.subarray(at, at + slice)));
  events.push(...segmenter.finish());
  segmenter.close();
  return events;
}

describe('Segmenter (wasm)', () => {
  test('pushing one byte at a time gives the same events as one push', () => {
    const file = readMedia('vp8-alpha.webm');
    const whole = segmentAll(file, file.length);
    const bytewise = segmentAll(file, 1);
    assert.equal(whole[0].type, 'init');
    assert.equal(whole[0].mimeType, 'video/webm; codecs="vp8,opus"');
    assert.ok(whole.filter((e) => e.type === 'chunk').length >= 5);
    assert.equal(bytewise.length, whole.length);
    bytewise.forEach((event, i) => {
      assert.equal(event.type, whole[i].type);
      assert.equal(hex(event.bytes), hex(whole[i].bytes));
      assert.equal(event.seq, whole[i].seq);
      assert.equal(event.durationMs, whole[i].durationMs);
    });
  });

  test('bad input is a typed error event, never an exception', () => {
    const junk = new Uint8Array(10000).map((_, i) => (i * 7919) & 0xff);
    const events = segmentAll(junk, 997);
    assert.ok(events.length >= 1);
    assert.ok(events.every((e) => e.type === 'error'));
    assert.equal(typeof events[0].code, 'string');
    assert.equal(events[0].fatal, true);
  });

  test('non-bytes are refused with a TypeError', () => {
    const segmenter = new Segmenter(core);
    assert.throws(() => segmenter.push('webm'), TypeError);
    segmenter.close();
  });
});

describe('trust (wasm)', () => {
  const seed = new Uint8Array(32).fill(7);

  test('SHA-256 of "abc" matches the FIPS 180-2 vector', () => {
    assert.equal(hex(sha256(core, new TextEncoder().encode('abc'))),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test('a signed chunk verifies header-first, then piece by piece', () => {
    const signer = new StreamSigner(core, seed);
    const verifier = new StreamVerifier(core, signer.streamId);
    const payload = new Uint8Array(50000).map((_, i) => i & 0xff);
    const header = signer.sign(HeaderKind.chunk, { epoch: 3, seq: 42, captureMs: 1_700_000_000_000, durationMs: 1000 }, payload);
    assert.equal(header.length, core.SIGNED_HEADER_SIZE);

    const fields = verifier.verifyHeader(header);
    assert.equal(fields.ok, true);
    assert.deepEqual([fields.kind, fields.epoch, fields.seq, fields.captureMs, fields.durationMs, fields.byteLength, fields.pieceCount],
      ['chunk', 3, 42, 1_700_000_000_000, 1000, 50000, 4]);
    for (let i = 0; i < 4; i++) {
      const piece = payload.subarray(i * 16384, (i + 1) * 16384);
      assert.equal(verifier.verifyPiece(HeaderKind.chunk, 42, i, piece, pieceProof(core, payload, i)).ok, true);
      const bad = piece.slice();
      bad[0] ^= 1;
      assert.equal(verifier.verifyPiece(HeaderKind.chunk, 42, i, bad, pieceProof(core, payload, i)).error, 'bad_proof');
    }
    assert.equal(verifier.verifyPayload(HeaderKind.chunk, 42, payload).ok, true);
    signer.close();
    verifier.close();
  });

  test('whether a chunk opens with a keyframe is signed, and a relay cannot flip it', () => {
    const signer = new StreamSigner(core, seed);
    const verifier = new StreamVerifier(core, signer.streamId);
    const payload = new Uint8Array(1000).fill(3);
    const fields = { epoch: 0, seq: 5, captureMs: 5000, durationMs: 1000 };
    const keyframe = signer.sign(HeaderKind.chunk, fields, payload);
    const within = signer.sign(HeaderKind.chunk, { ...fields, keyframe: false }, payload);
    assert.equal(verifier.verifyHeader(keyframe).keyframe, true);
    const read = verifier.verifyHeader(within);
    assert.deepEqual([read.ok, read.kind, read.keyframe], [true, 'chunk', false]);
    within[2] = keyframe[2]; // the flags byte
    assert.equal(verifier.verifyHeader(within).error, 'bad_signature');
    [signer, verifier].forEach((x) => x.close());
  });

  test('each rendition of a stream signs its own chunks, verified by (rendition, seq)', () => {
    const signer = new StreamSigner(core, seed);
    const verifier = new StreamVerifier(core, signer.streamId);
    const fields = { epoch: 0, seq: 7, captureMs: 7000, durationMs: 1000 };
    const top = new Uint8Array(20000).fill(1);
    const low = new Uint8Array(5000).fill(2);
    const topHeader = signer.sign(HeaderKind.chunk, fields, top);
    const lowHeader = signer.sign(HeaderKind.chunk, { ...fields, rendition: 2 }, low);
    assert.equal(verifier.verifyHeader(topHeader).rendition, 0);
    assert.equal(verifier.verifyHeader(lowHeader).rendition, 2);
    // Both headers of seq 7 are kept: each piece is checked against its own rendition's.
    assert.equal(verifier.verifyPayload(HeaderKind.chunk, 7, top).ok, true);
    assert.equal(verifier.verifyPayload(HeaderKind.chunk, 7, low, 2).ok, true);
    assert.equal(verifier.verifyPayload(HeaderKind.chunk, 7, low).error, 'bad_piece_length');
    assert.equal(verifier.verifyPiece(HeaderKind.chunk, 7, 0, low, pieceProof(core, low, 0), 2).ok, true);
    assert.equal(verifier.verifyPiece(HeaderKind.chunk, 7, 0, low, pieceProof(core, low, 0), 1).ok, false);
    for (const rendition of [8, 255, 256, -1, 1.5]) {
      assert.throws(() => signer.sign(HeaderKind.chunk, { ...fields, rendition }, low), { name: 'TrustError', code: 'bad_rendition' });
    }
    [signer, verifier].forEach((x) => x.close());
  });

  test('the rendition list is signed, verified, and refused when malformed or forged', () => {
    const signer = new StreamSigner(core, seed);
    const verifier = new StreamVerifier(core, signer.streamId);
    const renditions = [
      { id: 0, width: 640, height: 360, bitrate: 800_000, frameRateMilli: 30_000, codecs: 'vp8,opus' },
      { id: 1, width: 320, height: 180, bitrate: 300_000, frameRateMilli: 30_000, codecs: 'vp8,opus' },
    ];
    const ladder = signer.signLadder({ revision: 1, firstSeq: 40, renditions });
    const read = verifier.verifyLadder(ladder);
    assert.equal(read.ok, true);
    assert.deepEqual(read.ok && [read.revision, read.firstSeq, read.renditions], [1, 40, renditions]);
    const bent = ladder.slice();
    bent[40] ^= 1;
    assert.equal(verifier.verifyLadder(bent).ok, false);
    const stranger = new StreamSigner(core, new Uint8Array(32).fill(9));
    assert.equal(verifier.verifyLadder(stranger.signLadder({ revision: 1, renditions })).error, 'wrong_stream');
    const refused = [
      { revision: 1, renditions: [] },
      { revision: 1, renditions: [...renditions].reverse() },
      { revision: -1, renditions },
      { revision: 1, renditions: [{ ...renditions[0], id: 8 }] },
      { revision: 1, renditions: [{ ...renditions[0], bitrate: '800000' }] },
      { revision: 1, renditions: [{ ...renditions[0], codecs: 'vp8, opus' }] },
    ];
    for (const fields of refused) {
      assert.throws(() => signer.signLadder(/** @type {any} */ (fields)), { name: 'TrustError', code: 'malformed_ladder' });
    }
    [signer, stranger, verifier].forEach((x) => x.close());
  });

  test('a header from another stream or with a flipped bit is refused', () => {
    const signer = new StreamSigner(core, seed);
    const stranger = new StreamSigner(core, new Uint8Array(32).fill(9));
    const verifier = new StreamVerifier(core, signer.streamId);
    const payload = new Uint8Array(100);
    const foreign = stranger.sign(HeaderKind.chunk, { epoch: 0, seq: 1, captureMs: 0, durationMs: 1 }, payload);
    assert.equal(verifier.verifyHeader(foreign).error, 'wrong_stream');
    const header = signer.sign(HeaderKind.chunk, { epoch: 0, seq: 1, captureMs: 0, durationMs: 1 }, payload);
    header[120] ^= 0x10;
    assert.equal(verifier.verifyHeader(header).error, 'bad_signature');
    assert.equal(verifier.verifyPiece(HeaderKind.chunk, 99, 0, payload, new Uint8Array(0)).ok, false);
    [signer, stranger, verifier].forEach((x) => x.close());
  });

  test('stream ids are checked and ownership challenges verify against them', () => {
    assert.throws(() => new StreamVerifier(core, 'not-a-key'), TrustError);
    const signer = new StreamSigner(core, seed);
    const nonce = new TextEncoder().encode('server nonce 123');
    const signature = signer.signChallenge(nonce);
    assert.equal(verifyChallenge(core, signer.streamId, nonce, signature), true);
    assert.equal(verifyChallenge(core, signer.streamId, new TextEncoder().encode('server nonce 124'), signature), false);
    assert.equal(verifyChallenge(core, 'garbage', nonce, signature), false);
    signer.close();
  });
});
