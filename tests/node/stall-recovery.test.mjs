// StallRecovery's decisions, on a stand-in for the video element: when a stuck
// pipeline is nudged and when it is left alone. (A real stuck Chromium pipeline only
// comes with a machine starved of CPU; bench:swarm measures that one.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StallRecovery } from '../../web/shim/stall-recovery.js';

globalThis.HTMLMediaElement ??= { HAVE_CURRENT_DATA: 2, HAVE_FUTURE_DATA: 3 };
globalThis.document ??= { visibilityState: 'visible' };

const OPTIONS = { nudgeAfterMs: 20, frozenVideoMs: 60 };

// A playing element holding [0, bufferedEnd) with the playhead at currentTime.
class FakeVideo extends EventTarget {
  paused = false;
  seeking = false;
  readyState = 4;
  currentTime = 10;
  framesPlayed = 0;

  constructor(bufferedEnd) {
    super();
    this.bufferedEnd = bufferedEnd;
  }

  get buffered() {
    return { length: 1, start: () => 0, end: () => this.bufferedEnd };
  }

  getVideoPlaybackQuality() {
    return { totalVideoFrames: this.framesPlayed, droppedVideoFrames: 0 };
  }

  underflow() {
    this.readyState = 2;
    this.dispatchEvent(new Event('waiting'));
  }
}

function recoveryFor(video, playing = () => true) {
  return new StallRecovery(video, OPTIONS, playing);
}

test('a pipeline still stuck nudgeAfterMs after it ran dry, with media ahead, is nudged forward', async () => {
  const video = new FakeVideo(11.5);
  const recovery = recoveryFor(video);
  video.underflow();
  await sleep(OPTIONS.nudgeAfterMs + 30);
  assert.equal(recovery.nudges, 1);
  assert.ok(Math.abs(video.currentTime - 10.1) < 1e-9);
});

test('an underflow that ends by itself, or with nothing ahead to play, is left alone', async () => {
  const resumed = new FakeVideo(11.5);
  const recovered = recoveryFor(resumed);
  resumed.underflow();
  resumed.readyState = 4;
  const dry = new FakeVideo(10.2);
  const empty = recoveryFor(dry);
  dry.underflow();
  const paused = new FakeVideo(11.5);
  const notPlaying = recoveryFor(paused, () => false);
  paused.underflow();
  await sleep(OPTIONS.nudgeAfterMs + 30);
  assert.deepEqual([recovered.nudges, empty.nudges, notPlaying.nudges], [0, 0, 0]);
  assert.deepEqual([resumed.currentTime, dry.currentTime, paused.currentTime], [10, 10, 10]);
});

test('nudges are a second apart: the refill after one fires another underflow', async () => {
  const video = new FakeVideo(12);
  const recovery = recoveryFor(video);
  video.underflow();
  await sleep(OPTIONS.nudgeAfterMs + 30);
  video.underflow();
  await sleep(OPTIONS.nudgeAfterMs + 30);
  assert.equal(recovery.nudges, 1);
});

test('a video that shows no new frame for frozenVideoMs while the playhead moves is nudged', async () => {
  const video = new FakeVideo(12);
  const recovery = recoveryFor(video);
  recovery.frameShown();
  recovery.checkFrozen();
  assert.equal(recovery.nudges, 0);
  await sleep(OPTIONS.frozenVideoMs / 2);
  video.framesPlayed++;  // a frame played out in time: not frozen
  recovery.checkFrozen();
  await sleep(OPTIONS.frozenVideoMs / 2 + 10);
  recovery.checkFrozen();
  assert.equal(recovery.nudges, 0);
  await sleep(OPTIONS.frozenVideoMs + 10);
  recovery.checkFrozen();
  assert.equal(recovery.nudges, 1);
});
