// The WebSocket to the signaling server (/signal; docs in tools/server/schema.js). Each
// server message is dispatched as an event named by its type ('welcome', 'challenge',
// 'state', 'peers', 'peer-left', 'viewers', 'signal', 'error', 'pong') with the message
// as detail. A dropped socket is reopened with jittered exponential backoff and the
// join is sent again; 'open' and 'close' report the socket itself.
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
 * message it sends); 'close' reports the socket closing ('open', a plain Event, its
 * opening).
 * @typedef {{ [T in ServerMessage['type']]: ServerMessageOf<T> }
 *   & { close: { code: number, reason: string, final: boolean } }} SignalingEvents
 */

/**
 * @typedef {object} SignalingOptions
 * @property {number} [minBackoffMs] The first reconnection's delay ceiling; it doubles on each failed attempt...
 * @property {number} [maxBackoffMs] ...up to this.
 * @property {number} [pingIntervalMs] How often a ping keeps the connection known alive.
 */

/** @type {Readonly<Required<SignalingOptions>>} */
export const SIGNALING_DEFAULTS = Object.freeze({
  minBackoffMs: 500,
  maxBackoffMs: 15_000,
  pingIntervalMs: 10_000,
});

// Close codes after which trying again cannot help (see CloseCode in the schema):
// a flood of invalid messages, refused proof, stream already taken, flooding, room or
// server full (retrying a full server from every refused client only keeps it full).
/** @type {ReadonlySet<number>} Close codes after which the client does not reconnect. */
export const FINAL_CLOSE_CODES = new Set([4400, 4401, 4409, 4429, 4503]);

/**
 * ws(s)://<host>/signal for the page's location.
 * @param {Pick<Location, 'protocol' | 'host'>} [location]
 * @returns {string}
 */
export function signalingUrl(location = globalThis.location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
}

/**
 * The WebSocket to the signaling server. Reconnects with backoff unless the close was
 * final (FINAL_CLOSE_CODES).
 * @extends {TypedEventTarget<SignalingEvents>}
 */
export class SignalingClient extends TypedEventTarget {
  #url;
  #joinMessage;
  /** @type {WebSocket | null} */
  #socket = null;
  #attempt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer = undefined;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #pingTimer = undefined;
  #stopped = false;

  /**
   * @param {string} url ws(s)://host/signal
   * @param {() => import('../../tools/server/schema.js').ClientMessageOf<'join'>} joinMessage the join to send on every (re)connection
   * @param {SignalingOptions} [options]
   */
  constructor(url, joinMessage, options = {}) {
    super();
    this.#url = url;
    this.#joinMessage = joinMessage;
    this.options = { ...SIGNALING_DEFAULTS, ...options };
  }

  /** @returns {boolean} */
  get connected() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  connect() {
    this.#stopped = false;
    const socket = new WebSocket(this.#url);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.send(this.#joinMessage());
      this.#pingTimer = setInterval(() => this.send({ type: 'ping' }), this.options.pingIntervalMs);
      this.dispatchEvent(new Event('open'));
    });
    socket.addEventListener('message', ({ data }) => {
      /** @type {unknown} */
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      if (typeof message === 'object' && message !== null && 'type' in message && typeof message.type === 'string') {
        this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
      }
    });
    socket.addEventListener('close', ({ code, reason }) => {
      clearInterval(this.#pingTimer);
      if (socket !== this.#socket) return;
      this.#socket = null;
      const final = FINAL_CLOSE_CODES.has(code);
      this.dispatchEvent(new CustomEvent('close', { detail: { code, reason, final } }));
      if (!this.#stopped && !final) this.#retry();
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
    clearInterval(this.#pingTimer);
    if (this.connected) this.send({ type: 'leave' });
    this.#socket?.close(1000);
    this.#socket = null;
  }

  #retry() {
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** this.#attempt++);
    // Jittered: after a server restart does not get every client back in the same instant.
    this.#retryTimer = setTimeout(() => this.connect(), ceiling / 2 + Math.random() * ceiling / 2);
  }
}
