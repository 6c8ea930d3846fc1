// One Node process: the static site, the stream registry, the signaling WebSocket at
// /signal and, when asked, the HTTP chunk origin. Needs no other service.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { loadCoreForNode } from '../lib/load-core.mjs';
import { createHttpHandler } from './http.js';
import { resolveLimits } from './limits.js';
import { ChunkOrigin } from './origin.js';
import { Signaling } from './signaling.js';

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
// Third-party files the pages load come from where npm installed their package.
const packageDist = (name) => dirname(createRequire(import.meta.url).resolve(name));
const roots = { web: repo('web'), wasm: repo('build/wasm'), vendor: { uplot: packageDist('uplot') } };

// The wasm build is replaced now and then by a rebuild; a load that lands mid-write
// fails once and succeeds a moment later.
async function loadCore(attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loadCoreForNode();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(500 * attempt);
    }
  }
}

// options: { port (0 = any free port), host, origin (bool), iceServers, limits, core }.
// Resolves once listening: { url, port, close() }.
export async function startServer({ port = 8080, host = undefined, origin = false, iceServers = [], limits = {}, core } = {}) {
  const resolved = resolveLimits(limits);
  const wasmCore = core ?? await loadCore();
  const signaling = new Signaling({ core: wasmCore, limits: resolved, iceServers, origin: Boolean(origin) });
  const chunkOrigin = origin ? new ChunkOrigin({ core: wasmCore, limits: resolved, isLive: (id) => signaling.isLive(id) }) : null;
  if (chunkOrigin) signaling.on('stream-ended', (streamId) => chunkOrigin.drop(streamId));

  const server = createServer(createHttpHandler({ roots, signaling, origin: chunkOrigin, limits: resolved }));
  const sockets = new WebSocketServer({ noServer: true, maxPayload: resolved.maxMessageBytes });
  server.on('upgrade', (req, socket, head) => {
    if (req.url.split('?', 1)[0] !== '/signal') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => signaling.accept(ws));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${actualPort}`,
    port: actualPort,
    close() {
      signaling.close();
      chunkOrigin?.close();
      sockets.close();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
