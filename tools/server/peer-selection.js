// Who a viewer should connect to. Pure functions over plain member records
// ({ peerId, role, canUpload, up, down, score, tier, hops }; see rooms.js), so they
// can be tested and reasoned about without sockets.
//
// The broadcaster feeds the first viewers directly until it has been handed to
// `broadcasterLinks` of them; after that newcomers hang off the best viewers closest
// to the source (the hybrid tree-and-mesh of the brief). A viewer asks for up to
// `peersPerAnswer` peers and is handed to at most `viewerLinks` newcomers. The two
// caps are separate, and viewerLinks well above peersPerAnswer, on purpose: each
// layer of the swarm can only be (uploaders' viewerLinks / peersPerAnswer) times the
// one above; at or below 1 the swarm becomes a chain thousands of hops deep instead
// of ~log(n) layers (see limits.js).
import { scorePeer } from '../../web/core/index.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./rooms.js').Member} Member */
/** @typedef {import('./rooms.js').Room} Room */

/** @type {Readonly<Record<import('../../web/core/index.js').PeerRole, number>>} */
export const TIERS = Object.freeze({ 'super-seed': 2, relay: 1, leaf: 0 });

/**
 * The one place the wasm peer scorer plugs in: sets member.score (0-100) and
 * member.tier (its role: super-seed 2, relay 1, leaf 0). Inputs are what the member
 * reported about itself (stats message) and when it joined; requests its peers sent
 * it are the scorer's "requests sent". Before any stats arrive, the declared upload
 * stands in for the measured delivery rate.
 * @param {SwarmcastCore} core
 * @param {Member} member
 * @param {number} nowMs
 */
export function scoreMember(core, member, nowMs) {
  const stats = member.stats;
  const { score, role } = scorePeer(core, {
    connectedAt: member.joinedAtMs,
    nowMs,
    deliveryBytesPerS: stats.deliveryBytesPerS ?? member.uploadKbps * 125,
    rttMs: stats.rttMs ?? 0,
    requestsSent: stats.requestsReceived ?? 0,
    requestsServed: stats.requestsServed ?? 0,
    requestsFailed: stats.requestsFailed ?? 0,
    device: stats.device ?? {},
  });
  member.score = score;
  member.tier = TIERS[role] ?? 0;
}

/**
 * Best first: peers that can upload; then the fewer hops from the broadcaster, so the
 * swarm fills breadth-first and stays shallow; then the higher role (super-seeds
 * before relays before leaves);
 * then the higher score; then the fewer newcomers already handed it; then the older
 * peer (lower id), so the order is total and deterministic.
 * @param {Member} a
 * @param {Member} b
 * @returns {boolean}
 */
function better(a, b) {
  if (a.canUpload !== b.canUpload) return a.canUpload;
  if (a.hops !== b.hops) return a.hops < b.hops;
  if (a.tier !== b.tier) return a.tier > b.tier;
  if (a.score !== b.score) return a.score > b.score;
  if (a.down.size !== b.down.size) return a.down.size < b.down.size;
  return a.peerId < b.peerId;
}

/**
 * Up to `want` members for `seeker` to connect to: the broadcaster while it has link
 * room, then the best viewers with link room, skipping peers it has or unlinked and
 * peers whose socket is gone (away: they could not answer an offer). One pass
 * with a small insertion-sorted top list: O(viewers x want), not a full sort per join.
 * @param {Member} seeker
 * @param {Room} room
 * @param {Limits} limits
 * @returns {Member[]}
 */
export function choosePeers(seeker, room, limits) {
  const want = limits.peersPerAnswer - seeker.up.size;
  if (want <= 0) return [];
  const chosen = [];
  const broadcaster = room.broadcaster;
  if (broadcaster && !broadcaster.away && !seeker.linkedTo(broadcaster.peerId) && !seeker.avoids(broadcaster.peerId)
    && broadcaster.down.size < limits.broadcasterLinks) {
    chosen.push(broadcaster);
  }
  const slots = want - chosen.length;
  return slots > 0 ? chosen.concat(bestViewers(seeker, room, slots, limits.viewerLinks)) : chosen;
}

/**
 * @param {Member} seeker
 * @param {Room} room
 * @param {number} slots
 * @param {number} viewerLinks
 * @returns {Member[]}
 */
function bestViewers(seeker, room, slots, viewerLinks) {
  /** @type {Member[]} */
  const top = [];
  for (const viewer of room.viewers.values()) {
    if (viewer === seeker || viewer.away || seeker.linkedTo(viewer.peerId) || seeker.avoids(viewer.peerId)) continue;
    if (viewer.down.size >= viewerLinks) continue;
    if (top.length === slots && !better(viewer, top[slots - 1])) continue;
    let at = top.length;
    while (at > 0 && better(viewer, top[at - 1])) at--;
    top.splice(at, 0, viewer);
    if (top.length > slots) top.pop();
  }
  return top;
}
