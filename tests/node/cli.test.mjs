// segment.mjs and verify.mjs on real ffmpeg-made recordings: every chunk decodes
// after its init segment and starts on a keyframe; verify accepts the output and
// rejects any one-byte change.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { media, mediaFiles, runNode, tempDir, ffmpegErrors, firstVideoFrameIsKey, videoFrameCount } from './helpers.mjs';

function segmentInto(file, extra = []) {
  const out = tempDir('seg');
  const run = runNode('tools/cli/segment.mjs', [media(file), '--out', out, ...extra]);
  assert.equal(run.status, 0, run.stderr);
  return { out, manifest: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) };
}

function joined(dir, names, target) {
  writeFileSync(target, Buffer.concat(names.map((n) => readFileSync(join(dir, n)))));
  return target;
}

for (const file of mediaFiles) {
  describe(file, () => {
    const { out, manifest } = segmentInto(file);
    const hasVideo = !manifest.inits[0].mime_type.startsWith('audio/');

    test('manifest lists signed chunks with contiguous sequence numbers', () => {
      assert.equal(manifest.inits.length, 1);
      assert.ok(manifest.chunks.length >= 3);
      assert.match(manifest.stream_id, /^[A-Za-z0-9_-]{43}$/);
      // A keyframe every 4 s: ~1.25 s chunks between them say they open without one.
      const everyChunkOpensAGop = file !== 'vp8-opus-4s.webm';
      assert.equal(manifest.chunks[0].keyframe, true);
      manifest.chunks.forEach((chunk, i) => {
        assert.equal(chunk.seq, i);
        if (everyChunkOpensAGop) assert.equal(chunk.keyframe, true);
        assert.match(chunk.merkle_root, /^[0-9a-f]{64}$/);
        assert.match(chunk.signature, /^[A-Za-z0-9_-]{86}$/);
      });
    });

    test('init + each keyframe chunk and those after it decode without error, starting on a keyframe', () => {
      let from = 0;
      for (const chunk of manifest.chunks) {
        if (chunk.keyframe) from = chunk.seq;
        const run = manifest.chunks.slice(from, chunk.seq + 1).map((c) => c.file);
        const path = joined(out, ['init-0.webm', ...run], join(out, `from-${from}-to-${chunk.seq}.webm`));
        assert.equal(ffmpegErrors(path), '', `${chunk.file}`);
        if (hasVideo) assert.ok(firstVideoFrameIsKey(path), `${chunk.file} from chunk ${from} starts on a keyframe`);
        if (hasVideo && !chunk.keyframe) {
          const alone = joined(out, ['init-0.webm', chunk.file], join(out, `single-${chunk.seq}.webm`));
          assert.equal(firstVideoFrameIsKey(alone), false, `${chunk.file} says it opens without a keyframe`);
        }
      }
    });

    test('init + all chunks decode without error, with every video frame', () => {
      const path = joined(out, ['init-0.webm', ...manifest.chunks.map((c) => c.file)], join(out, 'all.webm'));
      assert.equal(ffmpegErrors(path), '');
      if (hasVideo) assert.equal(videoFrameCount(path), videoFrameCount(media(file)));
    });

    test('verify accepts the output', () => {
      const run = runNode('tools/cli/verify.mjs', [out]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /verified/);
    });
  });
}

describe('verify rejects tampering', () => {
  const { out, manifest } = segmentInto('vp8-opus-1s.webm');
  const copy = () => {
    const dir = tempDir('tamper');
    for (const name of readdirSync(out)) copyFileSync(join(out, name), join(dir, name));
    return dir;
  };
  const flipByte = (path, offset) => {
    const bytes = readFileSync(path);
    bytes[offset] ^= 0x01;
    writeFileSync(path, bytes);
  };
  const rejects = (dir, pattern) => {
    const run = runNode('tools/cli/verify.mjs', [dir]);
    assert.equal(run.status, 1, `verify accepted: ${run.stdout}`);
    assert.match(run.stderr, pattern);
  };

  test('any one-byte change in a chunk names the chunk and the piece', () => {
    const chunk = manifest.chunks[2];
    for (const offset of [0, 1000, 20000, chunk.bytes - 1]) {
      const dir = copy();
      flipByte(join(dir, chunk.file), offset);
      rejects(dir, new RegExp(`${chunk.file}: piece ${Math.floor(offset / 16384)} rejected \\(bad_proof\\)`));
    }
  });

  test('a one-byte change in the init segment is caught', () => {
    const dir = copy();
    flipByte(join(dir, 'init-0.webm'), 10);
    rejects(dir, /init-0\.webm: piece 0 rejected/);
  });

  test('every byte of a signed header matters', () => {
    const header = Buffer.from(manifest.chunks[1].header, 'base64url');
    for (const offset of [0, 1, 2, 40, 50, 60, 70, 100, 161]) {
      const dir = copy();
      const tampered = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      const bytes = Buffer.from(header);
      bytes[offset] ^= 0x01;
      tampered.chunks[1].header = bytes.toString('base64url');
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify(tampered));
      rejects(dir, /chunk-1\.webm: signed header rejected/);
    }
  });

  test('a forged piece-hash list cannot vouch for a changed piece', () => {
    const dir = copy();
    flipByte(join(dir, manifest.chunks[1].file), 5);
    const forged = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const hashes = Buffer.from(forged.chunks[1].piece_hashes, 'hex');
    const piece0 = readFileSync(join(dir, manifest.chunks[1].file)).subarray(0, 16384);
    createHash('sha256').update(Buffer.from([0])).update(piece0).digest().copy(hashes, 0);
    forged.chunks[1].piece_hashes = hashes.toString('hex');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(forged));
    rejects(dir, /chunk-1\.webm: piece 0 rejected \(bad_proof\)/);
  });

  test('a chunk signed by another key is rejected', () => {
    const other = segmentInto('vp8-opus-1s.webm');
    const dir = copy();
    const mixed = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    mixed.chunks[0].header = other.manifest.chunks[0].header;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(mixed));
    rejects(dir, /chunk-0\.webm: signed header rejected \(wrong_stream\)/);
  });

  test('a missing chunk and a broken manifest are named', () => {
    const dir = copy();
    writeFileSync(join(dir, 'manifest.json'), '{"version": 1, "inits": [], "chunks": "no"}');
    rejects(dir, /not a version 1 manifest/);
  });
});

test('a given key file is reused: the stream id stays the same', () => {
  const first = segmentInto('vp8-opus-1s.webm');
  const key = join(first.out, 'stream.key');
  const second = segmentInto('vp9-opus-1s.webm', ['--key', key]);
  assert.equal(second.manifest.stream_id, first.manifest.stream_id);
});

test('segment.mjs on a file that is not WebM fails with a typed error', () => {
  const dir = tempDir('bad');
  const junk = join(dir, 'junk.webm');
  writeFileSync(junk, Buffer.alloc(5000, 0x42));
  const run = runNode('tools/cli/segment.mjs', [junk, '--out', join(dir, 'out')]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /error (malformed|unexpected_element) at byte \d+/);
});
