// This instance's copy of the other instances' members, fed by their events. Each
// instance holds every room whole (members of all instances, their links and ranks),
// runs peer selection on it for its own sockets, and tells its own sockets what each
// change means to them: the events carry state, never messages for other sockets
// (only a signal, which crosses to its target's instance). A member is scored by its
// owner alone, and its reports reach whole only the instance of its room's
// broadcaster, whose dashboard sums them.
import { fromBase64url, toBase64url } from '../../lib/encoding.mjs';
import { setListing, setThumbnail } from '../live-list.js';
import { Member, Room, link, unlink } from '../rooms.js';
import { CloseCode, ErrorCode } from '../schema.js';
import { MAX_BATCH } from './events.js';
import { RemoteClient } from './remote-client.js';

/** @typedef {import('../membership.js').Membership} Membership */
/** @typedef {import('../limits.js').Limits} Limits */
/** @typedef {import('./events.js').MemberRecord} MemberRecord */
/** @typedef {import('./events.js').ListingRecord} ListingRecord */
/**
 * @template {import('./events.js').ClusterEvent['kind']} K
 * @typedef {import('./events.js').ClusterEventOf<K>} EventOf
 */

export class Replica {
  #membership;
  #limits;
  #now;
  #remoteClient;
  #signalRelayed;
  /** @type {Map<string, { snapshotId: string, seen: Set<number> }>} instance -> the snapshot it is sending */
  #snapshots = new Map();

  /**
   * @param {object} options
   * @param {Membership} options.membership
   * @param {Limits} options.limits
   * @param {() => number} options.now
   * @param {string} options.instanceId this instance
   * @param {(owner: string) => RemoteClient} options.remoteClient the stand-in for an instance's sockets
   * @param {(ms: number) => void} options.signalRelayed a signal from another instance was
   *   delivered, this long after its instance published it (the instances' clocks agree)
   */
  constructor({ membership, limits, now, instanceId, remoteClient, signalRelayed }) {
    this.#membership = membership;
    this.#limits = limits;
    this.#now = now;
    this.instanceId = instanceId;
    this.#remoteClient = remoteClient;
    this.#signalRelayed = signalRelayed;
  }

  /**
   * The instance holding a member's socket.
   * @param {Member} member
   */
  ownerOf(member) {
    return member.client instanceof RemoteClient ? member.client.owner : this.instanceId;
  }

