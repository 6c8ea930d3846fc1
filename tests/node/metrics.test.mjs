// GET /metrics (tools/server/metrics.js) through the server's real interfaces: real
// `ws` clients join, signal, report stats and get refused; a scrape with fetch() sees the
// numbers move, in Prometheus' text format, labelled by instance. Two servers in one
// process keep their counts apart. On Redis (a real redis-server) each instance says
// whether it reaches it.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import WebSocket from 'ws';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { createServer } from '../../tools/server/index.js';
import { startServer } from '../../tools/server/server.js';
import { StreamSigner } from '../../web/core/index.js';
import { startRedis } from './redis-server.mjs';

let core;
let signer;
const closers = [];

before(async () => {
  core = await loadCoreForNode();
  signer = new StreamSigner(core, new Uint8Array(32).fill(7));
});
after(() => signer.close());
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(limits = {}) {
  const server = await startServer({ port: 0, host: '127.0.0.1', core, limits: { swarmSummaryIntervalMs: 60_000, ...limits } });
  closers.push(() => server.close());
  return server;
}

// A client that keeps what it receives and waits for a type.
async function connect(server) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signal`);
  closers.push(async () => ws.terminate());
  const inbox = [];
  ws.on('message', (data) => inbox.push(JSON.parse(String(data))));
  await once(ws, 'open');
  const next = async (type) => {
    for (let waited = 0; waited < 3000; waited += 10) {
      const at = inbox.findIndex((message) => message.type === type);
      if (at >= 0) return inbox.splice(at, 1)[0];
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no ${type}: ${JSON.stringify(inbox)}`);
  };
  return { ws, send: (message) => ws.send(JSON.stringify(message)), next };
}

async function broadcast(server) {
  const peer = await connect(server);
  peer.send({ type: 'join', role: 'broadcaster', streamId: signer.streamId, canUpload: true, uploadKbps: 5000 });
  const { nonce } = await peer.next('challenge');
  const signature = signer.signChallenge(new Uint8Array(Buffer.from(nonce, 'base64url')));
  peer.send({ type: 'prove', signature: Buffer.from(signature).toString('base64url') });
  peer.welcome = await peer.next('welcome');
  return peer;
}

async function watch(server) {
  const peer = await connect(server);
  peer.send({ type: 'join', role: 'viewer', streamId: signer.streamId, canUpload: true });
  peer.welcome = await peer.next('welcome');
  return peer;
}

// Prometheus' text format: comments, or `name{label="value",...} number`.
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

async function scrape(server) {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = line.match(SAMPLE);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => [name, value]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  // The sample named, with these labels among its own; 0 when absent.
  const value = (name, wanted = {}) => samples
    .filter((sample) => sample.name === name && Object.entries(wanted).every(([key, v]) => sample.labels[key] === v))
    .reduce((sum, sample) => sum + sample.value, 0);
  return { samples, value, text };
}

test('joins, messages, relays, reports and rejections move the numbers; every series names the instance', async () => {
  const server = await serve();
  const before = await scrape(server);
  assert.equal(before.value('swarmcast_connections'), 0);
  assert.equal(before.value('swarmcast_rooms'), 0);
  assert.equal(before.value('swarmcast_joins_total'), 0);
  // Every label value there can be is there from the start, at 0.
  const series = (name, label) => before.samples.filter((sample) => sample.name === name).map((sample) => sample.labels[label]);
  assert.deepEqual(series('swarmcast_joins_total', 'role'), ['broadcaster', 'viewer']);
  assert.ok(series('swarmcast_messages_received_total', 'type').includes('signal'));
  assert.ok(series('swarmcast_rejections_total', 'reason').includes('room_full'));
  const instance = `127.0.0.1:${server.port}`;
  for (const sample of before.samples) assert.equal(sample.labels.instance, instance, sample.name);
  assert.ok(!before.samples.some((sample) => sample.name === 'swarmcast_redis_up'), 'one process, no Redis: no Redis series');

  const source = await broadcast(server);
  const viewers = [await watch(server), await watch(server)];
  // Two signals relayed to the broadcaster, one to a peer that is not there.
  for (const viewer of viewers) viewer.send({ type: 'signal', to: source.welcome.peerId, data: { sdp: { type: 'offer', sdp: 'x' } } });
  await source.next('signal');
  await source.next('signal');
  viewers[0].send({ type: 'signal', to: 999_999, data: { candidate: null } });
  assert.equal((await viewers[0].next('error')).code, 'unknown_peer');
  // What the members report: playback, delivery, bans (totals since they started).
  source.send({ type: 'stats', deliveryBytesPerS: 100_000 });
  viewers[0].send({ type: 'stats', deliveryBytesPerS: 250_000, bans: 1,
    playback: { watchedMs: 40_000, stalledMs: 1000, stalls: 2 } });
  viewers[1].send({ type: 'stats', deliveryBytesPerS: 50_000, bans: 2,
    playback: { watchedMs: 20_000, stalledMs: 0, stalls: 0 } });
  viewers[0].send({ type: 'stats', bans: 3 });
  // A refusal: a second join on a joined socket, and a stranger's bad frame.
  viewers[1].send({ type: 'join', role: 'viewer', streamId: signer.streamId });
  assert.equal((await viewers[1].next('error')).code, 'bad_state');
  const stranger = await connect(server);
  stranger.ws.send('{nope');
  assert.equal((await stranger.next('error')).code, 'bad_json');
  for (const peer of [source, ...viewers]) {
    peer.send({ type: 'ping' });
    await peer.next('pong');
  }

  const after = await scrape(server);
  assert.equal(after.value('swarmcast_connections'), 4);
  assert.equal(after.value('swarmcast_rooms'), 1);
  assert.equal(after.value('swarmcast_joins_total', { role: 'broadcaster' }), 1);
  assert.equal(after.value('swarmcast_joins_total', { role: 'viewer' }), 2);
  assert.equal(after.value('swarmcast_messages_received_total', { type: 'signal' }), 3);
  assert.equal(after.value('swarmcast_messages_received_total', { type: 'stats' }), 4);
  assert.equal(after.value('swarmcast_messages_received_total', { type: 'prove' }), 1);
  assert.equal(after.value('swarmcast_rejections_total', { reason: 'unknown_peer' }), 1);
  assert.equal(after.value('swarmcast_rejections_total', { reason: 'bad_state' }), 1);
  assert.equal(after.value('swarmcast_rejections_total', { reason: 'bad_json' }), 1);
  // Only the two signals that reached their peer are timed, each well under a second.
  assert.equal(after.value('swarmcast_signal_relay_seconds_count'), 2);
  assert.equal(after.value('swarmcast_signal_relay_seconds_bucket', { le: '+Inf' }), 2);
  assert.ok(after.value('swarmcast_signal_relay_seconds_sum') < 1);
  // Viewer 0 reported 1 then 3 bans, viewer 1 reported 2: five in all.
  assert.equal(after.value('swarmcast_bans_reported_total'), 5);
  assert.equal(after.value('swarmcast_viewers_reporting_playback'), 2);
  assert.equal(after.value('swarmcast_viewer_watched_seconds'), 60);
  assert.equal(after.value('swarmcast_viewer_stalled_seconds'), 1);
  assert.equal(after.value('swarmcast_viewer_stalls'), 2);
  assert.ok(Math.abs(after.value('swarmcast_viewer_rebuffer_ratio') - 1 / 60) < 1e-9);
  assert.equal(after.value('swarmcast_viewer_delivery_bytes_per_second'), 300_000);
  assert.equal(after.value('swarmcast_broadcaster_delivery_bytes_per_second'), 100_000);
  assert.equal(after.value('swarmcast_reported_offload_ratio'), 0.75);

  // The members leave: the gauges follow, the counters stay.
  for (const peer of [source, ...viewers, stranger]) peer.ws.close();
  await Promise.all([source, ...viewers, stranger].map((peer) => once(peer.ws, 'close')));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const gone = await scrape(server);
  assert.equal(gone.value('swarmcast_connections'), 0);
  assert.equal(gone.value('swarmcast_rooms'), 0);
  assert.equal(gone.value('swarmcast_viewers_reporting_playback'), 0);
  assert.equal(gone.value('swarmcast_joins_total'), 3);
});

