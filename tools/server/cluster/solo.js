// The cluster interface the signaling code calls at each change another instance would
// need to see, and its one-process implementation: nothing to tell anyone. With Redis
// (redis-cluster.js) the same calls publish events and other instances' events feed
// this instance's rooms. The rest of the server does not know which one it runs on.

/** @typedef {import('../rooms.js').Member} Member */
/** @typedef {import('../rooms.js').Room} Room */
/** @typedef {import('../membership.js').Membership} Membership */

/**
 * What a server reports of its place in a cluster: 'off' without Redis; otherwise
 * whether Redis answers now, and how many instances (itself included) it sees live.
 * @typedef {object} ClusterStatus
 * @property {'off' | 'up' | 'down'} redis
 * @property {number} instances
 * @property {string} instanceId
 */

/**
 * @typedef {object} Cluster
 * @property {string} instanceId
 * @property {() => number} nextPeerId a peer id never handed out before, cluster-wide
 * @property {(membership: Membership, signalRelayed: (ms: number) => void) => void} attach
 *   starts feeding the other instances' changes into membership's rooms; signalRelayed is
 *   told how long each signal from another instance took, from its sender's instance
 * @property {(member: Member) => void} joined
 * @property {(seeker: Member, peers: Member[]) => void} linked
 * @property {(member: Member, peerIds: number[]) => void} unlinked
 * @property {(member: Member, replaced: boolean) => void} left
 * @property {(member: Member) => void} away its socket is gone; its grace runs
 * @property {(member: Member) => void} resumed it has a socket on this instance again
 * @property {(member: Member) => void} statsChanged
 * @property {(room: Room) => void} described
 * @property {(room: Room) => void} thumbnailed
 * @property {() => string[] | undefined} signalingUrls the live instances' signaling URLs,
 *   this one first; undefined on one instance
 * @property {(member: Member) => boolean} reaches whether a signal can get to it now (not
 *   to another instance's member while Redis is away)
 * @property {() => void} listening the server listens: its public URL is known now
 * @property {() => ClusterStatus} status
 * @property {() => Promise<void>} close
 */

/** @implements {Cluster} */
export class SoloCluster {
  #nextPeerId = 1; // never reused: a late signal cannot reach a newcomer
  #instanceId;

  /** @param {() => string} instanceId its name, which may be known only once it listens */
  constructor(instanceId) {
    this.#instanceId = instanceId;
  }

  get instanceId() {
    return this.#instanceId();
  }

  nextPeerId() {
    return this.#nextPeerId++;
  }

  attach() {}
  joined() {}
  linked() {}
  unlinked() {}
  left() {}
  away() {}
  resumed() {}
  statsChanged() {}
  described() {}
  thumbnailed() {}
  listening() {}

  signalingUrls() {
    return undefined;
  }

  reaches() {
    return true;
  }

  /** @returns {ClusterStatus} */
  status() {
    return { redis: 'off', instances: 1, instanceId: this.instanceId };
  }

  async close() {}
}
