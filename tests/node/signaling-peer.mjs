// A `ws` client that speaks the signaling protocol, for the server's tests: it queues
// what it receives and checks every server message against schema.js.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { DEFAULT_LIMITS } from '../../tools/server/limits.js';
import { parseMessage, serverMessages } from '../../tools/server/schema.js';

// What a test's afterEach checks and closes: server messages that broke the schema, and
// every socket opened.
export const schemaViolations = [];
export const sockets = [];

export class Peer {
  /**
   * @param {string} url the server's http(s)://host:port
   * @param {import('ws').ClientOptions} [options]
   */
  static async connect(url, options) {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/signal`, options);
    sockets.push(ws);
    await once(ws, 'open');
    return new Peer(ws);
  }

  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.wake = () => {};
    ws.on('message', (data) => {
      const checked = parseMessage(data.toString(), DEFAULT_LIMITS, serverMessages);
      if (!checked.ok) schemaViolations.push(`${checked.reason}: ${data}`);
      this.inbox.push(JSON.parse(data));
      this.wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  // The first queued message of `type` that `accept` takes (waiting for it if need be);
  // others stay queued.
  async next(type, timeoutMs = 5000, accept = () => true) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.inbox.findIndex((m) => m.type === type && accept(m));
      if (at >= 0) return this.inbox.splice(at, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' within ${timeoutMs} ms; got ${JSON.stringify(this.inbox).slice(0, 2000)}`);
      await Promise.race([new Promise((resolve) => { this.wake = resolve; }), sleep(left)]);
    }
  }

  // Every queued message of `type`, removed from the queue.
  drain(type) {
    const taken = this.inbox.filter((m) => m.type === type);
    this.inbox = this.inbox.filter((m) => m.type !== type);
    return taken;
  }

  async alive() {
    this.send({ type: 'ping' });
    await this.next('pong');
  }

  // The socket dies without a close frame, as on a network loss.
  drop() {
    this.ws.terminate();
    return this.closed;
  }
}
