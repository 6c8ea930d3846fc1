// swarmcast/server: the signaling server as a library. One createServer() either
// listens on a port of its own (the site, the stream registry, the signaling WebSocket
// and, when asked, the HTTP chunk origin) or attaches to an http.Server the host
// application already runs (Express, Fastify, Koa: through their server), taking only
// its own paths and passing every other request on untouched.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { loadCore } from '../lib/node-core.mjs';
import { answerUnrouted, createHttpHandler } from './http.js';
import { resolveOptions } from './options.js';
import { ChunkOrigin } from './origin.js';
import { openRedisCluster } from './cluster/redis-cluster.js';
import { Signaling } from './signaling.js';

const LISTEN_BACKLOG = 4096;  // the kernel caps it at net.core.somaxconn

/** @typedef {import('./options.js').ServerOptions} ServerOptions */
/** @typedef {import('./options.js').IceServer} IceServer */
/** @typedef {import('./turn-credentials.js').TurnOptions} TurnOptions */
/** @typedef {import('./options.js').ServerLimits} ServerLimits */

/**
 * @typedef {object} SwarmcastServer
 * @property {(port?: number, host?: string) => Promise<string>} listen Starts an
 *   http.Server of its own on `port` (default 0: any free port) and `host` (default the
 *   `host` option, else every address); resolves with its URL.
 * @property {(server: import('node:http').Server) => SwarmcastServer} attach Serves on
 *   the given server: the signaling WebSocket's upgrade at `path`, /api/streams...,
 *   /healthz, /metrics, and the pages when `pages` is on. Every other request goes to the
 *   'request' listeners the server had when attach() was called (so attach after your
 *   application's handler is in place, as http.createServer(app) does), and every other
 *   upgrade to the server's other 'upgrade' listeners.
 * @property {() => Promise<void>} close Ends every signaling connection and stops the
 *   timers. A server of its own stops listening and frees its port; an attached server
 *   gets its own listeners back and is left running.
 * @property {string | null} url http(s)://host:port once listening (attached: once the
 *   server listens), otherwise null.
 * @property {() => import('./cluster/solo.js').ClusterStatus | null} clusterStatus With
 *   `redis`: whether Redis answers ('up' or 'down') and how many instances share the
 *   rooms; 'off' without it; null before the server started.
 */

const packageFile = (/** @type {string} */ path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
// Third-party files the pages load come from where npm installed their package.
const packageDist = (/** @type {string} */ name) => dirname(createRequire(import.meta.url).resolve(name));

// The wasm build is replaced now and then by a rebuild; a load that lands mid-write
// fails once and succeeds a moment later.
async function loadCoreWithRetries(attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loadCore();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(500 * attempt);
    }
  }
}

/**
 * @param {import('node:http').Server} server
 * @returns {string | null}
 */
function urlOf(server) {
  const address = server.address();
  if (!address || typeof address === 'string') return null;
  const wildcard = ['0.0.0.0', '::', ''].includes(address.address);
  const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${server instanceof HttpsServer ? 'https' : 'http'}://${host}:${address.port}`;
}

/**
 * This instance's name in /metrics: the address it listens on, with the machine's name
 * for a wildcard address (so two machines on one port stay apart).
 * @param {import('node:http').Server | null} server
 * @returns {string}
 */
function instanceName(server) {
  const address = server?.address();
  if (!address || typeof address === 'string') return address ?? 'not-listening';
  const wildcard = ['0.0.0.0', '::', ''].includes(address.address);
  const host = wildcard ? hostname() : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}

/**
 * @param {import('node:stream').Duplex} socket
 * @param {string} status e.g. '404 Not Found'
 */
function refuseUpgrade(socket, status) {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
}

/**
 * A signaling server, ready to listen() or attach() to a server of yours.
 * @param {ServerOptions} [options]
 * @returns {SwarmcastServer}
 * @throws {TypeError} when an option is unknown or of the wrong kind; the message names it
 */
