// Rooms and their members: one room per stream id, at most one broadcaster, any
// number of viewers up to the limit. Links are the server's record of which pairs it
// told to connect, with a direction: a member's `up` links are the peers it was
// handed (it offered to them), its `down` links the newcomers it was handed to. They
// count against the caps until either side leaves or unlinks.

/**
 * A member's socket: here, or on another instance (cluster/remote-client.js).
 * @typedef {import('./client.js').Client | import('./cluster/remote-client.js').RemoteClient} Client
 */
/** @typedef {'broadcaster' | 'viewer'} Role */
/**
 * What a member reported about itself in its last stats messages (schema.js 'stats').
 * @typedef {Omit<import('./schema.js').ClientMessageOf<'stats'>, 'type' | 'uploadKbps'>} ReportedStats
 */

export class Member {
  /**
   * @param {object} member
   * @param {number} member.peerId
   * @param {Role} member.role
   * @param {Client} member.client
   * @param {boolean} member.canUpload
   * @param {number} member.uploadKbps
   * @param {number} member.joinedAtMs
   * @param {Room} member.room the Room it enters
   * @param {Uint8Array} member.resumeToken proves the peer id on a re-join
   */
  constructor({ peerId, role, client, canUpload, uploadKbps, joinedAtMs, room, resumeToken }) {
    this.peerId = peerId;
    this.role = role;
    this.client = client;
    this.canUpload = canUpload;
    this.uploadKbps = uploadKbps;
    this.joinedAtMs = joinedAtMs;
    /** @type {Set<number>} peerIds */
    this.up = new Set();
    /** @type {Set<number>} peerIds */
    this.down = new Set();
    // Peers it unlinked (the connection failed): not handed to it again. Insertion
    // ordered, so the oldest entry is dropped past the bound.
    /** @type {Set<number>} */
    this.unlinked = new Set();
    /** @type {ReportedStats} */
    this.stats = {};
    this.room = room;
    this.resumeToken = resumeToken;
    /** @type {ReturnType<typeof setTimeout> | undefined} while its socket is gone: the timer that ends its grace */
    this.away = undefined;
    this.score = 0;       // scoreMember() sets score and tier
    this.tier = 0;
    // Hops from the broadcaster along assigned links, as assigned: a ranking hint,
    // not kept exact when links go away.
    this.hops = role === 'broadcaster' ? 0 : Infinity;
  }

  /** @param {number} peerId */
  linkedTo(peerId) {
    return this.up.has(peerId) || this.down.has(peerId);
  }

  /** @param {number} peerId */
  avoids(peerId) {
    return this.unlinked.has(peerId);
  }

  /** @param {number} peerId */
  forget(peerId) {
    this.unlinked.add(peerId);
    const oldest = this.unlinked.values().next().value;
    if (this.unlinked.size > 64 && oldest !== undefined) this.unlinked.delete(oldest);
  }

  /** @returns {{ peerId: number, role: Role }} */
  get ref() {
    return { peerId: this.peerId, role: this.role };
  }
}

/**
 * A stream's title, tags and thumbnail, as its broadcaster last described it.
 * @typedef {{ title: string, tags: string[], thumbnail: Buffer | null, thumbnailAtMs: number }} RoomListing
 */

/** @returns {RoomListing} */
function emptyListing() {
  return { title: '', tags: [], thumbnail: null, thumbnailAtMs: -Infinity };
}

/**
 * What an audience was last told of a room's viewer count, and when; the timer of the
 * next message, while one is due.
 * @typedef {{ count: number, atMs: number, timer: ReturnType<typeof setTimeout> | undefined }} CountNews
 */

/** @returns {CountNews} */
function countNews() {
  return { count: 0, atMs: -Infinity, timer: undefined };
}

export class Room {
  /** @param {string} streamId */
  constructor(streamId) {
    this.streamId = streamId;
    /** @type {Member | null} */
    this.broadcaster = null;
    /** @type {number | null} ms since epoch when the broadcaster proved ownership */
    this.startedAt = null;
    /** @type {Map<number, Member>} peerId -> Member, in join order */
    this.viewers = new Map();
    // The viewer count as last sent to the broadcaster, and to the viewers (membership.js).
    this.countToBroadcaster = countNews();
    this.countToViewers = countNews();
    this.listing = emptyListing();  // what the live list shows of it (signaling.js)
  }

  get live() {
    return this.broadcaster !== null;
  }

  get size() {
    return this.viewers.size + (this.broadcaster ? 1 : 0);
  }

  /**
   * @param {number} peerId
   * @returns {Member | null}
   */
  member(peerId) {
    if (this.broadcaster?.peerId === peerId) return this.broadcaster;
    return this.viewers.get(peerId) ?? null;
  }

  /** @returns {Generator<Member>} */
  * members() {
    if (this.broadcaster) yield this.broadcaster;
    yield* this.viewers.values();
  }

  /** @param {Member} member */
  add(member) {
    if (member.role === 'broadcaster') {
      this.broadcaster = member;
      this.startedAt = member.joinedAtMs;
    } else {
      this.viewers.set(member.peerId, member);
    }
  }

  /**
   * Removes `member` and its links; returns the members it was linked to.
   * @param {Member} member
   * @returns {Member[]}
   */
  remove(member) {
    if (member === this.broadcaster) {
      this.broadcaster = null;
      this.startedAt = null;
      this.listing = emptyListing();
    } else {
      this.viewers.delete(member.peerId);
    }
    const linked = [];
    for (const peerId of [...member.up, ...member.down]) {
      const other = this.member(peerId);
      if (other) {
        unlink(member, other);
        linked.push(other);
      }
    }
    return linked;
  }
}

/**
 * `seeker` was handed `peer`.
 * @param {Member} seeker
 * @param {Member} peer
 */
export function link(seeker, peer) {
  seeker.up.add(peer.peerId);
  peer.down.add(seeker.peerId);
  seeker.hops = Math.min(seeker.hops, peer.hops + 1);
}

/**
 * @param {Member} a
 * @param {Member} b
 */
export function unlink(a, b) {
  a.up.delete(b.peerId);
  a.down.delete(b.peerId);
  b.up.delete(a.peerId);
  b.down.delete(a.peerId);
}
