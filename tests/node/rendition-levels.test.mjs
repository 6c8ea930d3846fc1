// The viewer's quality levels from a stream's rendition list (web/shim/rendition-levels.js):
// named by height, highest first as listed, and those whose codecs the browser's
// MediaSource refuses marked undecodable, for the engine to skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levelName, levelsOf, undecodableIds, webmTypeOf } from '../../web/shim/rendition-levels.js';

const LADDER = {
  revision: 3, firstSeq: 12, renditions: [
    { id: 2, width: 1280, height: 720, bitrate: 2_564_000, frameRateMilli: 30_000, codecs: 'av01.0.05M.08,opus' },
    { id: 0, width: 640, height: 360, bitrate: 739_000, frameRateMilli: 29_970, codecs: 'vp8,opus' },
    { id: 1, width: 0, height: 0, bitrate: 64_000, frameRateMilli: 0, codecs: 'opus' },
  ],
};

/** A MediaSource that plays VP8 and Opus, and nothing else; the types it was asked about. */
function vp8Only() {
  const asked = [];
  const isTypeSupported = (type) => {
    asked.push(type);
    return /^(video|audio)\/webm; codecs="(vp8,opus|vp8|opus)"$/.test(type);
  };
  return { asked, isTypeSupported };
}

test('levels keep the list\'s order, with frame rates in fps and each codecs string checked as WebM', () => {
  const { asked, isTypeSupported } = vp8Only();
  const levels = levelsOf(LADDER, isTypeSupported);
  assert.deepEqual(levels, [
    { id: 2, width: 1280, height: 720, bitrate: 2_564_000, frameRate: 30, codecs: 'av01.0.05M.08,opus', decodable: false },
    { id: 0, width: 640, height: 360, bitrate: 739_000, frameRate: 29.97, codecs: 'vp8,opus', decodable: true },
    { id: 1, width: 0, height: 0, bitrate: 64_000, frameRate: 0, codecs: 'opus', decodable: true },
  ]);
  assert.deepEqual(asked, ['video/webm; codecs="av01.0.05M.08,opus"', 'video/webm; codecs="vp8,opus"', 'audio/webm; codecs="opus"']);
  assert.deepEqual(undecodableIds(levels), [2], 'the engine is told to skip the AV1 rendition');
  assert.deepEqual(levels.map(levelName), ['720p', '360p', 'audio']);
});

test('a browser that decodes everything skips nothing; one whose check throws, or says anything but yes, decodes nothing', () => {
  assert.deepEqual(undecodableIds(levelsOf(LADDER, () => true)), []);
  assert.deepEqual(undecodableIds(levelsOf(LADDER, () => { throw new TypeError('no MediaSource'); })), [2, 0, 1]);
  assert.deepEqual(undecodableIds(levelsOf(LADDER, () => /** @type {any} */ ('maybe'))), [2, 0, 1]);
});

test('no list, no levels', () => {
  assert.deepEqual(levelsOf(null, () => true), []);
  assert.deepEqual(undecodableIds([]), []);
  assert.equal(webmTypeOf({ width: 320, codecs: 'vp9' }), 'video/webm; codecs="vp9"');
});
