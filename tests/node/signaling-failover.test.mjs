// The shim's SignalingClient moving between signaling instances: instances here are
// small `ws` servers on port 0 that speak just enough of the protocol (join → welcome)
// and record what each client sent, so a test sees the join (and its resume) that
// reached each one, and can drop a client the way a dying process does (no close frame).
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createTcpServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import { SignalingClient, signalingUrlList, signalingUrlProblem } from '../../web/shim/signaling.js';

let nextPeerId = 1;

// An instance that welcomes every join: the resumed peer id when the join names one.
// `listed`: the signalingUrls its welcomes carry (none when undefined).
async function instance({ listed } = {}) {
  const server = new WebSocketServer({ port: 0 });
  await once(server, 'listening');
  const joins = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'join') return;
      joins.push({ ...message, at: performance.now() });
      const peerId = message.resume?.peerId ?? nextPeerId++;
      socket.send(JSON.stringify({
        type: 'welcome', peerId, role: message.role, peers: [], iceServers: [], resumeToken: `token-${peerId}`,
        resumed: Boolean(message.resume), origin: false, ...(listed && { signalingUrls: listed }),
      }));
    });
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}/signal`,
    joins,
    sockets: () => [...server.clients],
    // A process killed: its sockets end without a close frame (the client sees 1006), and it listens no more.
    kill() {
      for (const socket of server.clients) socket.terminate();
      server.close();
    },
    close: () => new Promise((resolve) => {
      for (const socket of server.clients) socket.terminate();
      server.close(resolve);
    }),
  };
}

// A URL nothing listens on: connections to it are refused at once.
async function deadUrl() {
  const server = new WebSocketServer({ port: 0 });
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}/signal`;
}

// Joins as a SwarmNode does: after a welcome, every join names that peer id and its token.
function viewerClient(urls, options = {}) {
  let resume = null;
  const client = new SignalingClient(urls, () => ({
    type: 'join', role: 'viewer', streamId: 'x'.repeat(43), ...(resume && { resume }),
  }), { minBackoffMs: 10_000, maxBackoffMs: 10_000, ...options });
  const welcomes = [];
  const closes = [];
  client.addEventListener('welcome', ({ detail }) => {
    resume = { peerId: detail.peerId, token: detail.resumeToken };
    welcomes.push({ ...detail, url: client.joinedUrl, at: performance.now() });
  });
  client.addEventListener('close', ({ detail }) => closes.push({ ...detail, at: performance.now() }));
  return { client, welcomes, closes };
}

async function until(condition, timeoutMs, what) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

