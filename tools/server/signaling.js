// The signaling protocol (docs/SIGNALING.md): rooms per stream id, broadcaster
// ownership proofs, peer assignment, SDP/ICE relay, viewer counts and heartbeats.
// It never carries media.
import { EventEmitter } from 'node:events';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyChallenge } from '../../web/core/index.js';
import { fromBase64url, toBase64url } from '../lib/encoding.mjs';
import { Client } from './client.js';
import { choosePeers, scoreMember } from './peer-selection.js';
import { Member, Room, link, unlink } from './rooms.js';
import { swarmSummary } from './swarm-summary.js';
import { CloseCode, ErrorCode } from './schema.js';

// A socket that closed without a close frame (network loss, a killed process): its
// member may come back (see reconnectGraceMs).
const ABNORMAL_CLOSURE = 1006;

// The connection state each message is valid in ('ping' and 'leave' are valid in all).
const VALID_IN = {
  join: 'new', prove: 'proving', signal: 'joined', stats: 'joined', describe: 'joined', thumbnail: 'joined',
  'peers-request': 'joined', unlink: 'joined',
};

// JPEG files open with a Start Of Image marker and end with End Of Image.
function isJpeg(bytes) {
  const n = bytes.length;
  return n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9;
}

// A live room as GET /api/streams lists it.
function listingOf(room) {
  return {
    streamId: room.streamId, viewers: room.viewers.size, startedAt: room.startedAt,
    title: room.listing.title, tags: room.listing.tags,
    thumbnail: room.listing.thumbnail ? `/api/streams/${room.streamId}/thumbnail` : null,
  };
}

// Emits 'stream-ended' (streamId) when a broadcaster leaves, for the HTTP origin.
export class Signaling extends EventEmitter {
  // origin: the server runs the HTTP origin; every welcome says so.
  constructor({ core, limits, iceServers = [], origin = false, now = Date.now }) {
    super();
    this.core = core;
    this.limits = limits;
    this.iceServers = iceServers;
    this.origin = origin;
    this.now = now;
    this.rooms = new Map();    // streamId -> Room
    this.clients = new Set();
    this.nextPeerId = 1;       // never reused: a late signal cannot reach a newcomer
    this.heartbeat = setInterval(() => this.#heartbeat(), limits.heartbeatMs);
    this.summaries = setInterval(() => this.#sendSwarmSummaries(), limits.swarmSummaryIntervalMs);
  }

  accept(socket) {
    const client = new Client(socket, this.limits, this.now);
    this.clients.add(client);
    socket.on('message', (data, isBinary) => this.#receive(client, data, isBinary));
    socket.on('pong', () => { client.lastSeenMs = this.now(); });
    socket.on('close', (code) => this.#disconnect(client, code));
    // 'close' always follows; a client's broken socket is not the server's error.
    socket.on('error', () => {});
  }

  liveStreams() {
    return [...this.rooms.values()].filter((room) => room.live).map(listingOf);
  }

  // The live list's entry for one stream, or null when it is not live.
  liveStream(streamId) {
    const room = this.rooms.get(streamId);
    return room?.live ? listingOf(room) : null;
  }

  // The live stream's thumbnail (JPEG bytes), or null.
  thumbnailOf(streamId) {
    const room = this.rooms.get(streamId);
    return room?.live ? room.listing.thumbnail : null;
  }

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

  #dispatch(client, message) {
    const { type } = message;
    if (type === 'ping') return client.send({ type: 'pong' });
    if (type === 'leave') return this.#leave(client);
    if (client.state !== VALID_IN[type]) return client.strike(ErrorCode.badState, `${type} is not valid in state ${client.state}`);
    switch (type) {
      case 'join': return this.#join(client, message);
      case 'prove': return this.#prove(client, message);
      case 'signal': return this.#signal(client, message);
      case 'stats': return this.#stats(client, message);
      case 'describe': return this.#describe(client, message);
      case 'thumbnail': return this.#thumbnail(client, message);
      case 'peers-request': return this.#peersRequest(client);
      case 'unlink': return this.#unlink(client, message);
      default: throw new Error(`no handler for ${type}`);
    }
  }

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

  // A broadcaster whose socket is only away (in its grace period) does not hold the
  // stream against a re-proven one: that is most likely itself, reconnecting.
  #hasConnectedBroadcaster(streamId) {
    const broadcaster = this.rooms.get(streamId)?.broadcaster;
    return Boolean(broadcaster && !broadcaster.away);
  }

  // The away member a join's `resume` names, if its token matches.
  #resumable(streamId, role, resume) {
    if (!resume) return null;
    const member = this.rooms.get(streamId)?.member(resume.peerId);
    if (!member?.away || member.role !== role) return null;
    const given = fromBase64url(resume.token);
    return given.length === member.resumeToken.length && timingSafeEqual(given, member.resumeToken) ? member : null;
  }

  // The member takes a new socket: same peer id, same links, nobody told it left.
  #resume(client, member, { canUpload, uploadKbps }) {
    clearTimeout(member.away);
    member.away = null;
    member.client = client;
    member.canUpload = canUpload;
    member.uploadKbps = uploadKbps;
    client.state = 'joined';
    client.member = member;
    client.room = member.room;
    this.#welcome(client, member, [], true);
    if (member.role === 'viewer') client.send({ type: 'state', state: client.room.live ? 'live' : 'waiting' });
    if (member.role === 'viewer' && client.room.live) this.#sendListing(client, client.room);
  }

