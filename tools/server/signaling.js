// The signaling protocol (docs/SIGNALING.md): rooms per stream id, broadcaster
// ownership proofs, peer assignment, SDP/ICE relay, viewer counts and heartbeats; the
// live list's part is live-list.js. It never carries media.
import { EventEmitter } from 'node:events';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyChallenge } from '../../web/core/index.js';
import { fromBase64url, toBase64url } from '../lib/encoding.mjs';
import { Client } from './client.js';
import { describe, listingOf, sendListing, thumbnail } from './live-list.js';
import { choosePeers, scoreMember } from './peer-selection.js';
import { Member, Room, link, unlink } from './rooms.js';
import { swarmSummary } from './swarm-summary.js';
import { CloseCode, ErrorCode } from './schema.js';

/** @typedef {import('ws').WebSocket} WebSocket */
/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./live-list.js').LiveStream} LiveStream */
/** @typedef {import('./rooms.js').Role} Role */
/** @typedef {import('./schema.js').ClientMessage} ClientMessage */
/**
 * @template {ClientMessage['type']} T
 * @typedef {import('./schema.js').ClientMessageOf<T>} MessageOf
 */

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
   * @param {boolean} [options.origin] the server runs the HTTP origin; every welcome says so
   * @param {() => number} [options.now] the clock, in ms
   */
  constructor({ core, limits, iceServers = [], origin = false, now = Date.now }) {
    super();
    this.core = core;
    this.limits = limits;
    this.iceServers = iceServers;
    this.origin = origin;
    this.now = now;
    /** @type {Map<string, Room>} streamId -> Room */
    this.rooms = new Map();
    /** @type {Set<Client>} */
    this.clients = new Set();
    this.nextPeerId = 1;       // never reused: a late signal cannot reach a newcomer
    this.heartbeat = setInterval(() => this.#heartbeat(), limits.heartbeatMs);
    this.summaries = setInterval(() => this.#sendSwarmSummaries(), limits.swarmSummaryIntervalMs);
  }

  /** @param {WebSocket} socket */
  accept(socket) {
    const client = new Client(socket, this.limits, this.now);
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.#receive(client, data, isBinary));
    socket.on('pong', () => { client.lastSeenMs = this.now(); });
    socket.on('close', (code) => this.#disconnect(client, code));
    // 'close' always follows; a client's broken socket is not the server's error.
    socket.on('error', () => {});
  }

  /** @returns {LiveStream[]} */
  liveStreams() {
    return [...this.rooms.values()].filter((room) => room.live).map(listingOf);
  }

  /**
   * The live list's entry for one stream, or null when it is not live.
   * @param {string} streamId
   * @returns {LiveStream | null}
   */
  liveStream(streamId) {
    const room = this.rooms.get(streamId);
    return room?.live ? listingOf(room) : null;
  }

  /**
   * The live stream's thumbnail (JPEG bytes), or null.
   * @param {string} streamId
   * @returns {Buffer | null}
   */
  thumbnailOf(streamId) {
    const room = this.rooms.get(streamId);
    return room?.live ? room.listing.thumbnail : null;
  }

  /**
   * @param {string} streamId
   * @returns {boolean}
   */
  isLive(streamId) {
    return this.rooms.get(streamId)?.live ?? false;
  }

  close() {
    clearInterval(this.heartbeat);
    clearInterval(this.summaries);
    for (const client of this.clients) client.socket.terminate();
    for (const room of this.rooms.values()) {
      clearTimeout(room.viewerCountTimer);
      for (const member of room.members()) clearTimeout(member.away);
    }
  }

  /**
   * @param {Client} client
   * @param {import('ws').RawData} data
   * @param {boolean} isBinary
   */
  #receive(client, data, isBinary) {
    if (!client.open) return;
    try {
      const message = client.admit(data, isBinary);
      if (message) this.#dispatch(client, message);
    } catch (error) {
      // A bug costs one connection, never the process or the other clients.
      console.error('signaling: internal error', error);
      client.refuse(ErrorCode.internal, 'internal error', CloseCode.internal);
    }
  }

  /**
   * @param {Client} client
   * @param {ClientMessage} message
   */
  #dispatch(client, message) {
    if (message.type === 'ping') return client.send({ type: 'pong' });
    if (message.type === 'leave') return this.#leave(client);
    const { type } = message;
    if (client.state !== VALID_IN[type]) return client.strike(ErrorCode.badState, `${type} is not valid in state ${client.state}`);
    switch (message.type) {
      case 'join': return this.#join(client, message);
      case 'prove': return this.#prove(client, message);
      case 'signal': return this.#signal(client, message);
      case 'stats': return this.#stats(client, message);
      case 'describe': return describe(client, message);
      case 'thumbnail': return thumbnail(client, message, this.limits, this.now());
      case 'peers-request': return this.#peersRequest(client);
      case 'unlink': return this.#unlink(client, message);
      default: throw new Error(`no handler for ${type}`);
    }
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'join'>} message
   */
  #join(client, { role, streamId, canUpload = false, uploadKbps = 0, resume }) {
    if (role === 'viewer') {
      const away = this.#resumable(streamId, role, resume);
      if (away) return this.#resume(client, away, { canUpload, uploadKbps });
      const room = this.#roomFor(client, streamId, role);
      if (room) this.#enter(client, room, { role, canUpload, uploadKbps });
      return;
    }
    if (this.#hasConnectedBroadcaster(streamId)) {
      return client.refuse(ErrorCode.streamTaken, 'this stream already has a broadcaster', CloseCode.conflict);
    }
    const nonce = randomBytes(32);
    const timer = setTimeout(() => client.refuse(ErrorCode.proveTimeout, 'no proof in time', CloseCode.unauthorized),
      this.limits.proveTimeoutMs);
    client.state = 'proving';
    client.pending = { streamId, canUpload, uploadKbps, resume, nonce, timer };
    client.send({ type: 'challenge', nonce: toBase64url(nonce) });
  }

  /**
   * A broadcaster whose socket is only away (in its grace period) does not hold the
   * stream against a re-proven one: that is most likely itself, reconnecting.
   * @param {string} streamId
   */
  #hasConnectedBroadcaster(streamId) {
    const broadcaster = this.rooms.get(streamId)?.broadcaster;
    return Boolean(broadcaster && !broadcaster.away);
  }

  /**
   * The away member a join's `resume` names, if its token matches.
   * @param {string} streamId
   * @param {Role} role
   * @param {MessageOf<'join'>['resume']} resume
   * @returns {Member | null}
   */
  #resumable(streamId, role, resume) {
    if (!resume) return null;
    const member = this.rooms.get(streamId)?.member(resume.peerId);
    if (!member?.away || member.role !== role) return null;
    const given = fromBase64url(resume.token);
    return given && given.length === member.resumeToken.length && timingSafeEqual(given, member.resumeToken) ? member : null;
  }

  /**
   * The member takes a new socket: same peer id, same links, nobody told it left.
   * @param {Client} client
   * @param {Member} member
   * @param {{ canUpload: boolean, uploadKbps: number }} upload
   */
  #resume(client, member, { canUpload, uploadKbps }) {
    clearTimeout(member.away);
    member.away = undefined;
    member.client = client;
    member.canUpload = canUpload;
    member.uploadKbps = uploadKbps;
    client.state = 'joined';
    client.member = member;
    client.room = member.room;
    this.#welcome(client, member, [], true);
    if (member.role === 'viewer') client.send({ type: 'state', state: member.room.live ? 'live' : 'waiting' });
    if (member.role === 'viewer' && member.room.live) sendListing(client, member.room);
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'prove'>} message
   */
  #prove(client, { signature }) {
    const { streamId, canUpload, uploadKbps, resume, nonce, timer } = client.proving;
    clearTimeout(timer);
    client.pending = null;
    client.state = 'new';
    // The schema admits only canonical 86-character base64url, i.e. exactly 64 bytes.
    const proof = fromBase64url(signature);
    if (!proof || !verifyChallenge(this.core, streamId, nonce, proof)) {
      return client.refuse(ErrorCode.badProof, 'the signature does not prove this stream id', CloseCode.unauthorized);
    }
    // Another broadcaster may have proved the same key while this one was signing.
    if (this.#hasConnectedBroadcaster(streamId)) {
      return client.refuse(ErrorCode.streamTaken, 'this stream already has a broadcaster', CloseCode.conflict);
    }
    const away = this.#resumable(streamId, 'broadcaster', resume);
    if (away) return this.#resume(client, away, { canUpload, uploadKbps });
    // Proven but not resuming (e.g. the tab reloaded): it takes the room over from its
    // away predecessor, whose links are gone with it; the viewers stay live.
    const room = this.rooms.get(streamId);
    if (room?.broadcaster) this.#depart(room.broadcaster, room, { replaced: true });
    const entered = this.#roomFor(client, streamId, 'broadcaster');
    if (entered) this.#enter(client, entered, { role: 'broadcaster', canUpload, uploadKbps });
  }

  /**
   * The room to enter, created if need be; null (and the client refused) when full.
   * @param {Client} client
   * @param {string} streamId
   * @param {Role} role
   * @returns {Room | null}
   */
  #roomFor(client, streamId, role) {
    const room = this.rooms.get(streamId);
    if (room) {
      // A full room still takes its broadcaster: the viewers are waiting for it.
      if (role === 'viewer' && room.size >= this.limits.maxPeersPerRoom) {
        client.refuse(ErrorCode.roomFull, 'this stream has as many viewers as it can take', CloseCode.full);
        return null;
      }
      return room;
    }
    if (this.rooms.size >= this.limits.maxRooms) {
      client.refuse(ErrorCode.serverFull, 'this server has as many streams as it can take', CloseCode.full);
      return null;
    }
    const created = new Room(streamId);
    this.rooms.set(streamId, created);
    return created;
  }

  /**
   * @param {Client} client
   * @param {Room} room
   * @param {{ role: Role, canUpload: boolean, uploadKbps: number }} joiner
   */
  #enter(client, room, { role, canUpload, uploadKbps }) {
    const nowMs = this.now();
    const member = new Member({
      peerId: this.nextPeerId++, role, client, canUpload, uploadKbps, joinedAtMs: nowMs, room, resumeToken: randomBytes(16),
    });
    scoreMember(this.core, member, nowMs);
    room.add(member);
    client.state = 'joined';
    client.member = member;
    client.room = room;
    if (role === 'broadcaster') {
      // Viewers get the broadcaster as a peer and make the offers: the newcomer side of
      // a link always offers, so there is never glare.
      this.#welcome(client, member, [], false);
      for (const viewer of room.viewers.values()) {
        viewer.client.send({ type: 'state', state: 'live' });
        viewer.client.send({ type: 'peers', peers: this.#assign(viewer, room) });
      }
      return;
    }
    this.#welcome(client, member, room.live ? this.#assign(member, room) : [], false);
    client.send({ type: 'state', state: room.live ? 'live' : 'waiting' });
    if (room.live) sendListing(client, room);
    this.#viewerCountChanged(room);
  }

  /**
   * @param {Client} client
   * @param {Member} member
   * @param {{ peerId: number, role: Role }[]} peers
   * @param {boolean} resumed
   */
  #welcome(client, member, peers, resumed) {
    client.send({
      type: 'welcome', peerId: member.peerId, role: member.role, peers, iceServers: this.iceServers,
      resumeToken: toBase64url(member.resumeToken), resumed, origin: this.origin,
    });
    if (member.role === 'broadcaster') client.send({ type: 'viewers', count: member.room.viewers.size });
  }

  /**
   * Chooses peers for `seeker` and records the links, so no pair is handed out twice
   * and each side's link cap holds.
   * @param {Member} seeker
   * @param {Room} room
   */
  #assign(seeker, room) {
    const chosen = choosePeers(seeker, room, this.limits);
    for (const peer of chosen) link(seeker, peer);
    return chosen.map((peer) => peer.ref);
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'signal'>} message
   */
  #signal(client, { to, data }) {
    const { member, room } = client.joined;
    const target = room.member(to);
    // Not a strike: the target may have left while this message was in flight.
    if (!target || target.away || target === member) return client.error(ErrorCode.unknownPeer, `no peer ${to} in this stream`);
    target.client.send({ type: 'signal', from: member.peerId, data });
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'stats'>} message
   */
  #stats(client, { type, uploadKbps, ...stats }) {
    const { member } = client.joined;
    if (uploadKbps !== undefined) member.uploadKbps = uploadKbps;
    Object.assign(member.stats, stats);
    scoreMember(this.core, member, this.now());
  }

  /** @param {Client} client */
  #peersRequest(client) {
    const { member, room } = client.joined;
    const peers = member.role === 'viewer' && room.live ? this.#assign(member, room) : [];
    client.send({ type: 'peers', peers });
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'unlink'>} message
   */
  #unlink(client, { peerIds }) {
    const { member, room } = client.joined;
    for (const peerId of peerIds) {
      const other = room.member(peerId);
      if (!other) continue;
      unlink(member, other);
      member.forget(peerId);
    }
  }

  /**
   * An explicit goodbye: the member's place is freed at once.
   * @param {Client} client
   */
  #leave(client) {
    const member = this.#detach(client);
    if (member) this.#depart(member, member.room);
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
    if (code !== ABNORMAL_CLOSURE || client.silent || graceMs <= 0) return this.#depart(member, member.room);
    member.away = setTimeout(() => {
      member.away = undefined;
      this.#depart(member, member.room);
    }, graceMs);
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

  /**
   * `replaced`: a re-proven broadcaster takes over, so the viewers are not told 'ended'.
   * @param {Member} member
   * @param {Room} room
   * @param {{ replaced?: boolean }} [how]
   */
  #depart(member, room, { replaced = false } = {}) {
    clearTimeout(member.away);
    member.away = undefined;
    // Only the peers it was linked to (and the broadcaster's dashboard) hear of it:
    // telling a 10,000-viewer room about every departure would cost O(n^2) messages.
    const told = new Set(room.remove(member));
    if (room.broadcaster) told.add(room.broadcaster);
    for (const other of told) other.client.send({ type: 'peer-left', peerId: member.peerId });
    if (member.role === 'broadcaster') {
      if (!replaced) {
        for (const viewer of room.viewers.values()) viewer.client.send({ type: 'state', state: 'ended' });
        this.emit('stream-ended', room.streamId);
      }
    } else {
      this.#viewerCountChanged(room);
    }
    if (room.size === 0) {
      clearTimeout(room.viewerCountTimer);
      this.rooms.delete(room.streamId);
    }
  }

  /**
   * At most one 'viewers' message per room per interval; a change inside the interval
   * is sent when it ends, with the count as it is then.
   * @param {Room} room
   */
  #viewerCountChanged(room) {
    if (room.viewerCountTimer) return;
    const waitMs = room.sentViewerCountAtMs + this.limits.viewerCountIntervalMs - this.now();
    if (waitMs <= 0) return this.#sendViewerCount(room);
    room.viewerCountTimer = setTimeout(() => {
      room.viewerCountTimer = undefined;
      this.#sendViewerCount(room);
    }, waitMs);
  }

  /** @param {Room} room */
  #sendViewerCount(room) {
    const count = room.viewers.size;
    if (count === room.sentViewerCount) return;
    room.sentViewerCount = count;
    room.sentViewerCountAtMs = this.now();
    for (const member of room.members()) member.client.send({ type: 'viewers', count });
  }

  // Each connected broadcaster's view of its swarm, for its dashboard.
  #sendSwarmSummaries() {
    for (const room of this.rooms.values()) {
      const broadcaster = room.broadcaster;
      if (broadcaster && !broadcaster.away) broadcaster.client.send(swarmSummary(room));
    }
  }

  // Pings everyone; anyone silent (no message, no pong) past deadPeerMs is dropped,
  // which runs the same departure as a close.
  #heartbeat() {
    const nowMs = this.now();
    for (const client of this.clients) {
      if (nowMs - client.lastSeenMs > this.limits.deadPeerMs) {
        client.silent = true;
        client.socket.terminate();
      }
      else if (client.open) client.socket.ping();
    }
  }
}
