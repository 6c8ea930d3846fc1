// ClipBuffer: the last seconds of a stream as a file. The window, the epochs and the
// byte bound on made-up items; then a clip of a real ffmpeg-made stream, cut by the
// wasm segmenter, that ffmpeg must decode cleanly from 0 for the clip's length.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { ClipError, Segmenter, makeClip } from '../../web/core/index.js';
import { ClipBuffer } from '../../web/shim/clip-buffer.js';
import { ffmpegErrors, firstVideoFrameIsKey, readMedia, startTimeS, tempDir, videoFrameCount } from './helpers.mjs';

const bytesOf = (label, length = 4) => new Uint8Array(length).fill(label);
// What a clip would be made of, flattened (the window logic needs no WebM).
const contents = (clips) => {
  const parts = clips.parts();
  return parts && [...parts.init, ...parts.chunks.flatMap((chunk) => [...chunk])];
};

describe('ClipBuffer', () => {
  test('holds the chunks captured within its seconds of the newest, after their init segment', async () => {
    const clips = new ClipBuffer(null, { seconds: 3 });
    assert.equal(clips.parts(), null, 'nothing before the first chunk');
    clips.add({ init: true, epoch: 0, bytes: bytesOf(9, 2) });
    assert.equal(clips.parts(), null, 'an init segment alone is no clip');
    for (let seq = 0; seq < 6; seq++) clips.add({ epoch: 0, captureMs: 10_000 + seq * 1000, bytes: bytesOf(seq) });
    assert.deepEqual(contents(clips), [9, 9, ...[2, 3, 4, 5].flatMap((seq) => [...bytesOf(seq)])]);
    assert.equal(clips.seconds, 3);
  });

  test('a new epoch starts the clip afresh; its init segment may come before the old epoch ends', async () => {
    const clips = new ClipBuffer(null, { seconds: 10 });
    clips.add({ init: true, epoch: 0, bytes: bytesOf(90, 1) });
    clips.add({ epoch: 0, captureMs: 0, bytes: bytesOf(1, 1) });
    clips.add({ init: true, epoch: 1, bytes: bytesOf(91, 1) });
    clips.add({ epoch: 0, captureMs: 1000, bytes: bytesOf(2, 1) });
    assert.deepEqual(contents(clips), [90, 1, 2], 'the old epoch until the new one has a chunk');
    clips.add({ epoch: 1, captureMs: 2000, bytes: bytesOf(3, 1) });
    clips.add({ epoch: 1, captureMs: 3000, bytes: bytesOf(4, 1) });
    assert.deepEqual(contents(clips), [91, 3, 4]);
    assert.equal(clips.seconds, 1);
  });

  test('a rendition switch starts the clip afresh, with the init segment of the rendition played', async () => {
    const clips = new ClipBuffer(null, { seconds: 10 });
    clips.add({ init: true, epoch: 0, rendition: 0, bytes: bytesOf(90, 1) });
    clips.add({ init: true, epoch: 0, rendition: 1, bytes: bytesOf(91, 1) });
    clips.add({ epoch: 0, rendition: 0, captureMs: 0, bytes: bytesOf(1, 1) });
    clips.add({ epoch: 0, rendition: 0, captureMs: 1000, bytes: bytesOf(2, 1) });
    assert.deepEqual(contents(clips), [90, 1, 2], 'rendition 0 with its own init, not the later one of rendition 1');
    clips.add({ epoch: 0, rendition: 1, captureMs: 2000, bytes: bytesOf(3, 1) });
    clips.add({ epoch: 0, rendition: 1, captureMs: 3000, bytes: bytesOf(4, 1) });
    assert.deepEqual(contents(clips), [91, 3, 4]);
    // Back to rendition 0 in the same epoch: its init segment is still held.
    clips.add({ epoch: 0, rendition: 0, captureMs: 4000, bytes: bytesOf(5, 1) });
    assert.deepEqual(contents(clips), [90, 5]);
    assert.equal(clips.seconds, 0);
  });

  test('keeps at most maxBytes of chunks, and always the newest', async () => {
    const clips = new ClipBuffer(null, { seconds: 60, maxBytes: 10 });
    clips.add({ init: true, epoch: 0, bytes: bytesOf(9, 1) });
    for (let seq = 0; seq < 5; seq++) clips.add({ epoch: 0, captureMs: seq * 1000, bytes: bytesOf(seq) });
    assert.deepEqual(contents(clips), [9, ...bytesOf(3), ...bytesOf(4)]);
    clips.add({ epoch: 0, captureMs: 5000, bytes: bytesOf(5, 20) });
    assert.deepEqual(contents(clips), [9, ...bytesOf(5, 20)], 'one chunk over the bound is still a clip');
  });

  test('refuses a window or a bound that holds nothing', () => {
    assert.throws(() => new ClipBuffer(null, { seconds: 0 }), RangeError);
    assert.throws(() => new ClipBuffer(null, { maxBytes: -1 }), RangeError);
    assert.throws(() => new ClipBuffer(null, { seconds: Number.NaN }), RangeError);
  });
});

describe('a clip of a real stream', () => {
  let core;
  before(async () => { core = await loadCoreForNode(); });

  const segmented = () => {
    const segmenter = new Segmenter(core);
    const events = [...segmenter.push(readMedia('vp8-opus-live-20s.webm')), ...segmenter.finish()];
    segmenter.close();
    return events;
  };

  test('the last 8 s of a 20 s live-style stream decode cleanly, from a keyframe at 0, for 8-9 s', async () => {
    const clips = new ClipBuffer(core, { seconds: 8 });
    const events = segmented();
    for (const event of events) {
      if (event.type === 'init') clips.add({ init: true, epoch: event.epoch, bytes: event.bytes });
      if (event.type === 'chunk') clips.add({ epoch: event.epoch, captureMs: event.startMs, bytes: event.bytes });
    }
    assert.ok(events.filter((event) => event.type === 'chunk').length >= 18, 'the stream is cut into ~1 s chunks');
    const clip = clips.clip();
    assert.equal(clip.type, 'video/webm');
    const path = join(tempDir('clip'), 'clip.webm');
    writeFileSync(path, new Uint8Array(await clip.arrayBuffer()));
    assert.equal(ffmpegErrors(path), '');
    assert.ok(firstVideoFrameIsKey(path));
    const startS = startTimeS(path);
    assert.ok(Math.abs(startS) < 0.05, `the clip starts at ${startS} s`);
    // 30 fps: the 8 s between the first and the last chunk's start, plus the last chunk.
    const frames = videoFrameCount(path);
    assert.ok(frames >= 8 * 30 && frames <= 9 * 30 + 5, `${frames} frames`);
  });

  test('chunks out of order are a ClipError, not a file', () => {
    const events = segmented();
    const init = events.find((event) => event.type === 'init').bytes;
    const chunks = events.filter((event) => event.type === 'chunk').map((event) => event.bytes);
    assert.throws(() => makeClip(core, init, [chunks[5], chunks[4]]),
      (error) => error instanceof ClipError && error.detail === "a cluster earlier than the clip's first");
    assert.throws(() => makeClip(core, init, [chunks[5].subarray(0, 100)]), ClipError);
    assert.throws(() => makeClip(core, new Uint8Array(10), chunks.slice(0, 2)), ClipError);
  });
});
