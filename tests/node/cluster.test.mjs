// Several signaling instances sharing their rooms through a real redis-server: joins,
// peer lists, signals, counts and listings across instances, and resume on another
// instance. (cluster-faults.test.mjs: an instance dying, Redis lost and back, garbage.)
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { startServer } from '../../tools/server/server.js';
import { StreamSigner } from '../../web/core/index.js';
import { Peer, broadcast, eventually, getJson, resumeOf, schemaViolations, sockets, watch } from './cluster-helpers.mjs';
import { startRedis } from './redis-server.mjs';

const LIMITS = {
  instanceRefreshMs: 200, instanceTtlMs: 800, clusterStatsIntervalMs: 100, swarmSummaryIntervalMs: 300,
  viewerCountIntervalMs: 100, reconnectGraceMs: 3000,
};

let core;
let redis;
let keys;
const servers = [];

before(async () => {
  core = await loadCoreForNode();
  keys = [1, 2].map((n) => new StreamSigner(core, new Uint8Array(32).fill(40 + n)));
  redis = await startRedis();
});
after(async () => {
  keys.forEach((key) => key.close());
  await redis.stop();
});
afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate());
  await Promise.all(servers.splice(0).map((server) => server.close()));
  assert.deepEqual(schemaViolations.splice(0), [], 'every server message matches schema.js');
});

async function instances(count, limits = {}) {
  const started = [];
  for (let n = 0; n < count; n++) {
    const server = await startServer({
      port: 0, host: '127.0.0.1', core, redis: redis.url, instanceId: `test-${n}-${Date.now()}`, limits: { ...LIMITS, ...limits },
    });
    servers.push(server);
    started.push(server);
  }
  // Every instance sees every other before the test begins.
  await eventually(() => started.every((server) => server.clusterStatus().instances === count), 5000);
  // ...and its URL, which it registers once listening.
  await new Promise((resolve) => setTimeout(resolve, 2 * LIMITS.instanceRefreshMs));
  return started;
}

