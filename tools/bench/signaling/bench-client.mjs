// One simulated peer of the signaling bench: a `ws` client that speaks the protocol of
// docs/SIGNALING.md as the product's SwarmNode does, with small fake SDP. It joins
// (a broadcaster proves its key), offers to every peer it is handed (an offer and a
// host candidate, as a data-channel link on loopback sends), answers every offer it
// gets the same way, and on the worker's tick pings and reports stats (as often as the
// server asks; a failed connection is tried again after a backoff). A probe is an
// offer whose SDP carries its send time: the receiving client records how long the
// server took to relay it. The frequent messages are serialized once: the load
// generators must cost far less than the server they measure.
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { FINAL_CLOSE_CODES, SIGNALING_DEFAULTS } from '../../../web/shim/signaling.js';
import { ReportPace } from '../../../web/shim/stats-report.js';
import { SWARM_NODE_DEFAULTS } from '../../../web/shim/swarm-node.js';

export const now = () => performance.timeOrigin + performance.now();
export const PING_INTERVAL_MS = SIGNALING_DEFAULTS.pingIntervalMs;
// The product's stats timer; a report goes out on it once the server's interval is up.
export const STATS_INTERVAL_MS = SWARM_NODE_DEFAULTS.statsIntervalMs;
const { minBackoffMs, maxBackoffMs } = SIGNALING_DEFAULTS;

const PROBE = 'v=0 probe ';
// The shape of a data-channel-only session description, shortened.
const FAKE_SDP = ['v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:bnch', 'a=ice-pwd:benchbenchbenchbenchbench',
  'a=fingerprint:sha-256 ' + '00:'.repeat(31) + '00', 'a=setup:actpass', 'a=mid:0', 'a=sctp-port:5000', ''].join('\r\n');
const CANDIDATE = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0', sdpMid: '0', sdpMLineIndex: 0 };
const PING = JSON.stringify({ type: 'ping' });
/** The data of the signals a side of a link sends, as JSON. */
const NEGOTIATION = {
  offer: [JSON.stringify({ sdp: { type: 'offer', sdp: FAKE_SDP } }), JSON.stringify({ candidate: CANDIDATE })],
  answer: [JSON.stringify({ sdp: { type: 'answer', sdp: FAKE_SDP } }), JSON.stringify({ candidate: CANDIDATE })],
};

/**
 * What every client of a worker adds to.
 * @typedef {object} Tally
 * @property {Record<string, number>} errors server 'error' codes and socket errors, by code
 * @property {Record<string, number>} closes close codes of sockets the bench did not close
 * @property {number} signalsSent offers, answers and candidates (not probes)
 * @property {number} signalsReceived
 * @property {Record<number, number[]>} relayMs probe latencies as they arrive, by the
 *   receiver's server instance
 * @property {Record<number, number[]>} relaySentAt when each of those probes was sent
 *   (ms since the epoch, the same clock in every process)
 * @property {number} probesReceived
 * @property {number} retries connection attempts made again after one failed
 */

/**
 * @typedef {object} ClientSpec
 * @property {string} url
 * @property {string} localAddress source address, spreading the ephemeral ports
 * @property {'broadcaster' | 'viewer'} role
 * @property {string} streamId
 * @property {number} room
 * @property {number} instance the index of the server `url` is
 * @property {boolean} offers whether it offers to the peers it is handed (off: the join
 *   path alone, without the links' signals)
 */

// A client's frames are masked so that a browser's cannot poison a proxy's cache; over
// loopback no proxy reads them, and a zero mask lets ws send each frame without
// copying it to mask it: the generators spend less of the cores the servers need.
const zeroMask = (/** @type {Buffer} */ mask) => { mask.fill(0); };

/** @param {Record<string, number>} counts @param {string | number} key */
const count = (counts, key) => { counts[key] = (counts[key] ?? 0) + 1; };

export class BenchClient {
  /** @type {WebSocket | null} */
  ws = null;
  peerId = 0;
  joined = false;
  ended = false;        // the bench is done with this client
  connectStartedAt = 0;
  joinSentAt = 0;
  welcomeAt = 0;
  /** send time of the oldest ping not yet answered; 0 when none */
  pingOutstandingSince = 0;
  lastPongAt = 0;
  /** @type {number | undefined} the close code of the last attempt */
  #closeCode;
  /** @type {(joined: boolean) => void} ends join()'s wait; later calls do nothing */
  #settleJoin = () => {};
  /** @type {string | undefined} its stats report, serialized once */
  #statsText;
  #reportPace = new ReportPace(STATS_INTERVAL_MS);

  /**
   * @param {ClientSpec} spec
   * @param {Tally} tally
   * @param {{ signChallenge(nonce: Uint8Array): Uint8Array } | null} signer a broadcaster's key
   */
  constructor(spec, tally, signer = null) {
    this.spec = spec;
    this.tally = tally;
    this.signer = signer;
    // A third of the audience cannot upload, as in the server's peer-selection notes.
    this.canUpload = spec.role === 'broadcaster' || Math.random() > 1 / 3;
    this.uploadKbps = this.canUpload ? 500 + Math.floor(Math.random() * 4500) : 0;
  }

