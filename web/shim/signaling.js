// The WebSocket to the signaling server (/signal; docs in tools/server/schema.js). Each
// server message is dispatched as an event named by its type ('welcome', 'challenge',
// 'state', 'peers', 'peer-left', 'viewers', 'signal', 'error', 'pong') with the message
// as detail. It knows a list of servers (instances sharing one swarm): a dropped socket
// moves at once to the next URL in the list, and once every URL of a round has failed
// it waits a jittered exponential backoff before the next round. The join is sent
// again on each connection (with its resume token, the new instance keeps our peer
// id). The URLs a welcome lists (`signalingUrls`, the live instances) join the list.
// 'open' and 'close' report the socket itself.
import { TypedEventTarget } from './typed-event-target.js';

/** @typedef {import('../../tools/server/schema.js').ClientMessage} ClientMessage */
/** @typedef {import('../../tools/server/schema.js').ServerMessage} ServerMessage */
/**
 * @template {ServerMessage['type']} T
 * @typedef {import('../../tools/server/schema.js').ServerMessageOf<T>} ServerMessageOf
 */

/**
 * Each server message as the event of its type, shaped as the server's schema declares
 * it (the client trusts its server to keep to it: the server's tests check every
 * message it sends); 'close' reports the socket closing and the URL it was open to
 * ('open', a plain Event, its opening: `url` says where).
 * @typedef {{ [T in ServerMessage['type']]: ServerMessageOf<T> }
 *   & { close: { code: number, reason: string, final: boolean, url: string } }} SignalingEvents
 */

/**
 * @typedef {object} SignalingOptions
 * @property {number} [minBackoffMs] The delay ceiling after the first round of URLs failed; it doubles each round...
 * @property {number} [maxBackoffMs] ...up to this.
 * @property {number} [pingIntervalMs] How often a ping keeps the connection known alive.
 * @property {number} [connectTimeoutMs] With another URL to try: how long a socket may take to open before it is
 *   given up for the next (a dead host may never refuse; its packets just go nowhere).
 */

/** @type {Readonly<Required<SignalingOptions>>} */
export const SIGNALING_DEFAULTS = Object.freeze({
  minBackoffMs: 500,
  maxBackoffMs: 15_000,
  pingIntervalMs: 10_000,
  connectTimeoutMs: 4000,
});

// Close codes after which trying again cannot help (see CloseCode in the schema):
// a flood of invalid messages, refused proof, stream already taken, flooding, room or
// server full (retrying a full server from every refused client only keeps it full).
/** @type {ReadonlySet<number>} Close codes after which the client does not reconnect. */
export const FINAL_CLOSE_CODES = new Set([4400, 4401, 4409, 4429, 4503]);

// A welcome's list comes from a server: a broken or hostile one must not grow ours
// without bound.
const MAX_LEARNED_URLS = 16;
const MAX_URL_LENGTH = 2048;

/**
 * ws(s)://<host>/signal for the page's location.
 * @param {Pick<Location, 'protocol' | 'host'>} [location]
 * @returns {string}
 */
export function signalingUrl(location = globalThis.location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
}

/**
 * The signaling URLs in `urls`: a list, or one string of them separated by spaces (as
 * the elements' `signaling` attribute holds them), each once, in order.
 * @param {string | readonly string[]} urls
 * @returns {string[]}
 */
export function signalingUrlList(urls) {
  const list = Array.isArray(urls) ? urls : [urls];
  return [...new Set(list.flatMap((url) => String(url).split(/\s+/)).filter(Boolean))];
}

/**
 * The reason a signaling URL cannot be used, or null when it is a ws: or wss: URL
 * (without a fragment, which WebSocket refuses).
 * @param {string} url
 * @returns {string | null}
 */
export function signalingUrlProblem(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return `signaling "${url}" is not a URL`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `signaling "${url}" is not a ws: or wss: URL`;
  return url.includes('#') ? `signaling "${url}" has a fragment (#)` : null;
}

/**
 * The WebSocket to the signaling server. Reconnects (to the next URL at once, after a
 * full round with backoff) unless the close was final (FINAL_CLOSE_CODES).
 * @extends {TypedEventTarget<SignalingEvents>}
 */
export class SignalingClient extends TypedEventTarget {
  /** @type {string[]} */
  #configured;
  /** @type {string[]} */
  #learned = [];
  #url;                        // the URL in use, or being tried
  /** @type {string | null} */
  #joinedUrl = null;
  /** @type {Set<string>} */
  #triedThisRound = new Set();
  #joinMessage;
  /** @type {WebSocket | null} */
  #socket = null;
  #round = 0;                  // full rounds failed since the last welcome: the backoff's exponent
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer = undefined;
  #stopped = false;

