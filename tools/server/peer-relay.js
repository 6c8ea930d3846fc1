// A joined member's messages about its peers: the peers it is handed (peer
// assignment), its SDP/ICE relayed to them, its stats (what it is ranked by), and the
// pairs it gives up on (unlink).
import { RemoteClient } from './cluster/remote-client.js';
import { choosePeers, scoreMember } from './peer-selection.js';
import { link, unlink } from './rooms.js';
import { ErrorCode, clientMessages } from './schema.js';

/** @typedef {import('../../web/core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./client.js').Client} Client */
/** @typedef {import('./cluster/solo.js').Cluster} Cluster */
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
 * @param {Cluster} cluster told of the links
 */
export function assignPeers(seeker, room, limits, cluster) {
  const chosen = choosePeers(seeker, room, limits, (peer) => cluster.reaches(peer));
  for (const peer of chosen) link(seeker, peer);
  if (chosen.length > 0) cluster.linked(seeker, chosen);
  return chosen.map((peer) => peer.ref);
}

/**
 * Returns true when relayed to a socket of this instance (false when refused, or
 * forwarded to the target's instance).
 * @param {Client} client
 * @param {MessageOf<'signal'>} message
 * @returns {boolean}
 */
export function relaySignal(client, { to, data }) {
  const { member, room } = client.joined;
  const target = room.member(to);
  if (!target || target.away || target === member) {
    // Not a strike: the target may have left while this message was in flight.
    client.error(ErrorCode.unknownPeer, `no peer ${to} in this stream`);
    return false;
  }
  if (target.client instanceof RemoteClient) {
    // Its relay time is measured where it arrives (cluster/replica.js).
    target.client.forwardSignal({ streamId: room.streamId, sender: member.peerId, to, data });
    return false;
  }
  target.client.send({ type: 'signal', from: member.peerId, data });
  return true;
}

/**
 * @param {Client} client
 * @param {MessageOf<'stats'>} message
 * @param {SwarmcastCore} core
 * @param {number} nowMs
 * @param {Cluster} cluster
 */
export function takeStats(client, message, core, nowMs, cluster) {
  const { member } = client.joined;
  const { stats } = member;
  // Field by field, not through a copy without type and uploadKbps: every member
  // reports, up to 1,000 reports a second an instance.
  for (const key of STATS_FIELDS) {
    const value = message[key];
    if (value !== undefined) /** @type {Record<string, unknown>} */ (stats)[key] = value;
  }
  if (message.uploadKbps !== undefined) member.uploadKbps = message.uploadKbps;
  scoreMember(core, member, nowMs);
  cluster.statsChanged(member);
}

// What a stats message reports, but its upload (kept on the member itself).
const STATS_FIELDS = /** @type {readonly (keyof import('./rooms.js').ReportedStats)[]} */ (
  Object.keys(clientMessages.stats.fields).filter((key) => key !== 'uploadKbps'));

/**
 * @param {Client} client
 * @param {Limits} limits
 * @param {Cluster} cluster
 */
export function answerPeersRequest(client, limits, cluster) {
  const { member, room } = client.joined;
  const peers = member.role === 'viewer' && room.live ? assignPeers(member, room, limits, cluster) : [];
  client.send({ type: 'peers', peers });
}

/**
 * @param {Client} client
 * @param {MessageOf<'unlink'>} message
 * @param {Cluster} cluster
 */
export function unlinkPeers(client, { peerIds }, cluster) {
  const { member, room } = client.joined;
  for (const peerId of peerIds) {
    const other = room.member(peerId);
    if (!other) continue;
    unlink(member, other);
    member.forget(peerId);
  }
  cluster.unlinked(member, peerIds);
}