  /** @returns {Generator<Member>} every member of every room */
  * members() {
    for (const room of this.#membership.rooms.values()) yield* room.members();
  }

  /**
   * The instances holding any member's socket, this one included. Every second (the
   * liveness check), so straight over the rooms rather than a generator per member.
   * @returns {Set<string>}
   */
  owners() {
    const owners = new Set([this.instanceId]);
    for (const room of this.#membership.rooms.values()) {
      if (room.broadcaster) owners.add(this.ownerOf(room.broadcaster));
      for (const viewer of room.viewers.values()) owners.add(this.ownerOf(viewer));
    }
    return owners;
  }

  /** @returns {Iterable<Room>} every room */
  rooms() {
    return this.#membership.rooms.values();
  }

  /** @param {import('./events.js').ClusterEvent} event */
  apply(event) {
    switch (event.kind) {
      case 'joined': return this.#upsert(event.member, event.instance);
      case 'linked': return this.#linked(event);
      case 'unlinked': return this.#unlinked(event);
      case 'left': return this.#left(event);
      case 'away': return this.#away(event);
      case 'resumed': return this.#resumed(event);
      case 'stats': return this.#stats(event);
      case 'ranks': return this.#ranks(event);
      case 'listing': return this.#listing(event);
      case 'thumbnail': return this.#thumbnail(event);
      case 'signal': return this.#signal(event);
      case 'snapshot': return this.#snapshot(event);
      case 'bye': return this.instanceGone(event.instance);
      case 'hello': return undefined;
      default: throw new Error(`no handler for ${/** @type {{ kind: string }} */ (event).kind}`);
    }
  }

  /**
   * An instance closed or died: its members are away, each with the reconnect grace to
   * resume anywhere; after that every instance departs them on its own.
   * @param {string} instance
   */
  instanceGone(instance) {
    for (const member of [...this.members()]) {
      if (this.ownerOf(member) === instance && !member.away) this.#markAway(member, this.#limits.reconnectGraceMs);
    }
  }

  /**
   * @param {Member} member
   * @returns {MemberRecord}
   */
  record(member) {
    return {
      streamId: member.room.streamId, peerId: member.peerId, role: member.role, canUpload: member.canUpload,
      uploadKbps: member.uploadKbps, joinedAtMs: member.joinedAtMs, resumeToken: toBase64url(member.resumeToken),
      away: Boolean(member.away), up: [...member.up].slice(0, 64), down: [...member.down].slice(0, 10_000), stats: member.stats,
      score: member.score, tier: member.tier,
    };
  }

  /**
   * This instance's members and its broadcasters' listings, in parts of at most
   * MAX_BATCH each, for a snapshot; and the rooms whose thumbnail it holds.
   * @returns {{ parts: { members: MemberRecord[], rooms: ListingRecord[] }[], thumbnails: Room[] }}
   */
  ownState() {
    const members = [...this.members()].filter((member) => this.ownerOf(member) === this.instanceId).map((m) => this.record(m));
    const owned = [...this.#membership.rooms.values()]
      .filter((room) => room.broadcaster && this.ownerOf(room.broadcaster) === this.instanceId);
    const rooms = owned.map((room) => ({ streamId: room.streamId, title: room.listing.title, tags: room.listing.tags }));
    const parts = [];
    for (let at = 0; at === 0 || at < Math.max(members.length, rooms.length); at += MAX_BATCH) {
      parts.push({ members: members.slice(at, at + MAX_BATCH), rooms: rooms.slice(at, at + MAX_BATCH) });
    }
    return { parts, thumbnails: owned.filter((room) => room.listing.thumbnail) };
  }

  /**
   * A member as its owner describes it: added if new, brought up to date if known.
   * @param {MemberRecord} record
   * @param {string} owner
   */
  #upsert(record, owner) {
    const room = this.#roomOf(record.streamId);
    const known = room.member(record.peerId);
    // This instance holds its socket: its own view wins.
    if (known && this.ownerOf(known) === this.instanceId && !known.away) return;
    const member = known ?? this.#add(record, owner, room);
    if (!member) return;
    member.client = this.#remoteClient(owner);
    member.canUpload = record.canUpload;
    member.uploadKbps = record.uploadKbps;
    Object.assign(member.stats, record.stats);
    member.score = record.score;
    member.tier = record.tier;
    for (const peerId of record.up) this.#link(room, member, room.member(peerId));
    for (const peerId of record.down) this.#link(room, room.member(peerId), member);
    if (record.away && !member.away) this.#markAway(member, this.#limits.reconnectGraceMs + this.#limits.instanceTtlMs);
    if (!record.away && member.away) {
      clearTimeout(member.away);
      member.away = undefined;
    }
  }

  /**
   * @param {MemberRecord} record
   * @param {string} owner
   * @param {Room} room
   * @returns {Member | null} null when it lost a race for the broadcaster's place
   */
  #add(record, owner, room) {
    const resumeToken = fromBase64url(record.resumeToken) ?? new Uint8Array(16);
    const member = new Member({
      peerId: record.peerId, role: record.role, client: this.#remoteClient(owner), canUpload: record.canUpload,
      uploadKbps: record.uploadKbps, joinedAtMs: record.joinedAtMs, room, resumeToken,
    });
    if (member.role === 'broadcaster' && room.broadcaster && !this.#takesOver(member, record.away, room.broadcaster, room)) {
      if (room.size === 0) this.#membership.rooms.delete(room.streamId);
      return null;
    }
    room.add(member);
    if (member.role === 'broadcaster') this.#membership.broadcasterArrived(room);
    else this.#membership.viewerCountChanged(room);
    return member;
  }

