// Rooms and their members: one room per stream id, at most one broadcaster, any
// number of viewers up to the limit. Links are the server's record of which pairs it
// told to connect, with a direction: a member's `up` links are the peers it was
// handed (it offered to them), its `down` links the newcomers it was handed to. They
// count against the caps until either side leaves or unlinks.
export class Member {
  constructor({ peerId, role, client, canUpload, uploadKbps, joinedAtMs }) {
    this.peerId = peerId;
    this.role = role;
    this.client = client;
    this.canUpload = canUpload;
    this.uploadKbps = uploadKbps;
    this.joinedAtMs = joinedAtMs;
    this.up = new Set();     // peerIds
    this.down = new Set();   // peerIds
    // Peers it unlinked (the connection failed): not handed to it again. Insertion
    // ordered, so the oldest entry is dropped past the bound.
    this.unlinked = new Set();
    this.stats = {};
    this.room = null;         // the Room it is in (set on entering)
    this.resumeToken = null;  // set on entering; proves the peer id on a re-join
    this.away = null;         // while its socket is gone: the timer that ends its grace
    this.score = 0;       // scoreMember() sets score and tier
    this.tier = 0;
    // Hops from the broadcaster along assigned links, as assigned: a ranking hint,
    // not kept exact when links go away.
    this.hops = role === 'broadcaster' ? 0 : Infinity;
  }

  linkedTo(peerId) {
    return this.up.has(peerId) || this.down.has(peerId);
  }

  avoids(peerId) {
    return this.unlinked.has(peerId);
  }

  forget(peerId) {
    this.unlinked.add(peerId);
    if (this.unlinked.size > 64) this.unlinked.delete(this.unlinked.values().next().value);
  }

  get ref() {
    return { peerId: this.peerId, role: this.role };
  }
}

// A stream's title, tags and thumbnail, as its broadcaster last described it.
function emptyListing() {
  return { title: '', tags: [], thumbnail: null, thumbnailAtMs: -Infinity };
}

export class Room {
  constructor(streamId) {
    this.streamId = streamId;
    this.broadcaster = null;
    this.startedAt = null;     // ms since epoch when the broadcaster proved ownership
    this.viewers = new Map();  // peerId -> Member, in join order
    this.sentViewerCount = 0;
    this.sentViewerCountAtMs = -Infinity;
    this.viewerCountTimer = null;
    this.listing = emptyListing();  // what the live list shows of it (signaling.js)
  }

  get live() {
    return this.broadcaster !== null;
  }

  get size() {
    return this.viewers.size + (this.broadcaster ? 1 : 0);
  }

  member(peerId) {
    if (this.broadcaster?.peerId === peerId) return this.broadcaster;
    return this.viewers.get(peerId) ?? null;
  }

  * members() {
    if (this.broadcaster) yield this.broadcaster;
    yield* this.viewers.values();
  }

  add(member) {
    if (member.role === 'broadcaster') {
      this.broadcaster = member;
      this.startedAt = member.joinedAtMs;
    } else {
      this.viewers.set(member.peerId, member);
    }
  }

  // Removes `member` and its links; returns the members it was linked to.
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

// `seeker` was handed `peer`.
export function link(seeker, peer) {
  seeker.up.add(peer.peerId);
  peer.down.add(seeker.peerId);
  seeker.hops = Math.min(seeker.hops, peer.hops + 1);
}

export function unlink(a, b) {
  a.up.delete(b.peerId);
  a.down.delete(b.peerId);
  b.up.delete(a.peerId);
  b.down.delete(a.peerId);
}