  /**
   * @param {string | readonly string[]} urls ws(s)://host/signal, or several (instances of one swarm), tried
   *   in order; a string may hold several separated by spaces.
   * @param {() => import('../../tools/server/schema.js').ClientMessageOf<'join'>} joinMessage the join to send on every (re)connection
   * @param {SignalingOptions} [options]
   */
  constructor(urls, joinMessage, options = {}) {
    super();
    this.#configured = signalingUrlList(urls);
    if (!this.#configured.length) throw new TypeError('SignalingClient needs at least one signaling URL');
    const problem = this.#configured.map(signalingUrlProblem).find((reason) => reason !== null);
    if (problem) throw new TypeError(problem);
    this.#url = this.#configured[0];
    this.#joinMessage = joinMessage;
    this.options = { ...SIGNALING_DEFAULTS, ...options };
  }

  /** @returns {boolean} */
  get connected() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /**
   * The URL in use: connected to, or being tried.
   * @returns {string}
   */
  get url() {
    return this.#url;
  }

  /**
   * The URL of the server that welcomed us on the socket open now; null before its
   * welcome and while disconnected.
   * @returns {string | null}
   */
  get joinedUrl() {
    return this.#joinedUrl;
  }

  /**
   * Every URL it moves between: the ones it was given, then those the last welcome listed.
   * @returns {string[]}
   */
  get urls() {
    return [...new Set([...this.#configured, ...this.#learned])];
  }

  connect() {
    this.#stopped = false;
    clearTimeout(this.#retryTimer);
    const url = this.#url;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      // Refused before any connection (a page's policy, say): as good as a failed one.
      this.#socket = null;
      this.#moveOn();
      return;
    }
    this.#socket = socket;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let pingTimer;
    const openTimer = this.urls.length > 1 ? setTimeout(() => socket.close(), this.options.connectTimeoutMs) : undefined;
    // The close that follows a failure says all there is to say.
    socket.addEventListener('error', () => {});
    socket.addEventListener('open', () => {
      clearTimeout(openTimer);
      if (socket !== this.#socket) return;
      this.send(this.#joinMessage());
      pingTimer = setInterval(() => this.send({ type: 'ping' }), this.options.pingIntervalMs);
      this.dispatchEvent(new Event('open'));
    });
    socket.addEventListener('message', ({ data }) => {
      if (socket !== this.#socket) return;
      /** @type {unknown} */
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      if (typeof message !== 'object' || message === null || !('type' in message) || typeof message.type !== 'string') return;
      if (message.type === 'welcome') this.#welcomed(url, 'signalingUrls' in message ? message.signalingUrls : undefined);
      this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
    });
    socket.addEventListener('close', ({ code, reason }) => {
      clearTimeout(openTimer);
      clearInterval(pingTimer);
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#joinedUrl = null;
      const final = FINAL_CLOSE_CODES.has(code);
      this.dispatchEvent(new CustomEvent('close', { detail: { code, reason, final, url } }));
      if (!this.#stopped && !final) this.#moveOn();
    });
  }

  /**
   * false when not connected (the message is dropped).
   * @param {ClientMessage} message
   * @returns {boolean}
   */
  send(message) {
    if (!this.#socket || !this.connected) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  // Says goodbye (the server frees our slot at once) and stops reconnecting.
  close() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    if (this.connected) this.send({ type: 'leave' });
    this.#socket?.close(1000);
    this.#socket = null;
    this.#joinedUrl = null;
  }

  // A server took us in: a later loss starts a fresh round, without backoff, and the
  // instances it names are where we go next.
  /**
   * @param {string} url
   * @param {unknown} listed the welcome's signalingUrls
   */
  #welcomed(url, listed) {
    this.#joinedUrl = url;
    this.#round = 0;
    this.#triedThisRound.clear();
    if (!Array.isArray(listed)) return;
    this.#learned = listed
      .filter((entry) => typeof entry === 'string' && entry.length <= MAX_URL_LENGTH && !signalingUrlProblem(entry))
      .slice(0, MAX_LEARNED_URLS);
  }

  // The next URL after this one not yet tried in this round, at once; when each has
  // failed, the round starts over after a backoff. Jittered, so a server restart does
  // not get every client back in the same instant.
  #moveOn() {
    this.#triedThisRound.add(this.#url);
    const urls = this.urls;
    const at = urls.indexOf(this.#url);
    const rotation = [...urls.slice(at + 1), ...urls.slice(0, at + 1)];
    const untried = rotation.find((url) => !this.#triedThisRound.has(url));
    let delayMs = 0;
    if (untried === undefined) {
      this.#triedThisRound.clear();
      const ceiling = Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** this.#round++);
      delayMs = ceiling / 2 + Math.random() * ceiling / 2;
    }
    this.#url = untried ?? rotation[0];
    this.#retryTimer = setTimeout(() => this.connect(), delayMs);
  }
}
