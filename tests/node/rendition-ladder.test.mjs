// The broadcaster's rendition ladder, its judge of encoders that fall behind, and the
// Opus header its init segments carry: pure code, checked with literal cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RUNGS, ladderFields, parseRungs, planLadder } from '../../web/shim/rendition-ladder.js';
import { EncoderHealth } from '../../web/shim/encoder-health.js';
import { opusHead } from '../../web/shim/opus-head.js';

test('a 720p source gets the default ladder: 720p, 480p and 240p at the source aspect', () => {
  assert.deepEqual(planLadder({ width: 1280, height: 720 }), [
    { id: 0, width: 1280, height: 720, bitrate: 2_500_000 },
    { id: 1, width: 854, height: 480, bitrate: 1_200_000 },
    { id: 2, width: 426, height: 240, bitrate: 400_000 },
  ]);
});

test('a larger source is scaled down to the rungs; a 4:3 one keeps its aspect', () => {
  assert.deepEqual(planLadder({ width: 1920, height: 1080 }).map((r) => [r.width, r.height]), [[1280, 720], [854, 480], [426, 240]]);
  assert.deepEqual(planLadder({ width: 1280, height: 960 }).map((r) => [r.width, r.height]), [[960, 720], [640, 480], [320, 240]]);
});

test('no rung is larger than the source: a 640x360 source is its own top rendition', () => {
  assert.deepEqual(planLadder({ width: 640, height: 360 }), [
    { id: 0, width: 640, height: 360, bitrate: 675_000 },  // 480p's 1.2 Mbit/s scaled by the pixels
    { id: 1, width: 426, height: 240, bitrate: 400_000 },
  ]);
  // 240p's 0.4 Mbit/s scaled by the pixels.
  assert.deepEqual(planLadder({ width: 320, height: 180 }), [{ id: 0, width: 320, height: 180, bitrate: 225_000 }]);
});

test('asked rungs: sorted highest first, at most three, each cheaper than the one above', () => {
  const rungs = [{ height: 180, bitrate: 250_000 }, { height: 360, bitrate: 800_000 }];
  assert.deepEqual(planLadder({ width: 640, height: 360 }, rungs), [
    { id: 0, width: 640, height: 360, bitrate: 800_000 }, { id: 1, width: 320, height: 180, bitrate: 250_000 }]);
  const dearer = [{ height: 360, bitrate: 800_000 }, { height: 240, bitrate: 900_000 }];
  assert.deepEqual(planLadder({ width: 640, height: 360 }, dearer).map((r) => r.height), [360]);
  assert.equal(DEFAULT_RUNGS.length, 3);
});

test('the element attribute reads as rungs, or not at all', () => {
  assert.deepEqual(parseRungs('360p:1000, 180p:300'), [{ height: 360, bitrate: 1_000_000 }, { height: 180, bitrate: 300_000 }]);
  for (const bad of [null, '', 'high', '360p', '360p:1000,', '40p:300', '360p:10', '720p:1,480p:1,360p:1,240p:1']) {
    assert.equal(parseRungs(bad), null, String(bad));
  }
});

test('the signed list names each rendition with the audio in its bitrate', () => {
  const fields = ladderFields(planLadder({ width: 640, height: 360 }, [{ height: 360, bitrate: 800_000 }]),
    { revision: 2, firstSeq: 7, audioBitrate: 64_000, frameRate: 29.97 });
  assert.deepEqual(fields, { revision: 2, firstSeq: 7,
    renditions: [{ id: 0, width: 640, height: 360, bitrate: 864_000, frameRateMilli: 29970, codecs: 'vp8,opus' }] });
  const silent = ladderFields([{ id: 0, width: 320, height: 180, bitrate: 250_000 }], { revision: 1, firstSeq: 0, audioBitrate: 0, frameRate: 30 });
  assert.equal(silent.renditions[0].codecs, 'vp8');
});

test('an encoder is behind after two windows of returning under 80 % of the captured frames', () => {
  const health = new EncoderHealth({ windowMs: 1000 });
  assert.equal(health.observe(0, 0, [0, 0]), 'judging');
  assert.equal(health.observe(1000, 30, [30, 29]), 'ok');
  assert.equal(health.observe(2000, 60, [60, 50]), 'judging');  // 21 of 30: behind once
  assert.equal(health.observe(3000, 90, [90, 60]), 'behind');  // 10 of 30: behind twice running
  health.reset();
  assert.equal(health.observe(3500, 100, [100]), 'judging');
  assert.equal(health.observe(4500, 130, [130]), 'ok');
});

test('a window that recovers clears the strike', () => {
  const health = new EncoderHealth({ windowMs: 1000 });
  health.observe(0, 0, [0]);
  assert.equal(health.observe(1000, 30, [10]), 'judging');
  assert.equal(health.observe(2000, 60, [40]), 'ok');
  assert.equal(health.observe(3000, 90, [50]), 'judging');
});

test('the Opus head: magic, version 1, channels, pre-skip 312, input rate, no gain, mapping 0', () => {
  assert.deepEqual([...opusHead(1, 48000)],
    [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]);
  assert.equal(opusHead(2, 44100)[9], 2);
});
