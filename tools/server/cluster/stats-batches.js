// What the other instances hear of this instance's members' stats reports, batched
// every clusterStatsIntervalMs. A member is scored by its owner alone (the instance
// holding its socket); the others need only its score and tier, to rank it in their
// peer selection, and the instance of its room's broadcaster its reports whole, for the
// dashboard's sums. So a crowd's reports cost the other instances one small entry per
// change of rank, and whole entries only where a dashboard reads them.
import { MAX_BATCH } from './events.js';

// A rank is shared again once its score moved this far (of 100), or its tier changed.
// The score drifts with every report (its uptime share grows for minutes): sharing
// every drift made a ranks entry per member and second, applied by every instance,
// while peer selection on another instance ranks as well by a score a point off.
export const RANK_STEP = 1;

/** @typedef {import('../rooms.js').Member} Member */
/** @typedef {import('./replica.js').Replica} Replica */
/**
 * A room's members whose rank moved: the nth peer's score and tier.
 * @typedef {{ streamId: string, peerIds: number[], scores: number[], tiers: number[] }} RoomRanks
 */
/**
 * Publishes one event: the stats entries for an instance's own channel, or the ranks
 * for the one every instance reads.
 * @typedef {(batch: { to: string, entries: object[] } | { rooms: RoomRanks[] }) => void} PublishBatch
 */

export class StatsBatches {
  #instanceId;
  /** @type {Set<Member>} own members that reported since the last batch */
  #reported = new Set();
  /** @type {Map<string, string>} streamId -> the instance of its broadcaster, when another */
  #targets = new Map();
  /** @type {WeakMap<Member, { score: number, tier: number }>} each own member's rank as the others last heard it */
  #sharedRanks = new WeakMap();

  /** @param {string} instanceId this instance */
  constructor(instanceId) {
    this.#instanceId = instanceId;
  }

  /**
   * Its rank went out with the member itself (its 'joined' record).
   * @param {Member} member
   */
  announced(member) {
    this.#sharedRanks.set(member, { score: member.score, tier: member.tier });
  }

  /** @param {Member} member */
  reported(member) {
    this.#reported.add(member);
  }

  /** @param {Member} member */
  left(member) {
    this.#reported.delete(member);
  }

  /**
   * One batch: each member that reported goes whole to its broadcaster's instance, if
   * another, and as its rank to every instance when its tier changed or its score moved
   * by RANK_STEP since the others last heard it. A room
   * whose broadcaster is newly on another instance gets every own member of it whole.
   * @param {Replica} replica
   * @param {PublishBatch} publish
   */
  flush(replica, publish) {
    const whole = new Set(this.#reported);
    this.#reported.clear();
    /** @type {Map<string, string>} */
    const targets = new Map();
    for (const room of replica.rooms()) {
      const owner = room.broadcaster ? replica.ownerOf(room.broadcaster) : this.#instanceId;
      if (owner === this.#instanceId) continue;
      targets.set(room.streamId, owner);
      if (this.#targets.get(room.streamId) === owner) continue;
      for (const member of room.members()) if (replica.ownerOf(member) === this.#instanceId) whole.add(member);
    }
    this.#targets = targets;
    /** @type {Map<string, object[]>} instance -> its entries */
    const byTarget = new Map();
    /** @type {Map<string, RoomRanks>} */
    const ranks = new Map();
    for (const member of whole) {
      const { room, peerId, score, tier } = member;
      if (room.member(peerId) !== member) continue;
      const target = targets.get(room.streamId);
      if (target) {
        const entries = byTarget.get(target) ?? [];
        byTarget.set(target, entries);
        entries.push({ streamId: room.streamId, peerId, uploadKbps: member.uploadKbps, stats: member.stats, score, tier });
      }
      const shared = this.#sharedRanks.get(member);
      if (shared && shared.tier === tier && Math.abs(shared.score - score) < RANK_STEP) continue;
      this.#sharedRanks.set(member, { score, tier });
      const moved = ranks.get(room.streamId) ?? { streamId: room.streamId, peerIds: [], scores: [], tiers: [] };
      ranks.set(room.streamId, moved);
      moved.peerIds.push(peerId);
      moved.scores.push(score);
      moved.tiers.push(tier);
    }
    for (const [to, entries] of byTarget) {
      for (let at = 0; at < entries.length; at += MAX_BATCH) publish({ to, entries: entries.slice(at, at + MAX_BATCH) });
    }
    publishRanks([...ranks.values()], publish);
  }
}

/**
 * The rooms' ranks in events of at most MAX_BATCH members each (a room larger than
 * what is left of one is split across events).
 * @param {RoomRanks[]} rooms
 * @param {PublishBatch} publish
 */
function publishRanks(rooms, publish) {
  /** @type {RoomRanks[]} */
  let batch = [];
  let members = 0;
  for (const room of rooms) {
    for (let at = 0; at < room.peerIds.length;) {
      const take = Math.min(MAX_BATCH - members, room.peerIds.length - at);
      const part = (/** @type {number[]} */ list) => list.slice(at, at + take);
      batch.push({ streamId: room.streamId, peerIds: part(room.peerIds), scores: part(room.scores), tiers: part(room.tiers) });
      members += take;
      at += take;
      if (members === MAX_BATCH) {
        publish({ rooms: batch });
        batch = [];
        members = 0;
      }
    }
  }
  if (batch.length > 0) publish({ rooms: batch });
}
