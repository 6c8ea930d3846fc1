// Who a viewer should connect to: the server's side of peer selection. The rule itself
// (the broadcaster while it has room, then the best viewers nearest the source; see
// src/swarm/peer_selection.hpp) is C++ in the wasm core, the one the simulator runs
// natively, so the topology the product builds is the one that is simulated. Here the
// room's Member records are laid out for it and its answer mapped back to them.
//
// The two link caps are separate, and viewerLinks well above peersPerAnswer, on
// purpose: each layer of the swarm can only be (uploaders' viewerLinks /
// peersPerAnswer) times the one above; at or below 1 the swarm becomes a chain
// thousands of hops deep instead of ~log(n) layers (see limits.js).
import { CandidateFlag, CandidateTable, choosePeers as chooseInCore, scorePeer } from '../../web/core/index.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./rooms.js').Member} Member */
/** @typedef {import('./rooms.js').Room} Room */

/** @type {Readonly<Record<import('../../web/core/index.js').PeerRole, number>>} */
export const TIERS = Object.freeze({ 'super-seed': 2, relay: 1, leaf: 0 });

// The core choosePeers runs in: the one that scored the members. Every member is
// scored as it joins (membership.js), before it can seek peers or be chosen, so the
// callers of choosePeers need not carry the core, and any loaded core will do: the rule
// is a pure function.
/** @type {SwarmcastCore | null} */
let selectionCore = null;

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
  selectionCore = core;
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

/** @type {readonly import('../../web/core/index.js').CandidateRole[]} the role of each tier */
const ROLE_OF_TIER = ['leaf', 'relay', 'super-seed'];

// One table for every call: a call lays out one room and is done with it before the
// next begins, and a 10,000-viewer room then costs no allocation per join.
const candidates = new CandidateTable();

/**
 * Up to `want` members for `seeker` to connect to: the broadcaster while it has link
 * room, then the best viewers with link room, skipping peers it has or unlinked, peers
 * whose socket is gone (away: they could not answer an offer) and peers no signal can
 * reach from here (`reachable`: a member of another instance while Redis is lost). Those
 * are left out before choosing, not after: in a room spanning instances they would take
 * the places of the peers this instance does reach, and a newcomer got none.
 * @param {Member} seeker
 * @param {Room} room
 * @param {Limits} limits
 * @param {(member: Member) => boolean} [reachable]
 * @returns {Member[]}
 */
export function choosePeers(seeker, room, limits, reachable = () => true) {
  if (seeker.up.size >= limits.peersPerAnswer) return [];
  if (!selectionCore) throw new Error('choosePeers before scoreMember: no wasm core to choose with');
  candidates.clear();
  const broadcaster = room.broadcaster;
  if (broadcaster && broadcaster !== seeker && reachable(broadcaster)) {
    const { peerId, away, hops, score, down } = broadcaster;
    candidates.add(peerId, 'broadcaster', away ? CandidateFlag.away : 0, hops, score, down.size);
  }
  // Straight over the Map, not room.members(): a generator's step per member was most
  // of a join's time in a 10,000-viewer room.
  for (const viewer of room.viewers.values()) {
    if (viewer === seeker || !reachable(viewer)) continue;
    const flags = (viewer.canUpload ? CandidateFlag.canUpload : 0) | (viewer.away ? CandidateFlag.away : 0);
    candidates.add(viewer.peerId, ROLE_OF_TIER[viewer.tier] ?? 'leaf', flags, viewer.hops, viewer.score, viewer.down.size);
  }
  for (const peers of [seeker.up, seeker.down, seeker.unlinked]) for (const peerId of peers) candidates.skip(peerId);
  const chosen = chooseInCore(selectionCore, candidates, { seeker: seeker.peerId, upLinks: seeker.up.size, limits });
  return chosen.map((peerId) => room.member(peerId)).filter((member) => member !== null);
}
