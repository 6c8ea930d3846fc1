// How a client becomes a member of a stream's room and stops being one: a viewer's
// join, a broadcaster's ownership proof, a resume within the reconnect grace, the
// welcome, the departure its peers hear of, and the throttled viewer counts.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyChallenge } from '../../web/core/index.js';
import { fromBase64url, toBase64url } from '../lib/encoding.mjs';
import { sendListing } from './live-list.js';
import { RemoteClient } from './cluster/remote-client.js';
import { assignPeers } from './peer-relay.js';
import { scoreMember } from './peer-selection.js';
import { Member, Room } from './rooms.js';
import { CloseCode, ErrorCode } from './schema.js';
import { mintTurnServer } from './turn-credentials.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./client.js').Client} Client */
/** @typedef {import('./cluster/solo.js').Cluster} Cluster */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./rooms.js').Role} Role */
/**
 * @template {import('./schema.js').ClientMessage['type']} T
 * @typedef {import('./schema.js').ClientMessageOf<T>} MessageOf
 */

export class Membership {
  #core;
  #limits;
  #iceServers;
  #turn;
  #origin;
  #now;
  #streamEnded;
  #cluster;
  #statsIntervalMs;
  /** @type {Map<string, Room>} streamId -> Room */
  rooms = new Map();

