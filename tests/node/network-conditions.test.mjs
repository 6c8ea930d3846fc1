// NetworkConditions: the debug page's simulated network holds each message back by the
// latency, the jitter and, for a lost packet, a retransmission, never out of order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkConditions, RETRANSMIT_MS } from '../../web/shim/network-conditions.js';

// A random source that plays back the given values.
const sequence = (...values) => () => values.shift();

test('latency, jitter and loss add up; nothing overtakes the message before it', () => {
  assert.equal(new NetworkConditions().active, false);
  const steady = new NetworkConditions({ latencyMs: 100 }, sequence(0.5, 0));
  assert.equal(steady.active, true);
  assert.equal(steady.deliveryTime(1000, 0), 1100);

  // random() is drawn for the loss first, then for the jitter.
  const jittery = new NetworkConditions({ latencyMs: 50, jitterMs: 40, lossRate: 0.1 },
    sequence(0.5, 0.25, 0.05, 0, 0.9, 0));
  assert.equal(jittery.deliveryTime(0, 0), 60);                      // kept, 10 ms of jitter
  assert.equal(jittery.deliveryTime(5, 60), 55 + RETRANSMIT_MS);     // lost once: retransmitted
  assert.equal(jittery.deliveryTime(10, 55 + RETRANSMIT_MS), 55 + RETRANSMIT_MS, 'held behind the lost one');
});

test('the conditions can change while links use them', () => {
  const conditions = new NetworkConditions({}, () => 0.5);
  assert.equal(conditions.deliveryTime(0, 0), 0);
  conditions.latencyMs = 250;
  assert.equal(conditions.deliveryTime(0, 0), 250);
  conditions.latencyMs = 0;
  assert.equal(conditions.active, false);
});
