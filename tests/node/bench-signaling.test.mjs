// `npm run bench:signaling` at a tiny size, so the bench cannot rot: it starts its own
// server and load generator, and every figure of its JSON is there and sane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root } from './helpers.mjs';

const BENCH = join(root, 'tools/bench/signaling/main.mjs');
const run = promisify(execFile);

/**
 * @param {{ p50_ms: number, p99_ms: number, max_ms: number }} figures
 * @param {string} name
 */
function assertLatency(figures, name) {
  const { p50_ms: p50, p99_ms: p99, max_ms: max } = figures;
  for (const x of [p50, p99, max]) assert.ok(Number.isFinite(x) && x >= 0, `${name}: ${JSON.stringify(figures)}`);
  assert.ok(p50 <= p99 && p99 <= max, `${name} percentiles in order: ${JSON.stringify(figures)}`);
  assert.ok(max < 15_000, `${name} under the handshake timeout: ${JSON.stringify(figures)}`);
}

test('the signaling bench holds, storms and relays at a tiny size and prints every figure', { timeout: 120_000 }, async () => {
  const { stdout } = await run(process.execPath,
    [BENCH, '--peers', '200', '--rooms', '2', '--storm', '50', '--storm-seconds', '1', '--settle-seconds', '1', '--rate', '100', '--seconds', '2'],
    { cwd: root, timeout: 110_000 });
  const result = JSON.parse(stdout);

  assert.equal(result.bench, 'signaling');
  assert.deepEqual({ ...result.config, source_addresses: undefined, open_file_limit: undefined, cores: undefined }, {
    instances: 1, redis: false, peers: 200, rooms: 2, storm: 50, storm_seconds: 1, settle_seconds: 1, rate_per_s: 100, seconds: 2, offers: true,
    load_generators: 1, source_addresses: undefined, ping_interval_ms: 10_000, stats_timer_ms: 2_000,
    open_file_limit: undefined, cores: undefined,
  });
  // Every peer joined and stayed: nothing at this size may fail, even on a busy machine.
  assert.deepEqual(result.connections, { target: 200, joined: 200, failed: 0, retries: 0, held: 200, held_from: 200, server_reported: 200 });
  // 200 clients are far under the 1,000 reports a second an instance takes at 2 s each.
  assert.deepEqual(result.stats_interval_ms, { min: 2000, max: 2000 });
  assert.equal(result.join.peers, 148);
  assert.equal(result.join.joined, 148);
  assert.ok(result.join.rate_per_s > 0 && result.join.seconds > 0);
  assertLatency(result.join, 'join');
  assertLatency(result.join.connect_and_join, 'connect and join');
  assert.equal(result.storm.joined, 50);
  assertLatency(result.storm, 'storm');
  // The storm is paced over its second; the join was answered after it was sent.
  assert.ok(result.storm.connect_and_join.p50_ms >= result.storm.p50_ms);

  assert.ok(result.relay.sent >= 150, `about 100 probes/s for 2 s: ${result.relay.sent}`);
  assert.equal(result.relay.lost, 0);
  assert.equal(result.relay.received, result.relay.sent);
  assertLatency(result.relay, 'relay');
  // One slice of 5 s holds the whole 2 s hold (and the probes' drain).
  assert.equal(result.relay.p99_ms_by_slice.length, 1);
  assert.ok(result.relay.p99_ms_by_slice[0] <= result.relay.max_ms, JSON.stringify(result.relay));
  assert.equal(result.relay.between_instances, false);
  assert.ok(result.signals.sent > 0 && result.signals.received === result.signals.sent, JSON.stringify(result.signals));
  assert.deepEqual(result.errors, {});
  assert.deepEqual(result.closes, {});

  const [instance] = result.instances;
  assert.equal(result.instances.length, 1);
  assert.equal(instance.connections, 200);
  assert.equal(instance.held, 200);
  assert.ok(instance.rss_kb_before > 10_000 && instance.rss_kb > 10_000, JSON.stringify(instance));
  assert.equal(result.server.rss_kb, instance.rss_kb);
  assert.ok(instance.rss_kb_joined_uncollected > 10_000);
  assert.ok(instance.heap_kb_before > 1_000 && instance.heap_kb_joined_uncollected > instance.heap_kb_before, JSON.stringify(instance));
  assert.ok(instance.heap_bytes_per_connection > 0 && instance.heap_kb < instance.rss_kb, JSON.stringify(instance));
  assert.equal(result.redis, null);
  assert.equal(typeof result.server.rss_bytes_per_connection, 'number');
  for (const cost of ['cpu_ms_per_join', 'cpu_ms_per_storm_join', 'cpu_us_per_held_connection_s']) {
    assert.ok(result.server[cost] > 0 && Number.isFinite(result.server[cost]), `${cost}: ${result.server[cost]}`);
  }
  for (const phase of ['join', 'storm', 'hold']) {
    assert.ok(instance.cpu_cores[phase] >= 0 && instance.cpu_cores[phase] <= result.config.cores + 0.5, JSON.stringify(instance.cpu_cores));
    assert.ok(result.machine_busy_cores[phase] >= instance.cpu_cores[phase] - 0.2, JSON.stringify(result.machine_busy_cores));
  }
  assertLatency(instance.relay_to_here, 'relay to the instance');
  assert.deepEqual(Object.keys(result.targets_met), ['peers_held', 'rss_per_connection', 'storm_p99', 'relay_p99']);
  assert.equal(result.targets_met.peers_held, false, '200 peers are not the 19,000 of the target');
});

