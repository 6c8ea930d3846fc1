// Faults of a multi-instance deployment with a real redis-server: an instance killed
// (a child process, SIGKILL: no goodbye, no more heartbeats), Redis lost and back, and
// garbage published on the cluster's channels.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { startServer } from '../../tools/server/server.js';
import { StreamSigner } from '../../web/core/index.js';
import { broadcast, eventually, getJson, resumeOf, schemaViolations, sockets, watch } from './cluster-helpers.mjs';
import { root } from './helpers.mjs';
import { startRedis } from './redis-server.mjs';

const LIMITS = {
  instanceRefreshMs: 200, instanceTtlMs: 800, clusterStatsIntervalMs: 100, viewerCountIntervalMs: 100, reconnectGraceMs: 2000,
};

let core;
let redis;
let signer;
const servers = [];
const children = [];

before(async () => {
  core = await loadCoreForNode();
  signer = new StreamSigner(core, new Uint8Array(32).fill(77));
  redis = await startRedis();
});
after(async () => {
  signer.close();
  await redis.stop();
});
afterEach(async () => {
  await redis.start(); // if a test failed while it was stopped
  sockets.splice(0).forEach((ws) => ws.terminate());
  children.splice(0).forEach((child) => child.kill('SIGKILL'));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  assert.deepEqual(schemaViolations.splice(0), [], 'every server message matches schema.js');
});

async function instance(name) {
  const server = await startServer({ port: 0, host: '127.0.0.1', core, redis: redis.url, instanceId: name, limits: LIMITS });
  servers.push(server);
  return server;
}

// An instance in a process of its own (the operator's command line), to be killed.
async function processInstance(name) {
  const child = spawn(process.execPath, [join(root, 'tools/server/main.js'), '--port', '0', '--host', '127.0.0.1',
    '--redis', redis.url, '--instance-id', name],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SWARMCAST_LIMITS: JSON.stringify(LIMITS) } });
  children.push(child);
  let output = '';
  for await (const part of child.stdout) {
    output += part;
    const url = output.match(/swarmcast on (http:\/\/\S+)/)?.[1];
    if (url) return { child, url };
  }
  throw new Error(`the instance exited before listening: ${output}`);
}

// Console lines the servers log while `run` runs.
async function logged(run) {
  const lines = [];
  const { log, warn, error } = console;
  console.log = (...args) => lines.push(args.join(' '));
  console.warn = console.log;
  console.error = console.log;
  try {
    await run();
  } finally {
    Object.assign(console, { log, warn, error });
  }
  return lines;
}

const viewersOn = async (server) => (await getJson(server.url, '/api/streams'))[0]?.viewers;

// Two instances, a broadcast on a, and a viewer on b that a knows of.
async function streamAcrossTwo(name) {
  const [a, b] = [await instance(`${name}-a`), await instance(`${name}-b`)];
  const source = await broadcast(a.url, signer);
  await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1);
  const viewer = await watch(b.url, signer.streamId);
  await eventually(async () => (await viewersOn(a)) === 1);
  return { a, b, source, viewer };
}

