// When a node sends its stats (web/shim/stats-report.js ReportPace): on its own timer,
// or as seldom as the server asks, which the product's SwarmNode and the signaling
// bench's clients both follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReportPace } from '../../web/shim/stats-report.js';

// The ticks of a 2 s timer from 0 to `untilMs` at which a report went out.
function reportsAt(pace, untilMs) {
  const at = [];
  for (let now = 0; now <= untilMs; now += 2000) if (pace.due(now)) at.push(now);
  return at;
}

test('unasked, a report goes out on every tick of the timer', () => {
  assert.deepEqual(reportsAt(new ReportPace(2000, 0), 8000), [0, 2000, 4000, 6000, 8000]);
});

test('asked for a longer interval, on the first tick at least that long after the last report', () => {
  const pace = new ReportPace(2000, 0);
  pace.ask(7000);
  assert.deepEqual(reportsAt(pace, 20_000), [0, 8000, 16_000]);
  assert.equal(pace.everyMs, 7000);
  const even = new ReportPace(2000, 0);
  even.ask(8000);
  assert.deepEqual(reportsAt(even, 20_000), [0, 8000, 16_000], 'a multiple of the tick: that interval');
});

test('a tick a little early still counts', () => {
  const pace = new ReportPace(2000, 0);
  assert.ok(pace.due(0));
  assert.ok(pace.due(1995), 'a 2 s timer ticking 5 ms early');
  pace.ask(4000);
  assert.ok(!pace.due(3990), 'one tick after: not yet');
  assert.ok(pace.due(5985), 'two ticks after, early');
});

test('a shorter interval than the timer, or one that is not a number, leaves the timer', () => {
  const pace = new ReportPace(2000, 0);
  pace.ask(500);
  assert.equal(pace.everyMs, 2000);
  pace.ask(9000);
  pace.ask(/** @type {any} */ (undefined));
  assert.equal(pace.everyMs, 2000);
  pace.ask(Number.NaN);
  assert.deepEqual(reportsAt(pace, 4000), [0, 2000, 4000]);
});

test('the second report comes early by the phase, spreading nodes that joined together over the interval', () => {
  const spread = [0, 0.25, 0.5, 0.75].map((phase) => {
    const pace = new ReportPace(2000, phase);
    pace.ask(8000);
    return reportsAt(pace, 26_000);
  });
  assert.deepEqual(spread, [
    [0, 8000, 16_000, 24_000],
    [0, 6000, 14_000, 22_000],
    [0, 4000, 12_000, 20_000],
    [0, 2000, 10_000, 18_000, 26_000],
  ]);
  const seconds = new Set(Array.from({ length: 40 }, () => {
    const pace = new ReportPace(2000);
    pace.ask(8000);
    return reportsAt(pace, 8000)[1];
  }));
  assert.ok(seconds.size >= 3, `by default the phase is drawn at random: second reports at ${[...seconds]} ms`);
});