  /**
   * Connects and joins as the product's client does: an attempt that fails (a socket
   * error, or a close before the welcome that is not final) is made again after a
   * jittered exponential backoff (web/shim/signaling.js), while that ends before
   * `giveUpAt` (ms since the epoch). Resolves true on 'welcome'.
   * @param {number} giveUpAt
   * @returns {Promise<boolean>}
   */
  async join(giveUpAt) {
    this.connectStartedAt = now();
    for (let round = 0; ; round++) {
      if (await this.#attempt()) return true;
      if (this.ended || FINAL_CLOSE_CODES.has(this.#closeCode ?? 0)) return false;
      const ceiling = Math.min(maxBackoffMs, minBackoffMs * 2 ** round);
      const delayMs = ceiling / 2 + (Math.random() * ceiling) / 2;
      if (now() + delayMs >= giveUpAt) return false;
      this.tally.retries++;
      await sleep(delayMs);
      if (this.ended) return false;
    }
  }

  /**
   * One connection: resolves true on 'welcome', false if the socket failed or closed first.
   * @returns {Promise<boolean>}
   */
  #attempt() {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.spec.url, {
        localAddress: this.spec.localAddress, perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 15_000, generateMask: zeroMask,
      });
      this.ws = ws;
      this.#settleJoin = resolve;
      ws.on('open', () => {
        this.joinSentAt = now();
        this.send({ type: 'join', role: this.spec.role, streamId: this.spec.streamId, canUpload: this.canUpload, uploadKbps: this.uploadKbps });
      });
      ws.on('message', (data) => this.#receive(JSON.parse(data.toString())));
      ws.on('error', (error) => count(this.tally.errors, /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message));
      ws.on('close', (code) => {
        if (!this.ended) count(this.tally.closes, code);
        this.#closeCode = code;
        this.joined = false;
        this.#settleJoin(false);
      });
    });
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** @param {object} message */
  send(message) {
    this.sendText(JSON.stringify(message));
  }

  /** @param {string} text a message as JSON */
  sendText(text) {
    if (this.open) this.ws?.send(text);
  }

  ping() {
    if (!this.joined) return;
    if (!this.pingOutstandingSince) this.pingOutstandingSince = now();
    this.sendText(PING);
  }

  // Called every STATS_INTERVAL_MS; reports once the server's interval is up, as
  // SwarmNode does. The same report every time: the server scores it all the same.
  stats() {
    if (!this.joined || !this.#reportPace.due(now())) return;
    this.sendText(this.#statsText ??= this.#report());
  }

  // A report in the shape and ranges web/shim/stats-report.js sends.
  #report() {
    const served = 100 + Math.floor(Math.random() * 900);
    return JSON.stringify({
      type: 'stats', uploadKbps: this.uploadKbps, deliveryBytesPerS: this.uploadKbps * 100, sharePeers: 3, links: 6,
      rttMs: 20 + Math.random() * 30, requestsReceived: served + 5, requestsServed: served, requestsFailed: 5,
      device: { metered: false, batteryLow: false, hidden: false, uploadBudgetBytesPerS: 0 },
      ...(this.spec.role === 'viewer' && { playback: { watchedMs: 60_000, stalledMs: 120, stalls: 1, latencyMs: 2500 } }),
    });
  }

  /** @param {number} to a peer id of the same room */
  probe(to) {
    this.send({ type: 'signal', to, data: { sdp: { type: 'offer', sdp: PROBE + now() } } });
  }

  // Goodbye without a close frame to wait for: the bench is over.
  end() {
    this.ended = true;
    this.ws?.terminate();
  }

  /**
   * @param {number} to
   * @param {'offer' | 'answer'} type
   */
  #negotiate(to, type) {
    for (const data of NEGOTIATION[type]) this.sendText(`{"type":"signal","to":${to},"data":${data}}`);
    this.tally.signalsSent += NEGOTIATION[type].length;
  }

  /** @param {{ peerId: number }[]} peers */
  #offerTo(peers) {
    if (this.spec.offers) for (const peer of peers) this.#negotiate(peer.peerId, 'offer');
  }

  /** @param {number} statsIntervalMs how often the server wants our stats */
  #pong(statsIntervalMs) {
    this.lastPongAt = now();
    this.pingOutstandingSince = 0;
    this.#reportPace.ask(statsIntervalMs);
  }

  /** @returns {number} how often it reports its stats now (ms) */
  get reportEveryMs() {
    return this.#reportPace.everyMs;
  }

  /** @param {any} message */
  #receive(message) {
    switch (message.type) {
      case 'challenge': {
        if (!this.signer) return;
        const signature = this.signer.signChallenge(new Uint8Array(Buffer.from(message.nonce, 'base64url')));
        return this.send({ type: 'prove', signature: Buffer.from(signature).toString('base64url') });
      }
      case 'welcome':
        this.peerId = message.peerId;
        this.joined = true;
        this.welcomeAt = now();
        this.#reportPace.ask(message.statsIntervalMs);
        this.#settleJoin(true);
        return this.#offerTo(message.peers);
      case 'peers': return this.#offerTo(message.peers);
      case 'signal': return this.#signal(message.from, message.data);
      case 'pong': return this.#pong(message.statsIntervalMs);
      case 'error': return count(this.tally.errors, message.code);
      default:
    }
  }

  /**
   * @param {number} from
   * @param {{ sdp?: { type: string, sdp: string } }} data
   */
  #signal(from, data) {
    const sdp = data.sdp?.sdp;
    if (typeof sdp === 'string' && sdp.startsWith(PROBE)) {
      this.tally.probesReceived++;
      const sentAt = Number(sdp.slice(PROBE.length));
      (this.tally.relayMs[this.spec.instance] ??= []).push(now() - sentAt);
      (this.tally.relaySentAt[this.spec.instance] ??= []).push(sentAt);
      return;
    }
    this.tally.signalsReceived++;
    if (data.sdp?.type === 'offer') this.#negotiate(from, 'answer');
  }
}
