// One WebSocket connection: how its frames are admitted (rate and abuse buckets,
// schema) and how replies leave (never onto a closed or choked socket). What the
// messages mean is signaling.js's business.
import { TokenBucket } from './limits.js';
import { CloseCode, ErrorCode, parseMessage } from './schema.js';

const OPEN = 1; // WebSocket.OPEN

export class Client {
  constructor(socket, limits, now) {
    const nowMs = now();
    this.socket = socket;
    this.limits = limits;
    this.now = now;
    this.state = 'new';          // new -> (proving ->) joined; leave returns to new
    this.member = null;          // set while joined...
    this.room = null;            // ...with the room it joined
    this.pending = null;         // broadcaster join awaiting its proof
    this.lastSeenMs = nowMs;
    this.messages = new TokenBucket(limits.messagesPerS, limits.messageBurst, nowMs);
    this.invalid = new TokenBucket(limits.invalidPerS, limits.invalidBurst, nowMs);
    this.rateLimitedSent = false;
  }

  get open() {
    return this.socket.readyState === OPEN;
  }

  send(message) {
    if (!this.open) return;
    // A client that stops reading would make us buffer for it without bound.
    if (this.socket.bufferedAmount > this.limits.maxQueuedBytes) {
      this.socket.terminate();
      return;
    }
    this.socket.send(JSON.stringify(message));
  }

  error(code, message) {
    this.send({ type: 'error', code, message });
  }

  // An error the client cannot recover from on this socket.
  refuse(code, message, closeCode) {
    this.error(code, message);
    if (this.open) this.socket.close(closeCode, code);
  }

  // A client mistake: answered, and counted so a stream of them closes the socket.
  strike(code, message) {
    if (this.invalid.take(this.now())) this.error(code, message);
    else this.refuse(ErrorCode.invalid, 'too many invalid messages', CloseCode.invalid);
  }

  // Returns the validated message, or null when the frame was refused.
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
