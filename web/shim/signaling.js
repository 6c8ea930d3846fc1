// The WebSocket to the signaling server (/signal; docs in tools/server/schema.js). Each
// server message is dispatched as an event named by its type ('welcome', 'challenge',
// 'state', 'peers', 'peer-left', 'viewers', 'signal', 'error', 'pong') with the message
// as detail. A dropped socket is reopened with jittered exponential backoff and the
// join is sent again; 'open' and 'close' report the socket itself.
export const SIGNALING_DEFAULTS = Object.freeze({
  minBackoffMs: 500,
  maxBackoffMs: 15_000,
  pingIntervalMs: 10_000,
});

// Close codes after which trying again cannot help (see CloseCode in the schema):
// a flood of invalid messages, refused proof, stream already taken, flooding, room or
// server full (retrying a full server from every refused client only keeps it full).
export const FINAL_CLOSE_CODES = new Set([4400, 4401, 4409, 4429, 4503]);

export function signalingUrl(location = globalThis.location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
}

export class SignalingClient extends EventTarget {
  #url;
  #joinMessage;
  #socket = null;
  #attempt = 0;
  #retryTimer = null;
  #pingTimer = null;
  #stopped = false;

  // joinMessage(): the join to send on every (re)connection.
  constructor(url, joinMessage, options = {}) {
    super();
    this.#url = url;
    this.#joinMessage = joinMessage;
    this.options = { ...SIGNALING_DEFAULTS, ...options };
  }

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
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      if (typeof message?.type === 'string') this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
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

  send(message) {
    if (!this.connected) return false;
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