  /**
   * Two instances let a broadcaster of the same stream in at once: every instance keeps
   * the same one (the earlier proof, then the lower peer id), and the instance holding
   * the other's socket refuses it as it would have at its join. An away broadcaster
   * gives way to a connected one, as on one instance.
   * @param {Member} incoming
   * @param {boolean} incomingAway
   * @param {Member} present
   * @param {Room} room
   */
  #takesOver(incoming, incomingAway, present, room) {
    const incomingFirst = incoming.joinedAtMs < present.joinedAtMs
      || (incoming.joinedAtMs === present.joinedAtMs && incoming.peerId < present.peerId);
    const wins = Boolean(present.away) === incomingAway ? incomingFirst : incomingAway === false;
    if (!wins) return false;
    const local = this.ownerOf(present) === this.instanceId && !present.away;
    this.#membership.depart(present, room, { replaced: true, fromCluster: !local });
    if (local && !(present.client instanceof RemoteClient)) {
      present.client.refuse(ErrorCode.streamTaken, 'this stream already has a broadcaster', CloseCode.conflict);
    }
    return true;
  }

  /**
   * @param {Room} room
   * @param {Member | null} seeker
   * @param {Member | null} peer
   */
  #link(room, seeker, peer) {
    if (seeker && peer && seeker !== peer && room.member(seeker.peerId) && room.member(peer.peerId)) link(seeker, peer);
  }

  /** @param {string} streamId */
  #roomOf(streamId) {
    let room = this.#membership.rooms.get(streamId);
    if (!room) {
      room = new Room(streamId);
      this.#membership.rooms.set(streamId, room);
    }
    return room;
  }

  /**
   * @param {{ streamId: string, peerId: number }} ref
   * @returns {{ room: Room, member: Member } | null}
   */
  #find({ streamId, peerId }) {
    const room = this.#membership.rooms.get(streamId);
    const member = room?.member(peerId);
    return room && member ? { room, member } : null;
  }

  /**
   * The owner departs it when its grace ends; this timer (a little later) only covers
   * an owner that can no longer say so.
   * @param {Member} member
   * @param {number} graceMs
   */
  #markAway(member, graceMs) {
    clearTimeout(member.away);
    member.away = setTimeout(() => {
      member.away = undefined;
      this.#membership.depart(member, member.room, { fromCluster: true });
    }, graceMs);
  }

  /** @param {EventOf<'linked'>} event */
  #linked(event) {
    const found = this.#find(event);
    if (!found) return;
    for (const peerId of event.peers) this.#link(found.room, found.member, found.room.member(peerId));
  }

  /** @param {EventOf<'unlinked'>} event */
  #unlinked(event) {
    const found = this.#find(event);
    if (!found) return;
    for (const peerId of event.peers) {
      const other = found.room.member(peerId);
      if (other) unlink(found.member, other);
      found.member.forget(peerId);
    }
  }

  /** @param {EventOf<'left'>} event */
  #left(event) {
    const found = this.#find(event);
    if (found) this.#membership.depart(found.member, found.room, { replaced: event.replaced, fromCluster: true });
  }

  /** @param {EventOf<'away'>} event */
  #away(event) {
    const found = this.#find(event);
    if (found && this.ownerOf(found.member) === event.instance) {
      this.#markAway(found.member, this.#limits.reconnectGraceMs + this.#limits.instanceTtlMs);
    }
  }

  /** @param {EventOf<'resumed'>} event */
  #resumed(event) {
    const found = this.#find(event);
    if (!found) return;
    const { member } = found;
    // It resumed elsewhere while its socket here still looked open: that socket is
    // stale; it is let go without a departure.
    if (!(member.client instanceof RemoteClient) && !member.away) {
      const stale = member.client;
      stale.member = null;
      stale.room = null;
      stale.state = 'new';
      stale.socket.terminate();
    }
    clearTimeout(member.away);
    member.away = undefined;
    member.client = this.#remoteClient(event.instance);
    member.canUpload = event.canUpload;
    member.uploadKbps = event.uploadKbps;
  }

  /** @param {EventOf<'stats'>} event */
  #stats(event) {
    for (const entry of event.entries) {
      const member = this.#ownedBy(entry, event.instance);
      if (!member) continue;
      member.uploadKbps = entry.uploadKbps;
      Object.assign(member.stats, entry.stats);
      member.score = entry.score;
      member.tier = entry.tier;
    }
  }

  /** @param {EventOf<'ranks'>} event */
  #ranks(event) {
    for (const { streamId, peerIds, scores, tiers } of event.rooms) {
      if (scores.length !== peerIds.length || tiers.length !== peerIds.length) throw new Error(`ranks of ${streamId}: arrays of unequal length`);
    }
    for (const { streamId, peerIds, scores, tiers } of event.rooms) {
      peerIds.forEach((peerId, at) => {
        const member = this.#ownedBy({ streamId, peerId }, event.instance);
        if (!member) return;
        member.score = scores[at];
        member.tier = tiers[at];
      });
    }
  }

  /**
   * The member an event's entry names, if the instance that sent it holds its socket
   * (only the owner speaks for a member).
   * @param {{ streamId: string, peerId: number }} ref
   * @param {string} instance
   * @returns {Member | null}
   */
  #ownedBy(ref, instance) {
    const found = this.#find(ref);
    return found && this.ownerOf(found.member) === instance ? found.member : null;
  }

  /** @param {EventOf<'listing'>} event */
  #listing(event) {
    const room = this.#membership.rooms.get(event.streamId);
    if (room?.broadcaster && this.ownerOf(room.broadcaster) === event.instance) setListing(room, event.title, event.tags);
  }

  /** @param {EventOf<'thumbnail'>} event */
  #thumbnail(event) {
    const room = this.#membership.rooms.get(event.streamId);
    if (!room?.broadcaster || this.ownerOf(room.broadcaster) !== event.instance) return;
    if (!setThumbnail(room, event.jpeg, this.#limits, this.#now())) console.warn(`cluster: a thumbnail from ${event.instance} is not a JPEG within the limits: ignored`);
  }

  /**
   * A signal for a member this instance held when the sender's instance last heard.
   * If the member has since resumed on a third instance, the sender's view was stale
   * (the takeover crosses Redis while the signal does too): it is sent on there, once.
   * @param {EventOf<'signal'>} event
   */
  #signal({ streamId, sender, to, data, atMs, forwarded }) {
    const room = this.#membership.rooms.get(streamId);
    const target = room?.member(to);
    if (!room?.member(sender) || !target || target.away) return;
    if (target.client instanceof RemoteClient) {
      if (!forwarded) target.client.forwardSignal({ streamId, sender, to, data, forwarded: true });
      return;
    }
    target.client.send({ type: 'signal', from: sender, data });
    this.#signalRelayed(Math.max(0, this.#now() - atMs));
  }

  /**
   * Members the sender holds; once its last part is in, the members this instance
   * holds for it that it did not list are gone (they left while Redis was away).
   * @param {EventOf<'snapshot'>} event
   */
  #snapshot(event) {
    let progress = this.#snapshots.get(event.instance);
    if (progress?.snapshotId !== event.snapshotId) {
      progress = { snapshotId: event.snapshotId, seen: new Set() };
      this.#snapshots.set(event.instance, progress);
    }
    for (const record of event.members) {
      progress.seen.add(record.peerId);
      this.#upsert(record, event.instance);
    }
    for (const listing of event.rooms) this.#listing({ kind: 'listing', instance: event.instance, ...listing });
    if (!event.last) return;
    this.#snapshots.delete(event.instance);
    for (const member of [...this.members()]) {
      if (this.ownerOf(member) === event.instance && !progress.seen.has(member.peerId)) {
        this.#membership.depart(member, member.room, { fromCluster: true });
      }
    }
  }
}
