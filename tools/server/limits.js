// Every number that bounds what one client or one stream can cost the server, in one
// place, so a test (or an operator) can shrink them and see each limit bite.
import { statsIntervalSpec } from './schema.js';

export const DEFAULT_LIMITS = Object.freeze({
  maxMessageBytes: 64 * 1024,      // ws maxPayload: larger frames close the socket (1009)
  maxSignalBytes: 16 * 1024,       // one SDP or candidate; data-channel SDPs are ~1-3 KiB
  maxQueuedBytes: 1024 * 1024,     // unsent bytes to a client that stopped reading
  messagesPerS: 50,                // token bucket refill per connection
  messageBurst: 100,               // bucket size; a newcomer's 8 offers + candidates fit
  invalidPerS: 0.1,                // a buggy client may slip now and then...
  invalidBurst: 10,                // ...an abusive one is closed after this many
  maxPeersPerRoom: 10_000,
  maxRooms: 1_000,
  peersPerAnswer: 8,               // peers a viewer is handed (it offers to them)
  broadcasterLinks: 20,            // the brief's streamer cap: viewers handed the broadcaster
  // Newcomers a viewer is handed to. With 8 peers per newcomer and a third of viewers
  // unable to upload, 12 made each layer no larger than the one above (10,000 viewers
  // = 833 hops); 20 keeps 10,000 viewers within 7 hops of the source (src/swarm/peer_selection).
  viewerLinks: 20,
  heartbeatMs: 5_000,              // how often the silent are pinged (see deadPeerMs)
  // No frame (message or pong) for this long: gone. A client pings every 10 s, and at
  // scale reports its stats less often than that; at 15 s, instances and load generators
  // sharing 2 cores in a join storm read pings late enough to drop 6,020 live clients
  // of 50,000.
  deadPeerMs: 30_000,
  proveTimeoutMs: 10_000,          // a broadcaster that does not answer its challenge
  // A member whose socket drops without a goodbye (no leave, no close frame) keeps its
  // place this long: a broadcaster's viewers are not told 'ended', and either may
  // resume its peer id with its resume token. 0: leave at once.
  reconnectGraceMs: 5_000,
  // Each client reports its stats every statsIntervalMs, or less often once this
  // instance holds more clients than make statsReportsPerS at that rate: at 2 s, 16,000
  // clients on an instance were 8,000 messages a second, most of its work while
  // holding them (the server tells each client its interval: welcome, pong).
  statsIntervalMs: 2_000,
  statsReportsPerS: 1_000,
  viewerCountIntervalMs: 1_000,    // 'viewers' messages at most this often per room
  // ... and to a room's viewers at most this many messages per second, all together: a
  // room of 1,000 viewers hears its count every 5 s (its broadcaster still every
  // interval). A growing room's count changes all the time, and telling each of its
  // viewers every second was most of a join storm's socket writes.
  viewerCountRoomMessagesPerS: 200,
  // With Redis (cluster/): an instance refreshes its liveness key this often; the key
  // expires after instanceTtlMs, and then the others depart its members (after their
  // reconnect grace). Members' stats reach the other instances batched, this often.
  // The TTL is long enough that a busy instance whose event loop stalls a few seconds
  // is not judged dead; a client whose instance died does not wait for it (its socket
  // closes and it resumes on another instance at once).
  instanceRefreshMs: 1_000,
  instanceTtlMs: 10_000,
  clusterStatsIntervalMs: 1_000,
  swarmSummaryIntervalMs: 2_000,   // 'swarm' messages to each broadcaster (its dashboard)
  thumbnailMaxBytes: 40 * 1024,    // a stream's JPEG on the live list...
  thumbnailIntervalMs: 5_000,      // ...replaced at most this often
  originChunks: 120,               // HTTP origin window per stream, in chunk seqs (every rendition of each): 30 s of 250 ms chunks...
  originBytes: 64 * 1024 * 1024,   // ...and the byte cap of all it holds of the stream
  originInits: 4,                  // epochs whose init segments (every rendition's) are kept per stream
  originMaxBodyBytes: 16 * 1024 * 1024 + 164, // the largest payload the trust layer signs, and its header
});

/**
 * Every limit, by the names and with the meanings of DEFAULT_LIMITS.
 * @typedef {{ [Name in keyof typeof DEFAULT_LIMITS]: number }} Limits
 */

// Refills continuously. take() lets the balance fall into debt down to -burst: a
// client slightly over the rate loses a few messages and recovers as the debt is paid,
// while a flooder keeps digging until `exhausted` says to close it.
export class TokenBucket {
  /**
   * @param {number} ratePerS
   * @param {number} burst
   * @param {number} nowMs
   */
  constructor(ratePerS, burst, nowMs) {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.tokens = burst;
    this.updatedMs = nowMs;
  }

  /**
   * true when the message may be handled.
   * @param {number} nowMs
   * @returns {boolean}
   */
  take(nowMs) {
    const elapsedS = Math.max(0, nowMs - this.updatedMs) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsedS * this.ratePerS);
    this.updatedMs = nowMs;
    this.tokens -= 1;
    return this.tokens >= 0;
  }

  get exhausted() {
    return this.tokens < -this.burst;
  }
}

/**
 * How often each of `clients` on one instance should report its stats: every
 * statsIntervalMs, or in whole seconds long enough that all of them together send at
 * most statsReportsPerS; at most once an hour (the schema's bound).
 * @param {number} clients
 * @param {Limits} limits
 * @returns {number} ms
 */
export function statsIntervalFor(clients, limits) {
  return Math.min(statsIntervalSpec.max, Math.max(limits.statsIntervalMs, Math.ceil(clients / limits.statsReportsPerS) * 1000));
}

/**
 * DEFAULT_LIMITS with `overrides` in place; a TypeError names an unknown limit.
 * @param {Partial<Limits>} [overrides]
 * @returns {Limits}
 */
export function resolveLimits(overrides = {}) {
  for (const key of Object.keys(overrides)) {
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`unknown limit: ${key}`);
  }
  return { ...DEFAULT_LIMITS, ...overrides };
}