describe('rooms across instances', () => {
  test('a viewer on another instance joins the broadcaster\'s room and is handed it', async () => {
    const [a, b, c] = await instances(3);
    for (const server of [a, b, c]) assert.deepEqual({ ...server.clusterStatus(), instanceId: 'x' }, { redis: 'up', instances: 3, instanceId: 'x' });
    const source = await broadcast(a.url, keys[0]);
    assert.equal(source.welcome.signalingUrls[0], `${a.url.replace('http', 'ws')}/signal`);
    assert.deepEqual(source.welcome.signalingUrls.slice(1).sort(), [b, c].map((s) => `${s.url.replace('http', 'ws')}/signal`).sort());
    const streamId = keys[0].streamId;
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    const viewer = await watch(b.url, streamId);
    assert.deepEqual(viewer.welcome.peers, [{ peerId: source.welcome.peerId, role: 'broadcaster' }]);
    assert.deepEqual(await viewer.next('state'), { type: 'state', state: 'live' });
    assert.notEqual(viewer.welcome.peerId, source.welcome.peerId);
    // The broadcaster's instance counts the viewer of the other.
    await source.next('viewers', 3000, (m) => m.count === 1);
    const second = await watch(c.url, streamId);
    assert.deepEqual(second.welcome.peers.map((p) => p.peerId).sort(), [source.welcome.peerId, viewer.welcome.peerId].sort(),
      'a viewer on a third instance is handed the broadcaster and the viewer of the second');
    for (const server of [a, b, c]) {
      const listed = await eventually(async () => {
        const [stream] = await getJson(server.url, '/api/streams');
        return stream?.viewers === 2 && stream;
      });
      assert.equal(listed.streamId, streamId, `${server.url} lists the stream with its 2 viewers`);
    }
    const ids = [source, viewer, second].map((p) => p.welcome.peerId);
    assert.equal(new Set(ids).size, 3, 'peer ids are unique across instances');
  });

  test('signals cross instances both ways; an unknown target is refused as on one instance', async () => {
    const [a, b] = await instances(2);
    const source = await broadcast(a.url, keys[0]);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    const viewer = await watch(b.url, keys[0].streamId);
    viewer.send({ type: 'signal', to: source.welcome.peerId, data: { sdp: { type: 'offer', sdp: 'v=0 offer' } } });
    assert.deepEqual(await source.next('signal'), { type: 'signal', from: viewer.welcome.peerId, data: { sdp: { type: 'offer', sdp: 'v=0 offer' } } });
    source.send({ type: 'signal', to: viewer.welcome.peerId, data: { candidate: null } });
    assert.deepEqual(await viewer.next('signal'), { type: 'signal', from: source.welcome.peerId, data: { candidate: null } });
    viewer.send({ type: 'signal', to: 987654321, data: { candidate: null } });
    assert.equal((await viewer.next('error')).code, 'unknown_peer');
    // Each signal's relay time is measured once, on the instance that delivered it.
    for (const server of [a, b]) {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(text, /^swarmcast_signal_relay_seconds_count\{[^}]*\} 1$/m, `${server.url}: one relay observed`);
      assert.match(text, /^swarmcast_redis_up\{[^}]*\} 1$/m);
    }
  });

  test('the broadcaster arriving on one instance makes the waiting viewers of another live', async () => {
    const [a, b] = await instances(2);
    const viewer = await watch(b.url, keys[1].streamId);
    assert.deepEqual(await viewer.next('state'), { type: 'state', state: 'waiting' });
    const source = await broadcast(a.url, keys[1]);
    assert.deepEqual(await viewer.next('state'), { type: 'state', state: 'live' });
    assert.deepEqual((await viewer.next('peers')).peers, [{ peerId: source.welcome.peerId, role: 'broadcaster' }]);
    // The broadcaster's room holds the viewer's link: its leaving is told to it.
    viewer.send({ type: 'leave' });
    assert.deepEqual(await source.next('peer-left'), { type: 'peer-left', peerId: viewer.welcome.peerId });
    source.send({ type: 'leave' });
  });

  test('listing, thumbnail and the swarm summary are the same from every instance', async () => {
    const [a, b] = await instances(2);
    const source = await broadcast(a.url, keys[0]);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    const viewer = await watch(b.url, keys[0].streamId);
    source.send({ type: 'describe', title: 'Across', tags: ['two', 'instances'] });
    assert.deepEqual(await viewer.next('listing', 3000, (m) => m.title === 'Across'), { type: 'listing', title: 'Across', tags: ['two', 'instances'] });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    source.send({ type: 'thumbnail', jpeg: jpeg.toString('base64url') });
    const picture = await eventually(async () => {
      const res = await fetch(`${b.url}/api/streams/${keys[0].streamId}/thumbnail`);
      return res.ok && Buffer.from(await res.arrayBuffer());
    });
    assert.deepEqual(picture, jpeg, 'the other instance serves the thumbnail');
    const [listed] = await getJson(b.url, '/api/streams');
    assert.equal(listed.title, 'Across');
    viewer.send({ type: 'stats', deliveryBytesPerS: 12345, playback: { watchedMs: 1000, stalledMs: 0, stalls: 0, latencyMs: 900 } });
    const summary = await source.next('swarm', 4000, (m) => m.carriedBytesPerS === 12345);
    assert.equal(summary.viewers, 1);
    assert.equal(summary.health.latencyP50Ms, 900);
  });

  test('a broadcaster arriving on another instance gets the reports its viewers sent before', async () => {
    const [a, b] = await instances(2);
    const viewer = await watch(b.url, keys[1].streamId);
    viewer.send({ type: 'stats', deliveryBytesPerS: 4321, playback: { watchedMs: 500, stalledMs: 0, stalls: 0, latencyMs: 700 } });
    // The report was batched while no instance held a broadcaster to send it to.
    await new Promise((resolve) => setTimeout(resolve, 3 * LIMITS.clusterStatsIntervalMs));
    const source = await broadcast(a.url, keys[1]);
    const summary = await source.next('swarm', 4000, (m) => m.carriedBytesPerS === 4321);
    assert.equal(summary.viewers, 1);
    assert.equal(summary.health.latencyP50Ms, 700);
    assert.equal(summary.roles.superSeed + summary.roles.relay + summary.roles.leaf, 1);
  });

  test('the room limit counts the members of every instance', async () => {
    const [a, b] = await instances(2, { maxPeersPerRoom: 2 });
    await broadcast(a.url, keys[0]);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    await watch(b.url, keys[0].streamId);
    await eventually(async () => (await getJson(a.url, '/api/streams'))[0]?.viewers === 1);
    const late = await Peer.connect(a.url);
    late.send({ type: 'join', role: 'viewer', streamId: keys[0].streamId });
    assert.equal((await late.next('error')).code, 'room_full');
    assert.equal((await late.closed).code, 4503);
  });

  test('a second broadcaster of the same stream on another instance is refused', async () => {
    const [a, b] = await instances(2);
    await broadcast(a.url, keys[0]);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    const impostor = await Peer.connect(b.url);
    impostor.send({ type: 'join', role: 'broadcaster', streamId: keys[0].streamId });
    assert.equal((await impostor.next('error')).code, 'stream_taken');
    assert.equal((await impostor.closed).code, 4409);
  });
});

