// The messages on the cluster's channels (cluster/events.js): one event, or a batch of
// the events an instance published in one turn, each event of a batch checked alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvents } from '../../tools/server/cluster/events.js';
import { resolveLimits } from '../../tools/server/limits.js';

const limits = resolveLimits();
const streamId = `${'A'.repeat(42)}A`;
const away = { kind: 'away', instance: 'a', streamId, peerId: 7 };
const left = { kind: 'left', instance: 'a', streamId, peerId: 8, replaced: false };

test('a batch yields each of its events in order', () => {
  const parsed = parseEvents(JSON.stringify([away, left]), limits);
  assert.deepEqual(parsed, [{ ok: true, event: away }, { ok: true, event: left }]);
});

test('a single event is a batch of one', () => {
  assert.deepEqual(parseEvents(JSON.stringify(left), limits), [{ ok: true, event: left }]);
});

test('a bad event costs only itself; an empty or broken batch is refused whole', () => {
  const parsed = parseEvents(JSON.stringify([away, { ...left, replaced: 'yes' }, 3, left]), limits);
  assert.deepEqual(parsed.map((one) => one.ok), [true, false, false, true]);
  for (const junk of ['[]', '[{"kind":', 'not json']) {
    const [only, ...rest] = parseEvents(junk, limits);
    assert.equal(only.ok, false, junk);
    assert.equal(rest.length, 0);
  }
});
