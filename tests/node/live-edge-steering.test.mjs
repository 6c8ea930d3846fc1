// The player's latency modes (web/shim/live-edge-steering.js): the smooth mode holds the
// picture back until the playhead is as far behind live as it aims at; the low mode
// never holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveEdgeSteering } from '../../web/shim/live-edge-steering.js';
import { MSE_PLAYER_DEFAULTS } from '../../web/shim/mse-player.js';

// A playing video whose playhead is `latencyMs` behind live, and how often the
// steering paused and played it.
function playingAt(latencyMs) {
  const calls = { pauses: 0, plays: 0 };
  const video = Object.assign(new EventTarget(), {
    paused: false, seeking: false, currentTime: 10, playbackRate: 1, buffered: { length: 0 },
    pause() { this.paused = true; calls.pauses += 1; },
  });
  const timeline = { latencyMsAt: () => latencyMs, mediaTimeAt: () => null };
  const play = () => {
    video.paused = false;
    calls.plays += 1;
    video.dispatchEvent(new Event('play'));
  };
  const steering = new LiveEdgeSteering(/** @type {any} */ (video), MSE_PLAYER_DEFAULTS, /** @type {any} */ (timeline),
    { playing: () => true, play });
  return { steering, video, calls };
}

test('the smooth mode holds a playhead nearer live than it aims at; back to low plays at once', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { steering, video, calls } = playingAt(800);
  steering.mode = 'low';
  assert.equal(video.paused, false, 'the low mode does not hold');
  steering.mode = 'smooth';
  assert.equal(video.paused, true, `smooth: held for ${MSE_PLAYER_DEFAULTS.smoothLatencyMs - 800} ms`);
  steering.mode = 'low';
  assert.deepEqual({ paused: video.paused, ...calls }, { paused: false, pauses: 1, plays: 1 },
    'back in low, it plays, though the target it forgot to (the initial one) is above the latency reached');
  t.mock.timers.tick(MSE_PLAYER_DEFAULTS.smoothLatencyMs);
  steering.steer(false);
  assert.deepEqual({ paused: video.paused, ...calls }, { paused: false, pauses: 1, plays: 1 }, 'no hold once in low');
});

test('a smooth hold ends by itself after the difference', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { steering, video, calls } = playingAt(1000);
  steering.mode = 'smooth';
  assert.equal(video.paused, true);
  t.mock.timers.tick(MSE_PLAYER_DEFAULTS.smoothLatencyMs - 1000 - 1);
  assert.equal(video.paused, true, 'still held just before');
  t.mock.timers.tick(1);
  assert.deepEqual({ paused: video.paused, ...calls }, { paused: false, pauses: 1, plays: 1 });
});
