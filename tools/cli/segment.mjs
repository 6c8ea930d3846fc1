#!/usr/bin/env node
// Splits a WebM recording into signed chunks with the same wasm code the browser runs.
//   node tools/cli/segment.mjs INPUT.webm --out DIR [--key KEYFILE] [--target-ms 1000]
// Writes DIR/init-<epoch>.webm, DIR/chunk-<seq>.webm and DIR/manifest.json. Without
// --key a new stream key is made and saved as DIR/stream.key (keep it secret: whoever
// holds it can publish as this stream).
import { mkdirSync, readFileSync, writeFileSync, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCoreForNode } from '../lib/load-core.mjs';
import { Segmenter, StreamSigner, HeaderKind, merkleRoot, pieceHashes, randomSeed } from '../../web/core/index.js';
import { toHex, toBase64url, fromBase64url } from '../lib/encoding.mjs';

const usage = 'usage: node tools/cli/segment.mjs INPUT.webm --out DIR [--key KEYFILE] [--target-ms MS]';

function fail(message) {
  console.error(`segment: ${message}`);
  process.exit(1);
}

function readSeed(keyFile) {
  const seed = fromBase64url(readFileSync(keyFile, 'utf8').trim());
  if (!seed || seed.length !== 32) fail(`${keyFile} does not hold a 32-byte base64url key`);
  return seed;
}

// Streams the file through the segmenter in recorder-sized slices, as a live source would.
function* fileSlices(path, size = 64 * 1024) {
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(size);
    let n;
    while ((n = readSync(fd, buffer, 0, size, null)) > 0) yield buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { out: { type: 'string' }, key: { type: 'string' }, 'target-ms': { type: 'string' } },
    });
  } catch (error) {
    fail(`${error.message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.out) fail(usage);
  const [input] = positionals;
  if (!existsSync(input)) fail(`no such file: ${input}`);
  mkdirSync(values.out, { recursive: true });

  let seed;
  if (values.key && existsSync(values.key)) seed = readSeed(values.key);
  else {
    seed = randomSeed();
    const keyFile = values.key ?? join(values.out, 'stream.key');
    writeFileSync(keyFile, toBase64url(seed) + '\n', { mode: 0o600 });
    console.error(`segment: new stream key written to ${keyFile}`);
  }

  const core = await loadCoreForNode();
  const segmenter = new Segmenter(core, values['target-ms'] ? { targetDurationMs: Number(values['target-ms']) } : {});
  const signer = new StreamSigner(core, seed);
  const captureBase = Date.now();
  const manifest = { version: 1, stream_id: signer.streamId, piece_size: core.PIECE_SIZE, inits: [], chunks: [] };
  const errors = [];

  const record = (kind, fields, bytes, file) => {
    const header = signer.sign(kind, fields, bytes);
    writeFileSync(join(values.out, file), bytes);
    return {
      file,
      bytes: bytes.length,
      merkle_root: toHex(merkleRoot(core, bytes)),
      signature: toBase64url(header.subarray(header.length - 64)),
      header: toBase64url(header),
      piece_hashes: toHex(pieceHashes(core, bytes)),
    };
  };
  const handle = (event) => {
    if (event.type === 'init') {
      const fields = { epoch: event.epoch, captureMs: captureBase };
      manifest.inits.push({ epoch: event.epoch, mime_type: event.mimeType,
        ...record(HeaderKind.init, fields, event.bytes, `init-${event.epoch}.webm`) });
    } else if (event.type === 'chunk') {
      const fields = { epoch: event.epoch, seq: event.seq, captureMs: captureBase + event.startMs,
        durationMs: event.durationMs, keyframe: event.keyframe };
      manifest.chunks.push({ seq: event.seq, epoch: event.epoch, start_ms: event.startMs,
        duration_ms: event.durationMs, keyframe: event.keyframe,
        ...record(HeaderKind.chunk, fields, event.bytes, `chunk-${event.seq}.webm`) });
    } else {
      errors.push(event);
      console.error(`segment: ${event.fatal ? 'error' : 'warning'} ${event.code} at byte ${event.position}: ${event.detail}`);
    }
  };

  for (const slice of fileSlices(input)) segmenter.push(slice).forEach(handle);
  segmenter.finish().forEach(handle);
  segmenter.close();
  signer.close();

  writeFileSync(join(values.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  console.log(`${input}: ${manifest.inits.length} init segment(s), ${manifest.chunks.length} chunk(s) ` +
    `-> ${values.out} (stream ${manifest.stream_id})`);
  if (manifest.chunks.length === 0 || errors.some((e) => e.fatal)) process.exit(2);
}

main().catch((error) => fail(error.stack ?? String(error)));