describe('resume on another instance', () => {
  test('a viewer whose socket dropped resumes its peer id and links on another instance', async () => {
    const [a, b, c] = await instances(3);
    const source = await broadcast(a.url, keys[0]);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    const viewer = await watch(b.url, keys[0].streamId);
    // c must have heard of it: a resume c knows nothing of is a fresh join.
    await eventually(async () => (await getJson(c.url, '/api/streams'))[0].viewers === 1);
    await viewer.drop();
    const back = await watch(c.url, keys[0].streamId, { resume: resumeOf(viewer.welcome) });
    assert.deepEqual([back.welcome.peerId, back.welcome.resumed, back.welcome.peers], [viewer.welcome.peerId, true, []]);
    // Still linked with the broadcaster, whose signals now reach it on its new instance
    // once a has heard of the resume. Until then a holds the viewer away and refuses each
    // at once (unknown_peer): ten tries sent on each refusal all came back refused
    // before a had heard, 1 run in 5. So the signal goes every 300 ms until one arrives.
    const signal = { type: 'signal', to: viewer.welcome.peerId, data: { candidate: null } };
    const arrived = () => back.next('signal', 300).then((message) => message, () => null);
    let got = null;
    for (let tries = 0; got === null && tries < 20; tries++) {
      source.send(signal);
      got = await arrived();
    }
    assert.deepEqual(got, { type: 'signal', from: source.welcome.peerId, data: { candidate: null } });
    source.drain('error');
    // After the grace, nobody departs it: its new instance holds it.
    await new Promise((resolve) => setTimeout(resolve, LIMITS.reconnectGraceMs + LIMITS.instanceTtlMs + 300));
    assert.deepEqual(source.drain('peer-left'), []);
    for (const server of [a, b, c]) assert.equal((await getJson(server.url, '/api/streams'))[0].viewers, 1);
  });

  test('a broadcaster resumes on another instance before its old socket is known to be gone', async () => {
    const [a, b] = await instances(2);
    const source = await broadcast(a.url, keys[0]);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
    const viewer = await watch(b.url, keys[0].streamId);
    assert.deepEqual(await viewer.next('state'), { type: 'state', state: 'live' });
    const back = await broadcast(b.url, keys[0], { resume: resumeOf(source.welcome) });
    assert.deepEqual([back.welcome.peerId, back.welcome.resumed], [source.welcome.peerId, true]);
    // The old socket is let go without a departure: the viewer hears of none.
    await source.closed;
    viewer.send({ type: 'signal', to: source.welcome.peerId, data: { candidate: null } });
    assert.deepEqual(await back.next('signal'), { type: 'signal', from: viewer.welcome.peerId, data: { candidate: null } });
    assert.deepEqual([viewer.drain('peer-left'), viewer.drain('state')], [[], []]);
  });
});

describe('without Redis, and the options', () => {
  test('one instance says so and its welcome lists no other instance', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1', core });
    servers.push(server);
    assert.equal(server.clusterStatus().redis, 'off');
    assert.equal(server.clusterStatus().instances, 1);
    const source = await broadcast(server.url, keys[0]);
    assert.equal(source.welcome.signalingUrls, undefined);
  });

  test('a wrong redis URL, instance id or public URL is a TypeError naming it', async () => {
    const { createServer } = await import('../../tools/server/index.js');
    assert.throws(() => createServer({ redis: 'http://127.0.0.1:6379' }), /redis must be/);
    assert.throws(() => createServer({ instanceId: 'has space' }), /instanceId must be/);
    assert.throws(() => createServer({ instanceId: 'x'.repeat(65) }), /instanceId must be/);
    assert.throws(() => createServer({ publicUrl: 'http://example.org/signal' }), /publicUrl must be/);
  });
});