test('the stats interval the instance asks for grows with its connections', async () => {
  const server = await serve({ statsIntervalMs: 2000, statsReportsPerS: 1 });
  assert.equal((await scrape(server)).value('swarmcast_stats_interval_seconds'), 2);
  for (let i = 0; i < 3; i++) await connect(server);
  // Three clients at one report a second together: every 3 s each.
  assert.equal((await scrape(server)).value('swarmcast_stats_interval_seconds'), 3);
});

test('an oversize frame counts as a rejection; two servers in one process keep their own counts', async () => {
  const [first, second] = [await serve(), await serve()];
  const rogue = await connect(first);
  rogue.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
  await once(rogue.ws, 'close');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await scrape(first)).value('swarmcast_rejections_total', { reason: 'message_too_big' }), 1);
  const other = await scrape(second);
  assert.equal(other.value('swarmcast_rejections_total'), 0);
  assert.equal(other.samples.find((sample) => sample.name === 'swarmcast_connections').labels.instance, `127.0.0.1:${second.port}`);
});

test('attached to an application\'s own server, /metrics answers there too', async () => {
  const app = createHttpServer((req, res) => res.end('app'));
  const swarmcast = createServer({ core }).attach(app);
  closers.push(() => new Promise((resolve) => app.close(resolve)), () => swarmcast.close());
  await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${app.address().port}`;
  const { value } = await scrape({ url });
  assert.equal(value('swarmcast_connections'), 0);
  assert.equal(await (await fetch(`${url}/elsewhere`)).text(), 'app');
});

test('on Redis: each instance, named by its instance id, says whether it reaches Redis and how many instances it sees', async () => {
  const redis = await startRedis();
  closers.push(() => redis.stop());
  const limits = { instanceRefreshMs: 200, instanceTtlMs: 800 };
  const instances = [];
  for (const instanceId of ['metrics-a', 'metrics-b']) {
    const server = await startServer({ port: 0, host: '127.0.0.1', core, redis: redis.url, instanceId, limits });
    closers.push(() => server.close());
    instances.push(server);
  }
  const [a, b] = instances;
  const until = async (server, name, wanted) => {
    for (const deadline = Date.now() + 8000; Date.now() < deadline;) {
      if ((await scrape(server)).value(name) === wanted) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  };
  assert.ok(await until(a, 'swarmcast_instances', 2), 'a sees both instances');
  const scraped = await scrape(a);
  assert.equal(scraped.value('swarmcast_redis_up'), 1);
  for (const sample of scraped.samples) assert.equal(sample.labels.instance, 'metrics-a', sample.name);
  await redis.stop();
  assert.ok(await until(a, 'swarmcast_redis_up', 0), 'a says Redis is down');
  assert.ok(await until(b, 'swarmcast_redis_up', 0), 'b says Redis is down');
  await redis.start();
  assert.ok(await until(a, 'swarmcast_redis_up', 1), 'a says Redis is back');
});
