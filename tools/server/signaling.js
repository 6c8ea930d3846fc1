// The signaling protocol (docs/SIGNALING.md): each connection's life (its messages
// admitted and dispatched in the state they are valid in, its goodbye or its reconnect
// grace, heartbeats) and the swarm summaries. Rooms, ownership proofs and viewer counts
// are membership.js's part, peer assignment and SDP/ICE relay peer-relay.js's, the live
// list's live-list.js's. It never carries media.
import { EventEmitter } from 'node:events';
import { Client } from './client.js';
import { RemoteClient } from './cluster/remote-client.js';
import { SoloCluster } from './cluster/solo.js';
import { statsIntervalFor } from './limits.js';
import { describe, listingOf, thumbnail } from './live-list.js';
import { Membership } from './membership.js';
import { ServerMetrics } from './metrics.js';
import { answerPeersRequest, relaySignal, takeStats, unlinkPeers } from './peer-relay.js';
import { swarmSummary } from './swarm-summary.js';
import { CloseCode, ErrorCode } from './schema.js';

/** @typedef {import('ws').WebSocket} WebSocket */
/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./live-list.js').LiveStream} LiveStream */
/** @typedef {import('./rooms.js').Member} Member */
/** @typedef {import('./schema.js').ClientMessage} ClientMessage */

// A socket that closed without a close frame (network loss, a killed process): its
// member may come back (see reconnectGraceMs).
const ABNORMAL_CLOSURE = 1006;

// The connection state each message is valid in ('ping' and 'leave' are valid in all).
const VALID_IN = {
  join: 'new', prove: 'proving', signal: 'joined', stats: 'joined', describe: 'joined', thumbnail: 'joined',
  'peers-request': 'joined', unlink: 'joined',
};

/**
 * Emits 'stream-ended' (streamId) when a broadcaster leaves, for the HTTP origin.
 * @extends {EventEmitter<{ 'stream-ended': [streamId: string] }>}
 */
export class Signaling extends EventEmitter {
  /**
   * @param {object} options
   * @param {SwarmcastCore} options.core
   * @param {Limits} options.limits
   * @param {RTCIceServer[]} [options.iceServers] handed to every peer in its welcome
   * @param {import('./turn-credentials.js').ResolvedTurn | null} [options.turn] handed to every
   *   peer in its welcome with a credential of its own
   * @param {boolean} [options.origin] the server runs the HTTP origin; every welcome says so
   * @param {() => number} [options.now] the clock, in ms
   * @param {() => string} [options.instance] this instance's name in /metrics
   * @param {import('./cluster/solo.js').Cluster} [options.cluster] the other instances
   *   sharing the rooms (cluster/redis-cluster.js); default: none
   */
  constructor({
    core, limits, iceServers = [], turn = null, origin = false, now = Date.now, instance = () => 'swarmcast',
    cluster = new SoloCluster(instance),
  }) {
    super();
    this.core = core;
    this.limits = limits;
    this.now = now;
    this.cluster = cluster;
    this.metrics = new ServerMetrics({
      instance, clients: () => this.clients, rooms: () => this.membership.rooms.size, cluster: () => cluster.status(),
      statsIntervalMs: () => this.statsIntervalMs(),
    });
    this.membership = new Membership({
      core, limits, iceServers, turn, origin, now, cluster, streamEnded: (streamId) => this.emit('stream-ended', streamId),
      statsIntervalMs: () => this.statsIntervalMs(),
    });
    cluster.attach(this.membership, (ms) => this.metrics.relayed(ms));
    /** @type {Set<Client>} */
    this.clients = new Set();
    this.heartbeat = setInterval(() => this.#heartbeat(), limits.heartbeatMs);
    this.summaries = setInterval(() => this.#sendSwarmSummaries(), limits.swarmSummaryIntervalMs);
  }

  /** @param {WebSocket} socket */
  accept(socket) {
    const client = new Client(socket, this.limits, this.now, (code) => this.metrics.rejected(code));
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.#receive(client, data, isBinary));
    socket.on('pong', () => { client.lastSeenMs = this.now(); });
    socket.on('close', (code) => this.#disconnect(client, code));
    // 'close' always follows; a client's broken socket is not the server's error. A
    // frame ws refused (too big, malformed) is a rejection the metrics count.
    socket.on('error', (error) => {
      const code = /** @type {{ code?: unknown }} */ (error).code;
      if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
        this.metrics.rejected(code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message_too_big' : 'bad_frame');
      }
    });
  }

  /** @returns {LiveStream[]} */
  liveStreams() {
    return [...this.membership.rooms.values()].filter((room) => room.live).map(listingOf);
  }

  /**
   * The live list's entry for one stream, or null when it is not live.
   * @param {string} streamId
   * @returns {LiveStream | null}
   */
  liveStream(streamId) {
    const room = this.membership.rooms.get(streamId);
    return room?.live ? listingOf(room) : null;
  }

  /**
   * The live stream's thumbnail (JPEG bytes), or null.
   * @param {string} streamId
   * @returns {Buffer | null}
   */
  thumbnailOf(streamId) {
    const room = this.membership.rooms.get(streamId);
    return room?.live ? room.listing.thumbnail : null;
  }

  /**
   * Whether this server shares its rooms through Redis, and with how many instances.
   * @returns {import('./cluster/solo.js').ClusterStatus}
   */
  clusterStatus() {
    return this.cluster.status();
  }

  /**
   * @param {string} streamId
   * @returns {boolean}
   */
  isLive(streamId) {
    return this.membership.rooms.get(streamId)?.live ?? false;
  }

  close() {
    clearInterval(this.heartbeat);
    clearInterval(this.summaries);
    for (const client of this.clients) client.socket.terminate();
    this.membership.close();
  }

  /**
   * @param {Client} client
   * @param {import('ws').RawData} data
   * @param {boolean} isBinary
   */
  #receive(client, data, isBinary) {
    if (!client.open) return;
    const receivedAt = performance.now();
    try {
      const message = client.admit(data, isBinary);
      if (message) this.#dispatch(client, message, receivedAt);
    } catch (error) {
      // A bug costs one connection, never the process or the other clients.
      console.error('signaling: internal error', error);
      client.refuse(ErrorCode.internal, 'internal error', CloseCode.internal);
    }
  }

  /**
   * @param {Client} client
   * @param {ClientMessage} message
   * @param {number} receivedAt performance.now() when its frame arrived
   */
  #dispatch(client, message, receivedAt) {
    this.metrics.received(message.type);
    if (message.type === 'ping') return client.send({ type: 'pong', statsIntervalMs: this.statsIntervalMs() });
    if (message.type === 'leave') return this.#leave(client);
    const { type } = message;
    if (client.state !== VALID_IN[type]) return client.strike(ErrorCode.badState, `${type} is not valid in state ${client.state}`);
    switch (message.type) {
      case 'join': return this.#counted(client, () => this.membership.join(client, message));
      case 'prove': return this.#counted(client, () => this.membership.prove(client, message));
      case 'signal':
        if (relaySignal(client, message)) this.metrics.relayed(performance.now() - receivedAt);
        return;
      case 'stats':
        this.metrics.reported(message, client.joined.member.stats);
        return takeStats(client, message, this.core, this.now(), this.cluster);
      case 'describe':
        if (describe(client, message)) this.cluster.described(client.joined.room);
        return;
      case 'thumbnail':
        if (thumbnail(client, message, this.limits, this.now())) this.cluster.thumbnailed(client.joined.room);
        return;
      case 'peers-request': return answerPeersRequest(client, this.limits, this.cluster);
      case 'unlink': return unlinkPeers(client, message, this.cluster);
      default: throw new Error(`no handler for ${type}`);
    }
  }

  /**
   * Runs a join or a proof; counts the member if it is in a room afterwards.
   * @param {Client} client
   * @param {() => void} attempt
   */
  #counted(client, attempt) {
    attempt();
    if (client.member) this.metrics.joined(client.member.role);
  }