describe('an instance dies', () => {
  test('its viewers resume elsewhere with their peer id and links; the others depart the rest after TTL and grace', async () => {
    const [a, b] = [await instance('alive-a'), await instance('alive-b')];
    const doomed = await processInstance('doomed');
    const source = await broadcast(a.url, signer);
    await eventually(async () => (await getJson(doomed.url, '/api/streams')).length === 1, 8000);
    const [resumer, lost] = [await watch(doomed.url, signer.streamId), await watch(doomed.url, signer.streamId)];
    assert.equal(resumer.welcome.signalingUrls.length, 3, 'its welcome lists the three instances');
    await eventually(async () => (await viewersOn(a)) === 2 && (await viewersOn(b)) === 2);

    doomed.child.kill('SIGKILL');
    await Promise.all([resumer.closed, lost.closed]);
    const killedAt = Date.now();
    const back = await watch(b.url, signer.streamId, { resume: resumeOf(resumer.welcome) });
    assert.deepEqual([back.welcome.peerId, back.welcome.resumed], [resumer.welcome.peerId, true]);

    // The instance that did not come back is departed by the others: TTL, then grace.
    const left = await source.next('peer-left', 8000);
    const departedAfterMs = Date.now() - killedAt;
    assert.equal(left.peerId, lost.welcome.peerId);
    assert.ok(departedAfterMs >= LIMITS.reconnectGraceMs, `departed after ${departedAfterMs} ms: not before its grace`);
    await eventually(async () => (await viewersOn(a)) === 1 && (await viewersOn(b)) === 1);
    assert.equal(a.clusterStatus().instances, 2);
    // The resumed viewer kept its link with the broadcaster: signals still reach it.
    source.send({ type: 'signal', to: back.welcome.peerId, data: { candidate: null } });
    assert.deepEqual(await back.next('signal'), { type: 'signal', from: source.welcome.peerId, data: { candidate: null } });
    assert.deepEqual(source.drain('peer-left'), []);
  });
});

describe('the broadcaster\'s instance dies', () => {
  test('the broadcaster resumes on another instance; its viewers elsewhere never hear the stream ended', async () => {
    const [a, b] = [await instance('stay-a'), await instance('stay-b')];
    const doomed = await processInstance('doomed-source');
    const source = await broadcast(doomed.url, signer);
    await eventually(async () => (await getJson(b.url, '/api/streams')).length === 1, 8000);
    const viewer = await watch(b.url, signer.streamId);
    assert.deepEqual(viewer.welcome.peers, [{ peerId: source.welcome.peerId, role: 'broadcaster' }]);
    doomed.child.kill('SIGKILL');
    await source.closed;
    const back = await broadcast(a.url, signer, { resume: resumeOf(source.welcome) });
    assert.deepEqual([back.welcome.peerId, back.welcome.resumed], [source.welcome.peerId, true]);
    // The takeover reaches the viewer's instance through Redis, after the broadcaster's
    // welcome: a signal sent in between still goes to the dead owner and is lost, as a
    // signal to a peer that just left is; a client sends again when a link does not open.
    let heard = null;
    for (let attempt = 0; attempt < 5 && !heard; attempt++) {
      viewer.send({ type: 'signal', to: source.welcome.peerId, data: { candidate: null } });
      heard = await back.next('signal', 1000).catch(() => null);
    }
    assert.deepEqual(heard, { type: 'signal', from: viewer.welcome.peerId, data: { candidate: null } });
    // Past the dead instance's TTL and the grace: still live, still linked.
    await sleep(3000 + LIMITS.reconnectGraceMs + 500);
    assert.deepEqual([viewer.drain('peer-left'), viewer.inbox.filter((m) => m.type === 'state' && m.state === 'ended')], [[], []]);
    assert.equal((await getJson(b.url, '/api/streams'))[0]?.viewers, 1);
  });
});