  /**
   * @param {object} options
   * @param {SwarmcastCore} options.core
   * @param {Limits} options.limits
   * @param {RTCIceServer[]} options.iceServers handed to every peer in its welcome
   * @param {import('./turn-credentials.js').ResolvedTurn | null} options.turn handed to every
   *   peer in its welcome, after iceServers, with a credential minted for that peer
   * @param {boolean} options.origin the server runs the HTTP origin; every welcome says so
   * @param {() => number} options.now the clock, in ms
   * @param {(streamId: string) => void} options.streamEnded a broadcaster left for good
   * @param {Cluster} options.cluster told of every change; hands out the peer ids
   * @param {() => number} options.statsIntervalMs how often a newcomer should report its stats
   */
  constructor({ core, limits, iceServers, turn, origin, now, streamEnded, cluster, statsIntervalMs }) {
    this.#core = core;
    this.#limits = limits;
    this.#iceServers = iceServers;
    this.#turn = turn;
    this.#origin = origin;
    this.#now = now;
    this.#streamEnded = streamEnded;
    this.#cluster = cluster;
    this.#statsIntervalMs = statsIntervalMs;
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'join'>} message
   */
  join(client, { role, streamId, canUpload = false, uploadKbps = 0, resume }) {
    if (role === 'viewer') {
      const away = this.#resumable(streamId, role, resume);
      if (away) return this.#resume(client, away, { canUpload, uploadKbps });
      const room = this.#roomFor(client, streamId, role);
      if (room) this.#enter(client, room, { role, canUpload, uploadKbps });
      return;
    }
    if (this.#hasConnectedBroadcaster(streamId) && !this.#claimsRemote(streamId, resume)) {
      return client.refuse(ErrorCode.streamTaken, 'this stream already has a broadcaster', CloseCode.conflict);
    }
    const nonce = randomBytes(32);
    const timer = setTimeout(() => client.refuse(ErrorCode.proveTimeout, 'no proof in time', CloseCode.unauthorized),
      this.#limits.proveTimeoutMs);
    client.state = 'proving';
    client.pending = { streamId, canUpload, uploadKbps, resume, nonce, timer };
    client.send({ type: 'challenge', nonce: toBase64url(nonce) });
  }

  /**
   * @param {Client} client
   * @param {MessageOf<'prove'>} message
   */
  prove(client, { signature }) {
    const { streamId, canUpload, uploadKbps, resume, nonce, timer } = client.proving;
    clearTimeout(timer);
    client.pending = null;
    client.state = 'new';
    // The schema admits only canonical 86-character base64url, i.e. exactly 64 bytes.
    const proof = fromBase64url(signature);
    if (!proof || !verifyChallenge(this.#core, streamId, nonce, proof)) {
      return client.refuse(ErrorCode.badProof, 'the signature does not prove this stream id', CloseCode.unauthorized);
    }
    const away = this.#resumable(streamId, 'broadcaster', resume);
    if (away) return this.#resume(client, away, { canUpload, uploadKbps });
    // Another broadcaster may have proved the same key while this one was signing.
    if (this.#hasConnectedBroadcaster(streamId)) {
      return client.refuse(ErrorCode.streamTaken, 'this stream already has a broadcaster', CloseCode.conflict);
    }
    // Proven but not resuming (e.g. the tab reloaded): it takes the room over from its
    // away predecessor, whose links are gone with it; the viewers stay live.
    const room = this.rooms.get(streamId);
    if (room?.broadcaster) this.depart(room.broadcaster, room, { replaced: true });
    const entered = this.#roomFor(client, streamId, 'broadcaster');
    if (entered) this.#enter(client, entered, { role: 'broadcaster', canUpload, uploadKbps });
  }

  /**
   * `replaced`: a re-proven broadcaster takes over, so the viewers are not told 'ended'.
   * `fromCluster`: another instance decided it (or every instance does, for a dead
   * one's members): this one only tells its own sockets.
   * @param {Member} member
   * @param {Room} room
   * @param {{ replaced?: boolean, fromCluster?: boolean }} [how]
   */
  depart(member, room, { replaced = false, fromCluster = false } = {}) {
    clearTimeout(member.away);
    member.away = undefined;
    // Already gone (taken over, or departed by another instance's word first).
    if (room.member(member.peerId) !== member) return;
    if (!fromCluster) this.#cluster.left(member, replaced);
    // Only the peers it was linked to (and the broadcaster's dashboard) hear of it:
    // telling a 10,000-viewer room about every departure would cost O(n^2) messages.
    const told = new Set(room.remove(member));
    if (room.broadcaster) told.add(room.broadcaster);
    for (const other of told) other.client.send({ type: 'peer-left', peerId: member.peerId });
    if (member.role === 'broadcaster') {
      if (!replaced) {
        /** @type {import('./schema.js').ServerMessageOf<'state'>} */
        const ended = { type: 'state', state: 'ended' };
        const text = JSON.stringify(ended);  // once for the whole room
        for (const viewer of room.viewers.values()) viewer.client.sendText(text);
        this.#streamEnded(room.streamId);
      }
    } else {
      this.viewerCountChanged(room);
    }
    if (room.size === 0) {
      clearTimeout(room.countToBroadcaster.timer);
      clearTimeout(room.countToViewers.timer);
      this.rooms.delete(room.streamId);
    }
  }

  // The server closes: no timer of a room or an away member outlives it.
  close() {
    for (const room of this.rooms.values()) {
      clearTimeout(room.countToBroadcaster.timer);
      clearTimeout(room.countToViewers.timer);
      for (const member of room.members()) clearTimeout(member.away);
    }
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
   * A broadcaster's join that names the broadcaster another instance holds: it may
   * prove and resume (its token is checked then).
   * @param {string} streamId
   * @param {MessageOf<'join'>['resume']} resume
   */
  #claimsRemote(streamId, resume) {
    const broadcaster = this.rooms.get(streamId)?.broadcaster;
    return Boolean(resume && broadcaster?.client instanceof RemoteClient && broadcaster.peerId === resume.peerId);
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
    // A member whose socket is on another instance may be resumed before that instance
    // says it is away (or before the others notice it died): a peer reconnects only
    // when it lost its socket, and the token proves it is that peer.
    if (!member || !(member.away || member.client instanceof RemoteClient) || member.role !== role) return null;
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
    this.#cluster.resumed(member);
    this.#welcome(client, member, [], true);
    if (member.role === 'viewer') client.send({ type: 'state', state: member.room.live ? 'live' : 'waiting' });
    if (member.role === 'viewer' && member.room.live) sendListing(client, member.room);
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
      if (role === 'viewer' && room.size >= this.#limits.maxPeersPerRoom) {
        client.refuse(ErrorCode.roomFull, 'this stream has as many viewers as it can take', CloseCode.full);
        return null;
      }
      return room;
    }
    if (this.rooms.size >= this.#limits.maxRooms) {
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
    const nowMs = this.#now();
    const member = new Member({
      peerId: this.#cluster.nextPeerId(), role, client, canUpload, uploadKbps, joinedAtMs: nowMs, room, resumeToken: randomBytes(16),
    });
    scoreMember(this.#core, member, nowMs);
    room.add(member);
    client.state = 'joined';
    client.member = member;
    client.room = room;
    this.#cluster.joined(member);
    if (role === 'broadcaster') {
      this.#welcome(client, member, [], false);
      this.broadcasterArrived(room);
      return;
    }
    this.#welcome(client, member, room.live ? assignPeers(member, room, this.#limits, this.#cluster) : [], false);
    client.send({ type: 'state', state: room.live ? 'live' : 'waiting' });
    if (room.live) sendListing(client, room);
    this.viewerCountChanged(room);
  }

  /**
   * The room's viewers on this instance are told it is live and handed peers (another
   * instance's viewers hear it from theirs). Viewers get the broadcaster as a peer and
   * make the offers: the newcomer side of a link always offers, so there is never glare.
   * @param {Room} room
   */
  broadcasterArrived(room) {
    for (const viewer of room.viewers.values()) {
      if (viewer.client instanceof RemoteClient) continue;
      viewer.client.send({ type: 'state', state: 'live' });
      viewer.client.send({ type: 'peers', peers: assignPeers(viewer, room, this.#limits, this.#cluster) });
    }
  }

  /**
   * @param {Client} client
   * @param {Member} member
   * @param {{ peerId: number, role: Role }[]} peers
   * @param {boolean} resumed
   */
  #welcome(client, member, peers, resumed) {
    const iceServers = this.#turn
      ? [...this.#iceServers, mintTurnServer(this.#turn, `peer${member.peerId}`, this.#now())]
      : this.#iceServers;
    const signalingUrls = this.#cluster.signalingUrls();
    client.send({
      type: 'welcome', peerId: member.peerId, role: member.role, peers, iceServers,
      resumeToken: toBase64url(member.resumeToken), resumed, origin: this.#origin, statsIntervalMs: this.#statsIntervalMs(),
      ...(signalingUrls && { signalingUrls }),
    });
    if (member.role === 'broadcaster') client.send({ type: 'viewers', count: member.room.viewers.size });
  }

  /**
   * At most one 'viewers' message per room per interval to its broadcaster, and to its
   * viewers at most one per interval, or per viewerCountRoomMessagesPerS of them if
   * longer; a change inside an interval is sent when it ends, with the count as it is then.
   * @param {Room} room
   */
  viewerCountChanged(room) {
    const toViewersMs = Math.max(this.#limits.viewerCountIntervalMs, (1000 * room.viewers.size) / this.#limits.viewerCountRoomMessagesPerS);
    this.#tellCount(room, room.countToBroadcaster, this.#limits.viewerCountIntervalMs, (count) => {
      room.broadcaster?.client.send({ type: 'viewers', count });
    });
    this.#tellCount(room, room.countToViewers, toViewersMs, (count) => {
      /** @type {import('./schema.js').ServerMessageOf<'viewers'>} */
      const message = { type: 'viewers', count };
      const text = JSON.stringify(message);  // once for the whole room
      for (const viewer of room.viewers.values()) viewer.client.sendText(text);
    });
  }

  /**
   * Tells one audience the count now, or when `intervalMs` since it was last told has
   * passed (one timer at a time), unless the count is what it was told.
   * @param {Room} room
   * @param {import('./rooms.js').CountNews} news
   * @param {number} intervalMs
   * @param {(count: number) => void} send
   */
  #tellCount(room, news, intervalMs, send) {
    if (news.timer) return;
    const tell = () => {
      news.timer = undefined;
      const count = room.viewers.size;
      if (count === news.count) return;
      news.count = count;
      news.atMs = this.#now();
      send(count);
    };
    const waitMs = news.atMs + intervalMs - this.#now();
    if (waitMs <= 0) tell();
    else news.timer = setTimeout(tell, waitMs);
  }
}
