// A joined member's messages about its peers: the peers it is handed (peer
// assignment), its SDP/ICE relayed to them, its stats (what it is ranked by), and the
// pairs it gives up on (unlink).
import { choosePeers, scoreMember } from './peer-selection.js';
import { link, unlink } from './rooms.js';
import { ErrorCode } from './schema.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./client.js').Client} Client */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./rooms.js').Member} Member */
/** @typedef {import('./rooms.js').Room} Room */
/**
 * @template {import('./schema.js').ClientMessage['type']} T
 * @typedef {import('./schema.js').ClientMessageOf<T>} MessageOf
 */

/**
 * Chooses peers for `seeker` and records the links, so no pair is handed out twice
 * and each side's link cap holds.
 * @param {Member} seeker
 * @param {Room} room
 * @param {Limits} limits
 */
export function assignPeers(seeker, room, limits) {
  const chosen = choosePeers(seeker, room, limits);
  for (const peer of chosen) link(seeker, peer);
  return chosen.map((peer) => peer.ref);
}

/**
 * @param {Client} client
 * @param {MessageOf<'signal'>} message
 */
export function relaySignal(client, { to, data }) {
  const { member, room } = client.joined;
  const target = room.member(to);
  // Not a strike: the target may have left while this message was in flight.
  if (!target || target.away || target === member) return client.error(ErrorCode.unknownPeer, `no peer ${to} in this stream`);
  target.client.send({ type: 'signal', from: member.peerId, data });
}

/**
 * @param {Client} client
 * @param {MessageOf<'stats'>} message
 * @param {SwarmcastCore} core
 * @param {number} nowMs
 */
export function takeStats(client, { type, uploadKbps, ...stats }, core, nowMs) {
  const { member } = client.joined;
  if (uploadKbps !== undefined) member.uploadKbps = uploadKbps;
  Object.assign(member.stats, stats);
  scoreMember(core, member, nowMs);
}

/**
 * @param {Client} client
 * @param {Limits} limits
 */
export function answerPeersRequest(client, limits) {
  const { member, room } = client.joined;
  const peers = member.role === 'viewer' && room.live ? assignPeers(member, room, limits) : [];
  client.send({ type: 'peers', peers });
}

/**
 * @param {Client} client
 * @param {MessageOf<'unlink'>} message
 */
export function unlinkPeers(client, { peerIds }) {
  const { member, room } = client.joined;
  for (const peerId of peerIds) {
    const other = room.member(peerId);
    if (!other) continue;
    unlink(member, other);
    member.forget(peerId);
  }
}