describe('Redis lost and back', () => {
  test('each instance keeps serving the peers it holds, says so once, and the rooms heal', async () => {
    const { a, b, source, viewer: before } = await streamAcrossTwo('keep');

    let during;
    const lines = await logged(async () => {
      await redis.stop();
      assert.ok(await eventually(() => a.clusterStatus().redis === 'down' && b.clusterStatus().redis === 'down'));
      await sleep(1500); // several reconnection attempts
      // A newcomer on the broadcaster's instance still gets it as a peer (and not the
      // viewer of the other instance, whom no signal could reach now)...
      const local = await watch(a.url, signer.streamId);
      assert.deepEqual(local.welcome.peers, [{ peerId: source.welcome.peerId, role: 'broadcaster' }]);
      // ...and one on the other instance a welcome with the peers it holds, but not the
      // broadcaster on the unreachable one.
      during = await watch(b.url, signer.streamId);
      assert.deepEqual([during.welcome.resumed, during.welcome.peers], [false, [{ peerId: before.welcome.peerId, role: 'viewer' }]]);

      await redis.start();
      assert.ok(await eventually(() => a.clusterStatus().redis === 'up' && b.clusterStatus().redis === 'up', 8000));
      // Healed: both instances count the viewers that joined the other meanwhile.
      assert.ok(await eventually(async () => (await viewersOn(a)) === 3 && (await viewersOn(b)) === 3, 5000),
        `viewers on a: ${await viewersOn(a)}, on b: ${await viewersOn(b)}`);
    });
    for (const name of ['keep-a', 'keep-b']) {
      assert.equal(lines.filter((line) => line.includes(`instance ${name} serves the peers it holds`)).length, 1, `${name} logs the loss once`);
      assert.equal(lines.filter((line) => line.includes(`instance ${name} shares its rooms`)).length, 1, `${name} logs the return once`);
    }
    // The viewer that joined the other instance while Redis was down is handed the
    // broadcaster when it asks again, and reaches it.
    during.send({ type: 'peers-request' });
    assert.ok((await during.next('peers')).peers.some((p) => p.peerId === source.welcome.peerId));
    during.send({ type: 'signal', to: source.welcome.peerId, data: { candidate: null } });
    assert.deepEqual(await source.next('signal', 3000, (m) => m.from === during.welcome.peerId), { type: 'signal', from: during.welcome.peerId, data: { candidate: null } });
    assert.equal(before.inbox.filter((m) => m.type === 'state' && m.state === 'ended').length, 0);
  });
});

describe('garbage on the channels', () => {
  test('is ignored with a log line; the rooms stay as they were', async () => {
    const { a, b, source, viewer } = await streamAcrossTwo('sane');
    const rogue = new Redis(redis.url);
    rogue.on('error', () => {});
    const lines = await logged(async () => {
      const member = {
        streamId: signer.streamId, peerId: 5, role: 'viewer', canUpload: true, uploadKbps: 1, joinedAtMs: 1,
        resumeToken: 'AAAAAAAAAAAAAAAAAAAAAA', away: false, up: [], down: [], stats: {}, score: 50, tier: 1,
      };
      for (const junk of [
        'not json', '[]', '{"kind":"nope","instance":"x"}', '[1,{"kind":"nope","instance":"x"}]',
        JSON.stringify({ kind: 'joined', instance: 'rogue', member: { ...member, peerId: -1 } }),
        JSON.stringify({ kind: 'joined', instance: 'rogue', member: { ...member, role: 'admin' } }),
        JSON.stringify({ kind: 'joined', instance: 'bad instance id', member }),
        JSON.stringify({ kind: 'left', instance: 'rogue', streamId: signer.streamId, peerId: viewer.welcome.peerId, replaced: 'yes' }),
        JSON.stringify({ kind: 'signal', instance: 'rogue', streamId: signer.streamId, sender: 1, to: viewer.welcome.peerId, data: { sdp: 'x'.repeat(20_000) }, atMs: 1 }),
        JSON.stringify({ kind: 'ranks', instance: 'rogue', rooms: [{ streamId: signer.streamId, peerIds: [viewer.welcome.peerId], scores: [], tiers: [1] }] }),
      ]) {
        await rogue.publish('swarmcast:all', junk);
        await rogue.publish('swarmcast:to:sane-a', junk);
      }
      await sleep(300);
    });
    rogue.disconnect();
    assert.ok(lines.some((line) => line.startsWith('cluster: ignored a message on the channels')), 'logged');
    assert.ok(lines.some((line) => line.startsWith("cluster: could not apply a 'ranks' from rogue")), 'ranks of unequal arrays logged');
    assert.deepEqual([await viewersOn(a), await viewersOn(b)], [1, 1]);
    assert.deepEqual(viewer.drain('signal'), []);
    // The instances still work together.
    viewer.send({ type: 'signal', to: source.welcome.peerId, data: { candidate: null } });
    assert.equal((await source.next('signal')).from, viewer.welcome.peerId);
  });
});
