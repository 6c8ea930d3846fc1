// The player's latency target (web/shim/latency-target.js): the worst arrival lateness
// of the recent live chunks plus a margin, never below the floor the latency mode sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyTarget } from '../../web/shim/latency-target.js';
import { MSE_PLAYER_DEFAULTS } from '../../web/shim/mse-player.js';

const OPTIONS = { ...MSE_PLAYER_DEFAULTS, initialLatencyMs: 1800, latencyMarginMs: 500, warmupMs: 3000, latencyWindowMs: 20_000 };

test('before any live chunk is timed the target is the initial one', () => {
  const target = new LatencyTarget(OPTIONS);
  assert.equal(target.ms, 1800);
  target.noteArrival(9_000, 10_000);  // the first append
  assert.equal(target.ms, 1800);
});

test('the worst lateness of the live chunks in the window, plus the margin', () => {
  const target = new LatencyTarget(OPTIONS);
  target.noteArrival(9_000, 10_000);
  target.noteArrival(12_000, 13_200);  // 1200 ms late
  target.noteArrival(13_000, 14_600);  // 1600 ms late
  target.noteArrival(14_000, 15_100);
  assert.equal(target.ms, 2100);
  target.noteArrival(40_000, 41_000);  // 20 s on: the others have left the window
  assert.equal(target.ms, 1500);
});

test('backlog captured before the first append does not count, however late it arrives', () => {
  const target = new LatencyTarget(OPTIONS);
  target.noteArrival(4_000, 10_000);   // a start 6 s behind live
  target.noteArrival(7_000, 13_500);   // backlog, after the warmup: 6.5 s "late"
  assert.equal(target.ms, 1800);
  target.noteArrival(11_000, 14_000);
  assert.equal(target.ms, 3500);
});

test('forgetting goes back to the initial target, and times only chunks captured since', () => {
  const target = new LatencyTarget(OPTIONS);
  target.noteArrival(9_000, 10_000);
  target.noteArrival(12_000, 15_500);  // fetched against a smooth mode's far deadlines
  assert.equal(target.ms, 4000);
  target.forget(16_000);
  assert.equal(target.ms, 1800);
  target.noteArrival(13_000, 16_500);  // captured before: fetched as lazily
  assert.equal(target.ms, 1800);
  target.noteArrival(16_000, 17_300);
  assert.equal(target.ms, 1800);
});

test('the floor (the smooth mode\'s) holds the target up', () => {
  const target = new LatencyTarget(OPTIONS);
  target.floorMs = 6000;
  assert.equal(target.ms, 6000);
  assert.equal(target.initialMs, 6000);
  target.noteArrival(9_000, 10_000);
  target.noteArrival(12_000, 13_200);
  assert.equal(target.ms, 6000);
  target.floorMs = OPTIONS.minLatencyMs;
  assert.equal(target.ms, 1700);
});