export function createServer(options = {}) {
  const settings = resolveOptions(options);
  /** @type {import('node:http').Server | null} */
  let httpServer = null;
  let ownsServer = false;
  /** @type {import('node:http').RequestListener[]} the host application's 'request' listeners */
  let hostListeners = [];
  /** @type {{ signaling: Signaling, origin: ChunkOrigin | null, handle: ReturnType<typeof createHttpHandler> } | null} */
  let running = null;
  /** @type {Promise<void> | null} */
  let starting = null;
  /** @type {Promise<void> | null} */
  let closing = null;
  const sockets = new WebSocketServer({ noServer: true, maxPayload: settings.limits.maxMessageBytes });

  /** @param {boolean} pages */
  async function start(pages) {
    const core = settings.core ?? await loadCoreWithRetries();
    const instanceId = settings.instanceId ?? (settings.redis ? `${hostname().replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, 40)}-${randomBytes(4).toString('hex')}` : null);
    const cluster = settings.redis ? await openRedisCluster({
      url: settings.redis, instanceId: /** @type {string} */ (instanceId), limits: settings.limits,
      publicUrl: () => settings.publicUrl ?? handle.url?.replace(/^http/, 'ws').concat(settings.path) ?? null,
    }) : undefined;
    const signaling = new Signaling({
      core, limits: settings.limits, iceServers: settings.iceServers, turn: settings.turn, origin: settings.origin,
      instance: () => instanceId ?? instanceName(httpServer), cluster,
    });
    const origin = settings.origin ? new ChunkOrigin({ core, limits: settings.limits, isLive: (/** @type {string} */ id) => signaling.isLive(id) }) : null;
    if (origin) signaling.on('stream-ended', (streamId) => origin.drop(streamId));
    const roots = pages
      ? { web: packageFile('web'), wasm: packageFile('build/wasm'), vendor: { uplot: packageDist('uplot') } }
      : null;
    running = { signaling, origin, handle: createHttpHandler({ roots, signaling, origin, limits: settings.limits }) };
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  function onRequest(req, res) {
    const passOn = () => {
      if (hostListeners.length === 0) answerUnrouted(req, res);
      for (const listener of hostListeners) listener.call(httpServer, req, res);
    };
    // Waits for the core to load; if it failed to, the host's routes still answer.
    Promise.resolve(starting).catch(() => {})
      .then(() => running?.handle(req, res) ?? false)
      .then((handled) => { if (!handled) passOn(); });
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   * @param {Buffer} head
   */
  function onUpgrade(req, socket, head) {
    if ((req.url ?? '').split('?', 1)[0] !== settings.path) {
      // Another listener may take it (an application's own WebSocket); alone, refuse it.
      if (httpServer?.listenerCount('upgrade') === 1) refuseUpgrade(socket, '404 Not Found');
      return;
    }
    Promise.resolve(starting).then(() => {
      if (!running) return refuseUpgrade(socket, '503 Service Unavailable');
      const { signaling } = running;
      sockets.handleUpgrade(req, socket, head, (ws) => signaling.accept(ws));
    }, () => refuseUpgrade(socket, '503 Service Unavailable'));
  }

  /**
   * @param {import('node:http').Server} server
   * @param {boolean} pages
   */
  function mount(server, pages) {
    if (httpServer || closing) throw new Error('this swarmcast server is already listening, attached or closed; create another');
    httpServer = server;
    hostListeners = /** @type {import('node:http').RequestListener[]} */ (server.listeners('request'));
    server.removeAllListeners('request');
    server.on('request', onRequest);
    server.on('upgrade', onUpgrade);
    server.on('close', onServerClose);
    starting = start(pages);
    starting.then(() => {
      const listening = () => running?.signaling.cluster.listening();
      if (server.listening) listening();
      else server.once('listening', listening);
    }, () => {});
  }

  // The application closed its server: the signaling timers must not keep the process up.
  function onServerClose() {
    handle.close();
  }

  async function shutDown() {
    await starting?.catch(() => {});
    await running?.signaling.cluster.close();
    running?.signaling.close();
    running?.origin?.close();
    running = null;
    sockets.close();
    const server = httpServer;
    if (!server) return;
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
    server.off('close', onServerClose);
    if (ownsServer) {
      server.closeAllConnections();
      if (server.listening) await new Promise((resolve) => server.close(() => resolve(undefined)));
    } else {
      for (const listener of hostListeners) server.on('request', listener);
    }
    httpServer = null;
    hostListeners = [];
  }

  /** @type {SwarmcastServer} */
  const handle = {
    async listen(port = 0, host = settings.host) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be an integer from 0 to 65535, not ${port}`);
      const server = createHttpServer();
      mount(server, settings.pages ?? true);
      ownsServer = true;
      try {
        await starting;
        await new Promise((resolve, reject) => {
          server.once('error', reject);
          // A join storm of thousands of sockets in a few seconds overflows Node's
          // default backlog (511) while the event loop is busy: resets, not joins.
          server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => resolve(undefined));
        });
      } catch (error) {
        await handle.close();
        throw error;
      }
      return /** @type {string} */ (urlOf(server));
    },

    attach(server) {
      if (typeof server?.listeners !== 'function' || typeof server.address !== 'function') {
        throw new TypeError('attach() takes an http.Server (or https.Server)');
      }
      mount(server, settings.pages ?? false);
      starting?.catch((error) => console.error('swarmcast: the wasm core did not load; signaling answers 503', error));
      return handle;
    },

    close() {
      closing ??= shutDown();
      return closing;
    },

    get url() {
      return httpServer ? urlOf(httpServer) : null;
    },

    clusterStatus() {
      return running?.signaling.clusterStatus() ?? null;
    },
  };
  return handle;
}