describe('SignalingClient across instances', () => {
  const cleanups = [];
  let previousWebSocket;
  before(() => {
    previousWebSocket = globalThis.WebSocket;
    globalThis.WebSocket = WebSocket;
  });
  after(() => {
    globalThis.WebSocket = previousWebSocket;
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  const track = (thing) => {
    cleanups.push(() => thing.close());
    return thing;
  };

  test('given [dead, live] it joins the live one at once', async () => {
    const live = track(await instance());
    const dead = await deadUrl();
    const { client, welcomes, closes } = viewerClient([dead, live.url]);
    track(client);
    const startedAt = performance.now();
    client.connect();
    await until(() => welcomes.length === 1, 1000, 'a welcome');
    assert.equal(welcomes[0].url, live.url);
    assert.equal(client.joinedUrl, live.url);
    assert.deepEqual(closes.map(({ url, code, final }) => ({ url, code, final })), [{ url: dead, code: 1006, final: false }]);
    // The backoff (10 s here) is for a full round of failures, not for the first move.
    assert.ok(welcomes[0].at - startedAt < 1000, `welcomed after ${welcomes[0].at - startedAt} ms`);
  });

  test('an instance that dies: the next one within 1 s, resuming the same peer id', async () => {
    const [a, b] = [track(await instance()), track(await instance())];
    const { client, welcomes, closes } = viewerClient([a.url, b.url]);
    track(client);
    client.connect();
    await until(() => welcomes.length === 1, 1000, 'the first welcome');
    assert.equal(welcomes[0].url, a.url);
    assert.equal(a.joins[0].resume, undefined);

    const killedAt = performance.now();
    a.kill();
    await until(() => welcomes.length === 2, 1000, 'a welcome from the next instance');
    assert.deepEqual(closes.map(({ url, code, final }) => ({ url, code, final })), [{ url: a.url, code: 1006, final: false }]);
    assert.equal(welcomes[1].url, b.url);
    assert.deepEqual(b.joins[0].resume, { peerId: welcomes[0].peerId, token: welcomes[0].resumeToken });
    assert.equal(welcomes[1].peerId, welcomes[0].peerId);
    console.log(JSON.stringify({ failoverMs: Math.round(welcomes[1].at - killedAt) }));
  });

  test('a final close code stops it: no other instance is tried', async () => {
    const [a, b] = [track(await instance()), track(await instance())];
    const { client, welcomes, closes } = viewerClient([a.url, b.url]);
    track(client);
    client.connect();
    await until(() => welcomes.length === 1, 1000, 'the first welcome');
    a.sockets()[0].close(4409, 'stream taken');
    await until(() => closes.length === 1, 1000, 'the close');
    assert.deepEqual(closes.map(({ code, final }) => ({ code, final })), [{ code: 4409, final: true }]);
    await sleep(300);
    assert.equal(b.joins.length, 0, 'no other instance tried');
    assert.equal(client.connected, false);
  });

  test('a round of failures is followed by the backoff, then the list again from the start', async () => {
    const urls = [await deadUrl(), await deadUrl()];
    // A backoff far longer than a refused connection takes, even on a loaded machine.
    const { client, closes } = viewerClient(urls, { minBackoffMs: 2000, maxBackoffMs: 2000 });
    track(client);
    client.connect();
    await until(() => closes.length >= 3, 4000, 'three failed attempts');
    client.close();
    assert.deepEqual(closes.slice(0, 3).map(({ url }) => url), [urls[0], urls[1], urls[0]]);
    const [first, second, third] = closes.map(({ at }) => at);
    assert.ok(second - first < 1000, `the second URL tried ${second - first} ms after the first failed`);
    // The jittered delay is between half the ceiling and the ceiling.
    assert.ok(third - second >= 990, `the next round began only ${third - second} ms after the last failure`);
  });

  test('the URLs a welcome lists are where it goes next; invalid entries are ignored', async () => {
    const b = track(await instance());
    const listing = track(await instance({ listed: [b.url, 'http://127.0.0.1:1/signal', 'not a url', 42] }));
    const { client, welcomes } = viewerClient([listing.url]);
    track(client);
    client.connect();
    await until(() => welcomes.length === 1, 1000, 'the first welcome');
    assert.deepEqual(client.urls, [listing.url, b.url]);
    listing.kill();
    await until(() => welcomes.length === 2, 1000, 'a welcome from the listed instance');
    assert.equal(welcomes[1].url, b.url);
    assert.equal(welcomes[1].peerId, welcomes[0].peerId);
  });

  test('an instance that never answers is given up after connectTimeoutMs', async () => {
    // Accepts TCP connections and never answers the upgrade: a host that swallows packets.
    const silent = createTcpServer(() => {});
    silent.listen(0);
    await once(silent, 'listening');
    cleanups.push(() => new Promise((resolve) => silent.close(resolve)));
    const held = [];
    silent.on('connection', (socket) => held.push(socket));
    cleanups.push(() => held.forEach((socket) => socket.destroy()));
    const live = track(await instance());
    const { client, welcomes } = viewerClient([`ws://127.0.0.1:${silent.address().port}/signal`, live.url],
      { connectTimeoutMs: 300 });
    track(client);
    const startedAt = performance.now();
    client.connect();
    await until(() => welcomes.length === 1, 2000, 'a welcome from the live instance');
    const waitedMs = welcomes[0].at - startedAt;
    assert.ok(waitedMs >= 290 && waitedMs < 1500, `welcomed after ${waitedMs} ms`);
    assert.equal(welcomes[0].url, live.url);
  });
});

describe('signaling URL lists', () => {
  test('a string of URLs separated by spaces, or a list; each once, in order', () => {
    assert.deepEqual(signalingUrlList('ws://a/signal'), ['ws://a/signal']);
    assert.deepEqual(signalingUrlList('  ws://a/signal \n wss://b/signal  ws://a/signal'), ['ws://a/signal', 'wss://b/signal']);
    assert.deepEqual(signalingUrlList(['ws://a/signal', 'ws://b/signal ws://c/signal', '']), ['ws://a/signal', 'ws://b/signal', 'ws://c/signal']);
    assert.deepEqual(signalingUrlList('   '), []);
  });

  test('only ws: and wss: URLs are usable', () => {
    assert.equal(signalingUrlProblem('wss://example.org/signal'), null);
    assert.equal(signalingUrlProblem('ws://127.0.0.1:8080/signal'), null);
    assert.match(signalingUrlProblem('https://example.org/signal'), /not a ws: or wss: URL/);
    assert.match(signalingUrlProblem('example.org'), /not a URL/);
    assert.match(signalingUrlProblem('ws://example.org/signal#x'), /fragment/);
  });

  test('a client needs at least one URL, each usable', () => {
    const join = () => ({ type: 'join', role: 'viewer', streamId: '' });
    assert.throws(() => new SignalingClient(' ', join), TypeError);
    assert.throws(() => new SignalingClient(['ws://a/signal', 'http://b/signal'], join), /not a ws: or wss: URL/);
  });
});