  #prove(client, { signature }) {
    const { streamId, canUpload, uploadKbps, resume, nonce, timer } = client.pending;
    clearTimeout(timer);
    client.pending = null;
    client.state = 'new';
    // The schema admits only canonical 86-character base64url, i.e. exactly 64 bytes.
    if (!verifyChallenge(this.core, streamId, nonce, fromBase64url(signature))) {
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

  #enter(client, room, { role, canUpload, uploadKbps }) {
    const nowMs = this.now();
    const member = new Member({ peerId: this.nextPeerId++, role, client, canUpload, uploadKbps, joinedAtMs: nowMs });
    member.resumeToken = randomBytes(16);
    member.room = room;
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
    if (room.live) this.#sendListing(client, room);
    this.#viewerCountChanged(room);
  }

  #welcome(client, member, peers, resumed) {
    client.send({
      type: 'welcome', peerId: member.peerId, role: member.role, peers, iceServers: this.iceServers,
      resumeToken: toBase64url(member.resumeToken), resumed, origin: this.origin,
    });
    if (member.role === 'broadcaster') client.send({ type: 'viewers', count: member.room.viewers.size });
  }

  // Chooses peers for `seeker` and records the links, so no pair is handed out twice
  // and each side's link cap holds.
  #assign(seeker, room) {
    const chosen = choosePeers(seeker, room, this.limits);
    for (const peer of chosen) link(seeker, peer);
    return chosen.map((peer) => peer.ref);
  }

  #signal(client, { to, data }) {
    const target = client.room.member(to);
    // Not a strike: the target may have left while this message was in flight.
    if (!target || target.away || target === client.member) return client.error(ErrorCode.unknownPeer, `no peer ${to} in this stream`);
    target.client.send({ type: 'signal', from: client.member.peerId, data });
  }

  #stats(client, { type, uploadKbps, ...stats }) {
    const member = client.member;
    if (uploadKbps !== undefined) member.uploadKbps = uploadKbps;
    Object.assign(member.stats, stats);
    scoreMember(this.core, member, this.now());
  }

  // The live list's entry is the broadcaster's to write; false (and a strike) for anyone else.
  #fromBroadcaster(client, type) {
    if (client.member.role === 'broadcaster') return true;
    client.strike(ErrorCode.badState, `only the broadcaster sends ${type}`);
    return false;
  }

  #describe(client, { title, tags }) {
    if (!this.#fromBroadcaster(client, 'describe')) return;
    const listing = client.room.listing;
    const before = JSON.stringify([listing.title, listing.tags]);
    listing.title = title.trim();
    listing.tags = [...new Set(tags)];
    // Only a change reaches the viewers: a describe costs the server one message per viewer.
    if (JSON.stringify([listing.title, listing.tags]) === before) return;
    for (const viewer of client.room.viewers.values()) this.#sendListing(viewer.client, client.room);
  }

  // What the watch page shows of the stream: its title and tags, as last described.
  #sendListing(client, room) {
    client.send({ type: 'listing', title: room.listing.title, tags: room.listing.tags });
  }

  #thumbnail(client, { jpeg }) {
    if (!this.#fromBroadcaster(client, 'thumbnail')) return;
    const { listing } = client.room;
    const nowMs = this.now();
    if (nowMs - listing.thumbnailAtMs < this.limits.thumbnailIntervalMs) {
      return client.error(ErrorCode.rateLimited, `one thumbnail per ${this.limits.thumbnailIntervalMs} ms: dropped`);
    }
    const bytes = fromBase64url(jpeg);
    if (!bytes || bytes.length > this.limits.thumbnailMaxBytes || !isJpeg(bytes)) {
      return client.strike(ErrorCode.invalid, `thumbnail.jpeg must be a JPEG of at most ${this.limits.thumbnailMaxBytes} bytes in base64url`);
    }
    listing.thumbnail = Buffer.from(bytes);
    listing.thumbnailAtMs = nowMs;
  }

  #peersRequest(client) {
    const { member, room } = client;
    const peers = member.role === 'viewer' && room.live ? this.#assign(member, room) : [];
    client.send({ type: 'peers', peers });
  }

  #unlink(client, { peerIds }) {
    const { member, room } = client;
    for (const peerId of peerIds) {
      const other = room.member(peerId);
      if (!other) continue;
      unlink(member, other);
      member.forget(peerId);
    }
  }

  // An explicit goodbye: the member's place is freed at once.
  #leave(client) {
    const member = this.#detach(client);
    if (member) this.#depart(member, member.room);
  }

  // The socket is gone. Without a goodbye (no leave, no close frame) the member keeps
  // its place for reconnectGraceMs, unheard of by its peers, in case it comes back;
  // one dropped for silence has been gone long enough already.
  #disconnect(client, code) {
    this.clients.delete(client);
    const member = this.#detach(client);
    if (!member) return;
    const graceMs = this.limits.reconnectGraceMs;
    if (code !== ABNORMAL_CLOSURE || client.silent || graceMs <= 0) return this.#depart(member, member.room);
    member.away = setTimeout(() => {
      member.away = null;
      this.#depart(member, member.room);
    }, graceMs);
  }

  // Unbinds the client from its room; returns the member it was, if joined.
  #detach(client) {
    if (client.pending) clearTimeout(client.pending.timer);
    const { member } = client;
    client.state = 'new';
    client.pending = null;
    client.member = null;
    client.room = null;
    return member;
  }

  // `replaced`: a re-proven broadcaster takes over, so the viewers are not told 'ended'.
  #depart(member, room, { replaced = false } = {}) {
    clearTimeout(member.away);
    member.away = null;
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

  // At most one 'viewers' message per room per interval; a change inside the interval
  // is sent when it ends, with the count as it is then.
  #viewerCountChanged(room) {
    if (room.viewerCountTimer) return;
    const waitMs = room.sentViewerCountAtMs + this.limits.viewerCountIntervalMs - this.now();
    if (waitMs <= 0) return this.#sendViewerCount(room);
    room.viewerCountTimer = setTimeout(() => {
      room.viewerCountTimer = null;
      this.#sendViewerCount(room);
    }, waitMs);
  }

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
