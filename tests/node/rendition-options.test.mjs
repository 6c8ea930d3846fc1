// The broadcaster's rendition options are checked where they are given: a chunk clock
// that never ticks, or keyframes that fall between chunks, are RangeErrors, not a
// stream that never starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RENDITION_DEFAULTS, RenditionPublisher, renditionOptions } from '../../web/shim/rendition-publisher.js';

// The constructor only keeps its core.
const core = /** @type {any} */ ({});

test('the defaults, a chunk and a keyframe every second; shorter chunks within a group of pictures', () => {
  assert.equal(RENDITION_DEFAULTS.chunkMs, 1000);
  assert.equal(RENDITION_DEFAULTS.keyframeMs, 1000);
  assert.doesNotThrow(() => new RenditionPublisher(core));
  const short = renditionOptions({ chunkMs: 250 });
  assert.deepEqual([short.chunkMs, short.keyframeMs, short.rungs], [250, 1000, RENDITION_DEFAULTS.rungs]);
  // A length that does not divide a second: a keyframe on the first boundary from 1 s on.
  assert.equal(renditionOptions({ chunkMs: 300 }).keyframeMs, 1200);
  assert.equal(renditionOptions({ chunkMs: 1500 }).keyframeMs, 1500);
});

test('a chunk length or keyframe interval the clock cannot keep is a RangeError', () => {
  for (const chunkMs of [0, -250, 99, 10_001, 250.5, Number.NaN, Infinity]) {
    assert.throws(() => renditionOptions({ chunkMs, keyframeMs: 1000 }), RangeError, String(chunkMs));
  }
  for (const keyframeMs of [0, 100, 300, 1100, Number.NaN]) {
    assert.throws(() => new RenditionPublisher(core, { chunkMs: 250, keyframeMs }), RangeError, String(keyframeMs));
  }
});