test('with 3 instances on one Redis every room spans them and probes cross between them', { timeout: 120_000 }, async () => {
  const profiles = await mkdtemp(join(tmpdir(), 'bench-profile-'));
  const { stdout } = await run(process.execPath,
    [BENCH, '--instances', '3', '--peers', '300', '--rooms', '2', '--storm', '60', '--storm-seconds', '1', '--settle-seconds', '1', '--rate', '100', '--seconds', '2',
      '--profile', profiles],
    { cwd: root, timeout: 110_000 });
  const result = JSON.parse(stdout);

  // --profile: each instance's CPU profile of each phase, and where its time went.
  for (const instance of [0, 1, 2]) {
    for (const phase of ['join', 'storm', 'hold']) {
      const name = join(profiles, `server-${instance}-${phase}`);
      const profile = JSON.parse(await readFile(`${name}.cpuprofile`, 'utf8'));
      assert.ok(profile.nodes.length > 0 && profile.samples.length > 0, `${name}: a profile with samples`);
      assert.match(await readFile(`${name}.txt`, 'utf8'), /^\d+ samples\n\nself:\n.*%.*\n[^]*total:\n.*\(root\)/);
    }
  }
  await rm(profiles, { recursive: true });

  assert.equal(result.config.redis, true);
  assert.deepEqual(result.connections, { target: 300, joined: 300, failed: 0, retries: 0, held: 300, held_from: 300, server_reported: 300 });
  // Viewers round-robin over the instances (298: 100, 99, 99), broadcasters too (rooms 0 and 1).
  assert.deepEqual(result.instances.map((i) => i.connections), [101, 100, 99]);
  assert.deepEqual(result.instances.map((i) => i.held), [101, 100, 99]);
  assert.deepEqual(result.rooms, { count: 2, spanning_all_instances: 2 });
  assert.equal(result.relay.between_instances, true);
  assert.ok(result.relay.sent >= 150 && result.relay.lost === 0, JSON.stringify(result.relay));
  for (const instance of result.instances) assertLatency(instance.relay_to_here, `relay to ${instance.port}`);
  assert.ok(result.redis.rss_kb > 0 && result.redis.cpu_cores.hold >= 0, JSON.stringify(result.redis));
  assert.deepEqual(result.errors, {});
  assert.deepEqual(Object.keys(result.targets_met), ['peers_held', 'room_spans_all_instances', 'relay_between_instances_p99']);
  assert.equal(result.targets_met.room_spans_all_instances, true);
});

test('the signaling bench refuses more peers than the servers can hold, naming the limit', async () => {
  const refused = await run(process.execPath, [BENCH, '--peers', '30000'], { cwd: root }).then(() => null, (error) => error);
  assert.ok(refused, 'it must not run');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /open files \(ulimit -n\).*use more --instances/);
  const tooMany = await run(process.execPath, [BENCH, '--instances', '8', '--peers', '100000'], { cwd: root }).then(() => null, (error) => error);
  assert.match(tooMany.stderr, /at most 72000 peers/);
});
