// How bench:swarm's frame probe counts a long gap between two frames on screen: as
// frozen playback, as the stream's own hole, or as playback whose callbacks the page
// missed (tests/browser/measure.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountFrameGap } from '../browser/measure.mjs';

const OPTIONS = { seeked: false, playbackRate: 1, freezeGapMs: 250 };
const frameAt = (shownAt, mediaTime, presentedFrames, dropped = 0) => ({ shownAt, mediaTime, presentedFrames, dropped });
const LAST = frameAt(10_000, 5, 100);
// Media time is in seconds: compare to the microsecond.
const gapOf = (...args) => Object.fromEntries(Object.entries(accountFrameGap(...args)).map(([k, ms]) => [k, Math.round(ms * 1000) / 1000]));

test('frames closer than the freeze gap count for nothing', () => {
  assert.deepEqual(gapOf(LAST, frameAt(10_240, 5.24, 101), OPTIONS), { freeze: 0, upperBound: 0, sourceHole: 0 });
});

test('the next frame of a stream that held its frame as long is the stream\'s hole, not a freeze', () => {
  assert.deepEqual(gapOf(LAST, frameAt(10_400, 5.4, 101), OPTIONS), { freeze: 0, upperBound: 0, sourceHole: 400 });
});

test('the next frame after the media clock stood still counts the standstill as a freeze', () => {
  const gap = gapOf(LAST, frameAt(10_400, 5.1, 101), OPTIONS);
  assert.deepEqual(gap, { freeze: 300, upperBound: 300, sourceHole: 100 });
});

test('frames shown without a callback count only where the media clock stood still', () => {
  const gap = gapOf(LAST, frameAt(10_300, 5.131, 102), OPTIONS);
  assert.deepEqual(gap, { freeze: 169, upperBound: 300, sourceHole: 0 });
});

test('a frame shown after dropped ones: the picture stood through their turns of the media played', () => {
  // 6 frames due in 400 ms of media, 1 shown: the stream itself held the last one ~67 ms.
  assert.deepEqual(gapOf(LAST, frameAt(10_400, 5.4, 101, 5), OPTIONS), { freeze: 333.333, upperBound: 400, sourceHole: 0 });
});

test('frames shown without a callback, one of them dropped: only the dropped frame\'s turn is a freeze', () => {
  assert.deepEqual(gapOf(LAST, frameAt(10_300, 5.3, 105, 1), OPTIONS), { freeze: 50, upperBound: 300, sourceHole: 0 });
});

test('a gap with a seek in it counts in full', () => {
  assert.deepEqual(gapOf(LAST, frameAt(10_400, 5.4, 101), { ...OPTIONS, seeked: true }),
    { freeze: 400, upperBound: 400, sourceHole: 0 });
});

test('media time is played at the playback rate', () => {
  const gap = gapOf(LAST, frameAt(10_400, 5.4, 101), { ...OPTIONS, playbackRate: 2 });
  assert.deepEqual(gap, { freeze: 200, upperBound: 200, sourceHole: 200 });
});