  /**
   * An explicit goodbye: the member's place is freed at once.
   * @param {Client} client
   */
  #leave(client) {
    const member = this.#detach(client);
    if (member) this.membership.depart(member, member.room);
  }

  /**
   * The socket is gone. Without a goodbye (no leave, no close frame) the member keeps
   * its place for reconnectGraceMs, unheard of by its peers, in case it comes back;
   * one dropped for silence has been gone long enough already.
   * @param {Client} client
   * @param {number} code the close code
   */
  #disconnect(client, code) {
    this.clients.delete(client);
    const member = this.#detach(client);
    if (!member) return;
    const graceMs = this.limits.reconnectGraceMs;
    // Taken over meanwhile (by a resume on another instance): no longer this socket's.
    if (member.client !== client) return;
    if (code !== ABNORMAL_CLOSURE || client.silent || graceMs <= 0) return this.membership.depart(member, member.room);
    member.away = setTimeout(() => {
      member.away = undefined;
      this.membership.depart(member, member.room);
    }, graceMs);
    this.cluster.away(member);
  }

  /**
   * Unbinds the client from its room; returns the member it was, if joined.
   * @param {Client} client
   * @returns {Member | null}
   */
  #detach(client) {
    if (client.pending) clearTimeout(client.pending.timer);
    const { member } = client;
    client.state = 'new';
    client.pending = null;
    client.member = null;
    client.room = null;
    return member;
  }

  // Each connected broadcaster's view of its swarm, for its dashboard (another
  // instance's broadcaster gets it from its own).
  #sendSwarmSummaries() {
    for (const room of this.membership.rooms.values()) {
      const broadcaster = room.broadcaster;
      if (broadcaster && !broadcaster.away && !(broadcaster.client instanceof RemoteClient)) broadcaster.client.send(swarmSummary(room));
    }
  }

  // Anyone silent (no message, no pong) past deadPeerMs is dropped, which runs the same
  // departure as a close. A ping frame goes only to whoever has been silent for all but
  // one heartbeat of that: a client's own pings (every 10 s) and stats keep it known
  // without a frame each way, and whoever is pinged has a heartbeat to answer before it
  // is judged. The browser answers a ping frame itself, also for a background tab whose
  // timers are held back.
  #heartbeat() {
    const nowMs = this.now();
    const pingAfterMs = this.limits.deadPeerMs - this.limits.heartbeatMs;
    for (const client of this.clients) {
      const silentMs = nowMs - client.lastSeenMs;
      if (silentMs > this.limits.deadPeerMs) {
        client.silent = true;
        client.socket.terminate();
      }
      else if (client.open && silentMs >= pingAfterMs) client.socket.ping();
    }
  }

  // How often each client should report its stats now (limits.js statsIntervalMs).
  /** @returns {number} ms */
  statsIntervalMs() {
    return statsIntervalFor(this.clients.size, this.limits);
  }
}
