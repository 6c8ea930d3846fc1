// swarmcast/server's createServer(): options checked up front, a server of its own
// (listen/close), and a server attached to an application's http.Server, which keeps
// answering everything that is not swarmcast's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { createServer } from '../../tools/server/index.js';
import { StreamSigner } from '../../web/core/index.js';

let core;
let streamId;

before(async () => {
  core = await loadCoreForNode();
  const signer = new StreamSigner(core, new Uint8Array(32).fill(7));
  streamId = signer.streamId;
  signer.close();
});

// Resolves with the first message a WebSocket at `url` receives after sending `message`.
async function exchange(url, message) {
  const ws = new WebSocket(url);
  await once(ws, 'open');
  ws.send(JSON.stringify(message));
  const [data] = await once(ws, 'message');
  ws.close();
  return JSON.parse(String(data));
}

// The HTTP status a WebSocket upgrade at `url` was refused with.
async function refusedUpgrade(url) {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  const [, res] = await once(ws, 'unexpected-response');
  ws.terminate();
  return res.statusCode;
}

// An application's own server: its routes, and a WebSocket of its own at /app-socket.
async function applicationServer() {
  const appSockets = new WebSocketServer({ noServer: true });
  const server = createHttpServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`app ${req.method} ${req.url}`);
  });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/app-socket') appSockets.handleUpgrade(req, socket, head, (ws) => ws.send('app socket'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${server.address().port}`;
  return { server, url, close: () => { appSockets.close(); server.closeAllConnections(); return new Promise((resolve) => server.close(resolve)); } };
}

test('a bad option throws a TypeError naming it', () => {
  const cases = [
    [{ prot: 8080 }, /prot is not a createServer option/],
    [{ origin: 'yes' }, /^origin/],
    [{ iceServers: 'stun:stun.example.org' }, /^iceServers/],
    [{ iceServers: [{ urls: 'https://example.org' }] }, /^iceServers\[0\]\.urls/],
    [{ iceServers: [{ urls: 'turn:turn.example.org', credential: 42 }] }, /^iceServers\[0\]\.credential/],
    [{ turn: 'turn:turn.example.org' }, /^turn must be an object/],
    [{ turn: { urls: 'stun:turn.example.org', secret: 's' } }, /^turn\.urls/],
    [{ turn: { urls: 'turn:turn.example.org', secret: '' } }, /^turn\.secret/],
    [{ turn: { urls: 'turn:turn.example.org', secret: 's', ttlSeconds: 0 } }, /^turn\.ttlSeconds/],
    [{ turn: { urls: 'turn:turn.example.org', secret: 's', user: 'x' } }, /^turn\.user is not a turn option/],
    [{ limits: { maxRoom: 10 } }, /^limits\.maxRoom is not a limit/],
    [{ limits: { maxRooms: -1 } }, /^limits\.maxRooms/],
    [{ limits: { maxRooms: '10' } }, /^limits\.maxRooms/],
    [{ pages: 'on' }, /^pages/],
    [{ path: 'signal' }, /^path/],
    [{ host: '' }, /^host/],
    [{ core: {} }, /^core/],
    ['origin', /options must be an object/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createServer(options), (error) => error instanceof TypeError && message.test(error.message), JSON.stringify(options));
  }
  assert.throws(() => createServer({ core }).attach({}), TypeError);
});

test('listen() takes a free port and close() releases it', async () => {
  const server = createServer({ core, iceServers: [{ urls: 'stun:stun.example.org' }] });
  assert.equal(server.url, null);
  await assert.rejects(server.listen(70000), (error) => error instanceof TypeError && /port/.test(error.message));

  const other = createServer({ core, iceServers: [{ urls: 'stun:stun.example.org' }] });
  const url = await other.listen(0, '127.0.0.1');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(other.url, url);
  assert.deepEqual(await (await fetch(`${url}/api/streams`)).json(), []);
  assert.equal((await fetch(`${url}/broadcast`)).status, 200, 'pages are on by default when listening alone');
  const welcome = await exchange(`${url.replace('http', 'ws')}/signal`, { type: 'join', role: 'viewer', streamId, canUpload: true, uploadKbps: 1000 });
  assert.equal(welcome.type, 'welcome');
  assert.deepEqual(welcome.iceServers, [{ urls: 'stun:stun.example.org' }]);

  await other.close();
  assert.equal(other.url, null);
  await assert.rejects(other.listen(0), /closed/, 'a closed server is not reused');
  const port = Number(new URL(url).port);
  const probe = createNetServer();
  probe.listen(port, '127.0.0.1');
  await once(probe, 'listening');
  probe.close();
});

