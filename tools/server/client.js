// One WebSocket connection: how its frames are admitted (rate and abuse buckets,
// schema) and how replies leave (never onto a closed or choked socket). What the
// messages mean is signaling.js's business.
import { TokenBucket } from './limits.js';
import { CloseCode, ErrorCode, parseMessage } from './schema.js';

/** @typedef {import('ws').WebSocket} WebSocket */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./rooms.js').Member} Member */
/** @typedef {import('./rooms.js').Room} Room */
/** @typedef {import('./schema.js').ClientMessage} ClientMessage */
/** @typedef {import('./schema.js').ServerMessage} ServerMessage */

/**
 * A broadcaster's join while it answers its challenge.
 * @typedef {object} PendingProof
 * @property {string} streamId
 * @property {boolean} canUpload
 * @property {number} uploadKbps
 * @property {import('./schema.js').ClientMessageOf<'join'>['resume']} resume
 * @property {Uint8Array} nonce
 * @property {ReturnType<typeof setTimeout>} timer ends the wait (proveTimeoutMs)
 */

const OPEN = 1; // WebSocket.OPEN

export class Client {
  #corked = false;
  /** @type {import('node:net').Socket | undefined} the TCP socket under the WebSocket */
  #raw;

  /**
   * @param {WebSocket} socket
   * @param {Limits} limits
   * @param {() => number} now the clock, in ms
   * @param {(code: string) => void} [rejected] told each error code sent (the metrics)
   */
  constructor(socket, limits, now, rejected = () => {}) {
    const nowMs = now();
    this.socket = socket;
    // ws keeps its net.Socket in _socket (its own sender corks it the same way).
    this.#raw = /** @type {{ _socket?: import('node:net').Socket }} */ (/** @type {unknown} */ (socket))._socket;
    this.limits = limits;
    this.now = now;
    this.rejected = rejected;
    /** @type {'new' | 'proving' | 'joined'} new -> (proving ->) joined; leave returns to new */
    this.state = 'new';
    /** @type {Member | null} set while joined... */
    this.member = null;
    /** @type {Room | null} ...with the room it joined */
    this.room = null;
    /** @type {PendingProof | null} */
    this.pending = null;
    this.lastSeenMs = nowMs;
    // Dropped by the heartbeat for silence: gone long enough to leave at once.
    this.silent = false;
    this.messages = new TokenBucket(limits.messagesPerS, limits.messageBurst, nowMs);
    this.invalid = new TokenBucket(limits.invalidPerS, limits.invalidBurst, nowMs);
    this.rateLimitedSent = false;
  }

  /**
   * The member and room of a joined client: the dispatcher hands the messages that need
   * them only to a client in state 'joined'.
   * @returns {{ member: Member, room: Room }}
   */
  get joined() {
    if (!this.member || !this.room) throw new Error(`no member in state ${this.state}`);
    return { member: this.member, room: this.room };
  }

  /**
   * The broadcaster join awaiting its proof, in state 'proving'.
   * @returns {PendingProof}
   */
  get proving() {
    if (!this.pending) throw new Error(`no pending join in state ${this.state}`);
    return this.pending;
  }

  get open() {
    return this.socket.readyState === OPEN;
  }

  /** @param {ServerMessage} message */
  send(message) {
    this.sendText(JSON.stringify(message));
  }

  /**
   * A message already serialized: one text for a whole room costs one JSON.stringify.
   * @param {string} text
   */
  sendText(text) {
    if (!this.open) return;
    // A client that stops reading would make us buffer for it without bound.
    if (this.socket.bufferedAmount > this.limits.maxQueuedBytes) {
      this.socket.terminate();
      return;
    }
    this.#cork();
    this.socket.send(text);
  }

  // Every message to this socket in the same turn of the event loop (a welcome and the
  // messages after it, an offer and its candidate relayed) leaves in one write: a write
  // to a socket is a system call, most of a relayed signal's cost.
  #cork() {
    if (this.#corked || !this.#raw) return;
    this.#raw.cork();
    this.#corked = true;
    process.nextTick(this.#uncork);
  }

  // One function per client, not a closure per turn.
  #uncork = () => {
    this.#corked = false;
    this.#raw?.uncork();
  };

  /**
   * @param {string} code an ErrorCode
   * @param {string} message
   */
  error(code, message) {
    this.rejected(code);
    this.send({ type: 'error', code, message });
  }

  /**
   * An error the client cannot recover from on this socket.
   * @param {string} code an ErrorCode
   * @param {string} message
   * @param {number} closeCode a CloseCode
   */
  refuse(code, message, closeCode) {
    this.error(code, message);
    if (this.open) this.socket.close(closeCode, code);
  }

  /**
   * A client mistake: answered, and counted so a stream of them closes the socket.
   * @param {string} code an ErrorCode
   * @param {string} message
   */
  strike(code, message) {
    if (this.invalid.take(this.now())) this.error(code, message);
    else this.refuse(ErrorCode.invalid, 'too many invalid messages', CloseCode.invalid);
  }

  /**
   * Returns the validated message, or null when the frame was refused.
   * @param {import('ws').RawData} data
   * @param {boolean} isBinary
   * @returns {ClientMessage | null}
   */
  admit(data, isBinary) {
    const nowMs = this.now();
    this.lastSeenMs = nowMs;
    if (!this.messages.take(nowMs)) {
      if (this.messages.exhausted) {
        this.refuse(ErrorCode.rateLimited, 'kept sending past the rate limit', CloseCode.rateLimited);
      } else if (!this.rateLimitedSent) {
        // One notice per overflow episode: answering every dropped frame would let a
        // flooder make us send as much as it does.
        this.rateLimitedSent = true;
        this.error(ErrorCode.rateLimited, `more than ${this.limits.messagesPerS} messages/s: dropped`);
      }
      return null;
    }
    this.rateLimitedSent = false;
    if (isBinary) {
      this.strike(ErrorCode.binary, 'messages are JSON text frames');
      return null;
    }
    const parsed = parseMessage(data.toString('utf8'), this.limits);
    if (!parsed.ok) {
      this.strike(parsed.code, parsed.reason);
      return null;
    }
    return parsed.message;
  }
}
