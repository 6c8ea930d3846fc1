// createServer's options, checked before anything starts: a wrong name or a value of
// the wrong kind throws a TypeError that names the option, rather than surfacing later
// as a client that cannot connect.
import { instanceIdSpec } from './cluster/events.js';
import { DEFAULT_LIMITS } from './limits.js';
import { checkTurn } from './turn-credentials.js';

/**
 * A STUN or TURN server handed to every client, in the shape RTCPeerConnection takes.
 * @typedef {object} IceServer
 * @property {string | string[]} urls e.g. 'stun:stun.example.org' or 'turn:turn.example.org:3478'
 * @property {string} [username]
 * @property {string} [credential]
 */

/**
 * Bounds on what one client or one stream can cost the server; every one has a default
 * (tools/server/limits.js).
 * @typedef {Partial<Record<keyof typeof DEFAULT_LIMITS, number>>} ServerLimits
 */

/** @typedef {import('../../web/core/index.js').SwarmcastCore} WasmCore */

/**
 * @typedef {object} ServerOptions
 * @property {boolean} [origin] also keep a verified window of each stream's chunks for
 *   viewers to fetch over HTTP when no peer can deliver in time (default false)
 * @property {IceServer[]} [iceServers] STUN/TURN servers handed to every client (default none:
 *   host candidates only)
 * @property {import('./turn-credentials.js').TurnOptions} [turn] a TURN server run with a
 *   shared secret (coturn's use-auth-secret): each client is handed it, after iceServers,
 *   with a credential minted for it alone (default none)
 * @property {ServerLimits} [limits] overrides of the default limits
 * @property {boolean} [pages] serve the site (/, /broadcast, /watch/<id>, /debug, the
 *   manifest, the icons and the modules they load); default true from listen(), false
 *   when attached to a server of your own
 * @property {string} [path] the signaling WebSocket's path (default '/signal', where the
 *   elements and the pages look for it)
 * @property {string} [host] the address listen() binds when not given one (default: all)
 * @property {WasmCore} [core] a core already loaded with swarmcast/core's loadCore(), to
 *   share one between servers; loaded on first use otherwise
 * @property {string} [redis] a redis:// (or rediss://) URL: the rooms are shared with every
 *   other server given the same Redis (default none: this process alone)
 * @property {string} [instanceId] this server's name among the instances and in /metrics
 *   (letters, digits and `_.:-`, at most 64; default: with `redis`, the host name and a
 *   random suffix; without, the listening host:port)
 * @property {string} [publicUrl] with `redis`, the ws:// or wss:// URL clients reach this
 *   instance's signaling at, handed to the others' clients for failover (default: the
 *   listening address and `path`)
 */

/**
 * @typedef {object} ResolvedOptions
 * @property {boolean} origin
 * @property {IceServer[]} iceServers
 * @property {import('./turn-credentials.js').ResolvedTurn | null} turn
 * @property {typeof DEFAULT_LIMITS} limits
 * @property {boolean | undefined} pages
 * @property {string} path
 * @property {string | undefined} host
 * @property {WasmCore | undefined} core
 * @property {string | null} redis
 * @property {string | undefined} instanceId
 * @property {string | undefined} publicUrl
 */

const OPTION_NAMES = ['origin', 'iceServers', 'turn', 'limits', 'pages', 'path', 'host', 'core', 'redis', 'instanceId', 'publicUrl'];

/** @param {unknown} value */
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * @param {unknown} server
 * @param {number} index
 * @returns {IceServer}
 */
function checkIceServer(server, index) {
  const name = `iceServers[${index}]`;
  if (!isRecord(server)) throw new TypeError(`${name} must be an object like { urls: 'stun:…' }`);
  const { urls, username, credential } = /** @type {Record<string, unknown>} */ (server);
  const urlList = Array.isArray(urls) ? urls : [urls];
  if (urlList.length === 0 || !urlList.every((url) => typeof url === 'string' && /^(stuns?|turns?):/.test(url))) {
    throw new TypeError(`${name}.urls must be a stun:/turn: URL or a list of them`);
  }
  if (username !== undefined && typeof username !== 'string') throw new TypeError(`${name}.username must be a string`);
  if (credential !== undefined && typeof credential !== 'string') throw new TypeError(`${name}.credential must be a string`);
  return /** @type {IceServer} */ (server);
}

/**
 * @param {unknown} limits
 * @returns {typeof DEFAULT_LIMITS}
 */
function checkLimits(limits) {
  if (!isRecord(limits)) throw new TypeError('limits must be an object of numbers');
  const overrides = /** @type {Record<string, unknown>} */ (limits);
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) throw new TypeError(`limits.${key} is not a limit (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`limits.${key} must be a finite number ≥ 0`);
    }
  }
  return { ...DEFAULT_LIMITS, ...overrides };
}

/**
 * Checks createServer's options and fills in the defaults.
 * @param {unknown} options
 * @returns {ResolvedOptions}
 */
export function resolveOptions(options = {}) {
  if (!isRecord(options)) throw new TypeError('createServer options must be an object');
  const given = /** @type {Record<string, unknown>} */ (options);
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.includes(key)) throw new TypeError(`${key} is not a createServer option (known: ${OPTION_NAMES.join(', ')})`);
  }
  const { origin = false, iceServers = [], turn, limits = {}, pages, path = '/signal', host, core, redis, instanceId, publicUrl } = given;
  if (typeof origin !== 'boolean') throw new TypeError('origin must be a boolean');
  if (!Array.isArray(iceServers)) throw new TypeError('iceServers must be an array of RTCIceServer');
  if (pages !== undefined && typeof pages !== 'boolean') throw new TypeError('pages must be a boolean');
  if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path)) throw new TypeError('path must be a URL path such as /signal');
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new TypeError('host must be a non-empty string');
  if (core !== undefined && !(isRecord(core) && typeof /** @type {Record<string, unknown>} */ (core).scorePeer === 'function')) {
    throw new TypeError('core must be what swarmcast/core\'s loadCore() resolves to');
  }
  if (redis !== undefined && !(typeof redis === 'string' && /^rediss?:\/\/[^\s]+$/.test(redis))) {
    throw new TypeError('redis must be a redis:// or rediss:// URL');
  }
  if (instanceId !== undefined && !(typeof instanceId === 'string' && instanceIdSpec.pattern.test(instanceId) && instanceId.length <= 64)) {
    throw new TypeError('instanceId must be 1-64 letters, digits or _.:-');
  }
  if (publicUrl !== undefined && !(typeof publicUrl === 'string' && /^wss?:\/\/[^\s]+$/.test(publicUrl) && publicUrl.length <= 500)) {
    throw new TypeError('publicUrl must be a ws:// or wss:// URL');
  }
  return {
    origin,
    iceServers: iceServers.map(checkIceServer),
    turn: turn === undefined ? null : checkTurn(turn),
    limits: checkLimits(limits),
    pages,
    path,
    host,
    core: /** @type {WasmCore | undefined} */ (core),
    redis: redis ?? null,
    instanceId,
    publicUrl,
  };
}