test('with turn, each welcome carries a TURN credential of its own that the shared secret verifies', async () => {
  const secret = 'coturn static-auth-secret';
  const server = createServer({ core, iceServers: [{ urls: 'stun:stun.example.org' }], turn: { urls: 'turn:turn.example.org:3478', secret, ttlSeconds: 600 } });
  const url = await server.listen(0, '127.0.0.1');
  after(() => server.close());
  const join = { type: 'join', role: 'viewer', streamId, canUpload: true, uploadKbps: 1000 };
  const before = Math.floor(Date.now() / 1000);
  const welcomes = [await exchange(`${url.replace('http', 'ws')}/signal`, join), await exchange(`${url.replace('http', 'ws')}/signal`, join)];
  const turns = welcomes.map((welcome) => {
    assert.deepEqual(welcome.iceServers[0], { urls: 'stun:stun.example.org' }, 'the configured servers come first');
    return welcome.iceServers[1];
  });
  for (const turn of turns) {
    assert.deepEqual(turn.urls, ['turn:turn.example.org:3478']);
    // TURN REST: "<expiry>:<name>", and the password coturn computes from its secret.
    const [expiry, name] = turn.username.split(':');
    assert.ok(Number(expiry) >= before + 600 && Number(expiry) <= Math.floor(Date.now() / 1000) + 600, `expiry ${expiry}`);
    assert.ok(name.length > 0);
    assert.equal(turn.credential, createHmac('sha1', secret).update(turn.username).digest('base64'));
  }
  assert.notEqual(turns[0].username, turns[1].username, 'each client its own credential');
});

test('attached to an application server: swarmcast takes its own paths and passes the rest on', async () => {
  const app = await applicationServer();
  after(() => app.close());
  const swarmcast = createServer({ core }).attach(app.server);
  assert.equal(swarmcast.url, app.url);

  const streams = await fetch(`${app.url}/api/streams`);
  assert.equal(streams.headers.get('content-type'), 'application/json');
  assert.deepEqual(await streams.json(), []);
  assert.equal((await fetch(`${app.url}/api/streams/nope/other`)).status, 404);
  assert.equal(await (await fetch(`${app.url}/hello?x=1`)).text(), 'app GET /hello?x=1');
  assert.equal(await (await fetch(`${app.url}/login`, { method: 'POST', body: 'x' })).text(), 'app POST /login');
  assert.equal(await (await fetch(`${app.url}/broadcast`)).text(), 'app GET /broadcast', 'pages are off by default when attached');

  const welcome = await exchange(`${app.url.replace('http', 'ws')}/signal`, { type: 'join', role: 'viewer', streamId, canUpload: true, uploadKbps: 1000 });
  assert.equal(welcome.type, 'welcome');
  const appSocket = new WebSocket(`${app.url.replace('http', 'ws')}/app-socket`);
  const [greeting] = await once(appSocket, 'message');
  assert.equal(String(greeting), 'app socket', "the application's own WebSocket still upgrades");
  appSocket.close();

  await swarmcast.close();
  assert.equal(await (await fetch(`${app.url}/api/streams`)).text(), 'app GET /api/streams', 'after close() every request is the application\'s');
  assert.equal(await (await fetch(`${app.url}/hello`)).text(), 'app GET /hello');
});

test('attached with pages and another signaling path', async () => {
  const app = await applicationServer();
  after(() => app.close());
  const swarmcast = createServer({ core, pages: true, path: '/live/signal' }).attach(app.server);
  after(() => swarmcast.close());

  const page = await fetch(`${app.url}/broadcast`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.equal((await fetch(`${app.url}/build/wasm/swarmcast.wasm`)).headers.get('content-type'), 'application/wasm');
  assert.equal(await (await fetch(`${app.url}/no-such-file.js`)).text(), 'app GET /no-such-file.js', 'a file the site lacks is the application\'s');

  const pong = await exchange(`${app.url.replace('http', 'ws')}/live/signal`, { type: 'ping' });
  assert.equal(pong.type, 'pong');
  const alone = createHttpServer();
  const aloneSwarmcast = createServer({ core, path: '/live/signal' }).attach(alone);
  alone.listen(0, '127.0.0.1');
  await once(alone, 'listening');
  assert.equal(await refusedUpgrade(`ws://127.0.0.1:${alone.address().port}/signal`), 404, 'an upgrade nobody takes is refused');
  await aloneSwarmcast.close();
  alone.close();
});
