// Several instances sharing their rooms through Redis (docs/SIGNALING.md, "Several
// instances"). Each instance publishes its changes as small events on one channel all
// instances read, and signals for a peer on another instance on that instance's own
// channel; it keeps a liveness key with a TTL, and departs (after the reconnect grace)
// the members of an instance whose key expired. A new instance, or one whose Redis
// came back, says hello and gets every other's snapshot. Redis lost: the instance goes
// on serving the peers it holds and says so in status(); it never throws for it.
import { randomBytes } from 'node:crypto';
import { TokenBucket } from '../limits.js';
import { parseEvents } from './events.js';
import { Outbox } from './outbox.js';
import { PeerIdBlocks, TAKE_BLOCK_SCRIPT } from './peer-ids.js';
import { RemoteClient } from './remote-client.js';
import { Replica } from './replica.js';
import { StatsBatches } from './stats-batches.js';

/** @typedef {import('ioredis').Redis} Redis */
/** @typedef {import('../limits.js').Limits} Limits */
/** @typedef {import('../rooms.js').Member} Member */
/** @typedef {import('../rooms.js').Room} Room */
/** @typedef {import('./solo.js').ClusterStatus} ClusterStatus */
/** @typedef {import('./events.js').ClusterEvent} ClusterEvent */

const PREFIX = 'swarmcast';
const ALL = `${PREFIX}:all`;
const INSTANCES = `${PREFIX}:instances`;
const ID_BLOCKS = `${PREFIX}:peer-id-blocks`;
const channelOf = (/** @type {string} */ instance) => `${PREFIX}:to:${instance}`;
const keyOf = (/** @type {string} */ instance) => `${PREFIX}:instance:${instance}`;
// Larger messages on the channels are not ours.
const MAX_EVENT_CHARS = 8 * 1024 * 1024;
const CONNECT_WAIT_MS = 2_000;

/**
 * @typedef {object} RedisClusterOptions
 * @property {string} url redis:// or rediss://
 * @property {string} instanceId
 * @property {() => string | null} publicUrl this instance's signaling URL for clients
 * @property {Limits} limits
 * @property {() => number} [now]
 */

/**
 * Connects (waiting a moment for Redis; it need not be up) and resolves with the
 * cluster, ready for Signaling to attach.
 * @param {RedisClusterOptions} options
 * @returns {Promise<RedisCluster>}
 */
export async function openRedisCluster(options) {
  // Only a server run with Redis pays for loading its client.
  const { Redis } = await import('ioredis');
  /** @type {import('ioredis').RedisOptions} */
  const settings = {
    lazyConnect: true,
    // Commands fail at once while Redis is away instead of piling up; the snapshots
    // exchanged when it is back repair whatever was not said meanwhile.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResubscribe: false,
    // The events published in one turn of the event loop (a join's, a storm's signals)
    // go to Redis in one write rather than a system call each.
    enableAutoPipelining: true,
    connectTimeout: CONNECT_WAIT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  };
  const cluster = new RedisCluster(options, new Redis(options.url, settings), new Redis(options.url, settings));
  await cluster.connect();
  return cluster;
}

/** @typedef {import('./solo.js').Cluster} Cluster */

/** @implements {Cluster} */
export class RedisCluster {
  #options;
  #pub;
  #sub;
  #now;
  /** @type {Replica | null} */
  #replica = null;
  /** @type {'up' | 'down'} */
  #redis = 'down';
  #closed = false;
  #settleUntilMs = 0;
  #ticking = false;
  #keySet = false;  // its liveness key has been set once since Redis came up
  /** @type {Map<string, string>} live instance id -> its signaling URL ('' if unknown) */
  #live = new Map();
  /** @type {Map<string, number>} instance id -> when an event of it last arrived */
  #heardAtMs = new Map();
  /** @type {Map<string, RemoteClient>} */
  #remoteClients = new Map();
  #stats;
  #ids = new PeerIdBlocks((atLeast) => this.#pub.eval(TAKE_BLOCK_SCRIPT, 1, ID_BLOCKS, atLeast).then(Number));
  #garbageLog;
  #outbox = new Outbox(ALL, (channel, message) => {
    if (this.#redis === 'up') this.#pub.publish(channel, message).catch(() => {});
  });
  #whenUp = () => {};
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #refresh;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #statsFlush;

  /**
   * @param {RedisClusterOptions} options
   * @param {Redis} pub commands and publishing
   * @param {Redis} sub subscribed to the channels
   */
  constructor(options, pub, sub) {
    this.#options = options;
    this.instanceId = options.instanceId;
    this.#stats = new StatsBatches(options.instanceId);
    this.#pub = pub;
    this.#sub = sub;
    this.#now = options.now ?? Date.now;
    this.#garbageLog = new TokenBucket(1, 10, this.#now());
    for (const connection of [pub, sub]) {
      // ioredis reports every failed attempt as an 'error': the status says it once.
      connection.on('error', () => {});
      connection.on('ready', () => this.#connectionReady());
      connection.on('close', () => this.#setRedis('down'));
    }
    sub.on('message', (/** @type {string} */ channel, /** @type {string} */ text) => this.#receive(text));
  }

  // Waits up to a moment for Redis; an instance started while Redis is down serves its
  // own peers and joins the others when it comes.
  async connect() {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const waited = new Promise((resolve) => {
      this.#whenUp = () => resolve(undefined);
      timer = setTimeout(resolve, CONNECT_WAIT_MS);
    });
    for (const connection of [this.#pub, this.#sub]) connection.connect().catch(() => {});
    await waited;
    clearTimeout(timer);
    if (this.#redis === 'down') {
      console.warn(`cluster: Redis at ${redactedUrl(this.#options.url)} does not answer; serving this instance's peers alone until it does`);
    }
    // The live instances are known before this one takes a peer, so its first
    // welcomes already list where to go if it fails.
    await this.#tick();
    const { limits } = this.#options;
    this.#refresh = setInterval(() => this.#tick(), limits.instanceRefreshMs);
    this.#statsFlush = setInterval(() => this.#flushStats(), limits.clusterStatsIntervalMs);
  }

  /**
   * @param {import('../membership.js').Membership} membership
   * @param {(ms: number) => void} signalRelayed
   */
  attach(membership, signalRelayed) {
    this.#replica = new Replica({
      membership, limits: this.#options.limits, now: this.#now, instanceId: this.instanceId,
      remoteClient: (owner) => this.#remoteClient(owner), signalRelayed,
    });
    if (this.#redis === 'up') this.#greet();
  }

  nextPeerId() {
    return this.#ids.next(() => this.#knownPeerIds());
  }

  /** @param {Member} member */
  joined(member) {
    if (!this.#replica) return;
    this.#stats.announced(member);
    this.#publish(ALL, { kind: 'joined', member: this.#replica.record(member) });
  }

  /**
   * @param {Member} seeker
   * @param {Member[]} peers
   */
  linked(seeker, peers) {
    this.#publish(ALL, { kind: 'linked', streamId: seeker.room.streamId, peerId: seeker.peerId, peers: peers.map((peer) => peer.peerId) });
  }

  /**
   * @param {Member} member
   * @param {number[]} peerIds
   */
  unlinked(member, peerIds) {
    this.#publish(ALL, { kind: 'unlinked', streamId: member.room.streamId, peerId: member.peerId, peers: peerIds });
  }

  /**
   * @param {Member} member
   * @param {boolean} replaced
   */
  left(member, replaced) {
    this.#stats.left(member);
    this.#publish(ALL, { kind: 'left', streamId: member.room.streamId, peerId: member.peerId, replaced });
  }

  /** @param {Member} member */
  away(member) {
    this.#publish(ALL, { kind: 'away', streamId: member.room.streamId, peerId: member.peerId });
  }

  /** @param {Member} member */
  resumed(member) {
    this.#publish(ALL, {
      kind: 'resumed', streamId: member.room.streamId, peerId: member.peerId, canUpload: member.canUpload, uploadKbps: member.uploadKbps,
    });
  }

  /** @param {Member} member */
  statsChanged(member) {
    this.#stats.reported(member);
  }

  /** @param {Room} room */
  described(room) {
    this.#publish(ALL, { kind: 'listing', streamId: room.streamId, title: room.listing.title, tags: room.listing.tags });
  }

  /** @param {Room} room */
  thumbnailed(room) {
    const jpeg = room.listing.thumbnail;
    if (jpeg) this.#publish(ALL, { kind: 'thumbnail', streamId: room.streamId, jpeg: jpeg.toString('base64url') });
  }

  // Its liveness key carries its URL from now on, not at the next refresh, so the
  // others' welcomes list it as soon as it can take peers.
  listening() {
    void this.#tick();
  }

  /** @returns {string[] | undefined} */
  signalingUrls() {
    const own = this.#options.publicUrl();
    const others = [...this.#live].filter(([id, url]) => id !== this.instanceId && url && url !== own)
      .sort(([a], [b]) => (a < b ? -1 : 1)).map(([, url]) => url);
    return own ? [own, ...others].slice(0, 32) : undefined;
  }

  /** @param {Member} member */
  reaches(member) {
    return this.#redis === 'up' || !(member.client instanceof RemoteClient);
  }

  /** @returns {ClusterStatus} */
  status() {
    const others = [...this.#live.keys()].filter((id) => id !== this.instanceId).length;
    return { redis: this.#redis, instances: 1 + others, instanceId: this.instanceId };
  }

  // Says goodbye (the others mark this instance's members away at once, rather than
  // after the TTL) and lets go of Redis.
  async close() {
    if (this.#closed) return;
    clearInterval(this.#refresh);
    clearInterval(this.#statsFlush);
    if (this.#redis === 'up') {
      this.#flushStats();
      this.#publish(ALL, { kind: 'bye' });
      this.#outbox.flush();
      await Promise.allSettled([this.#pub.del(keyOf(this.instanceId)), this.#pub.srem(INSTANCES, this.instanceId)]);
    }
    this.#closed = true;
    this.#pub.disconnect();
    this.#sub.disconnect();
  }

  /** @param {string} owner */
  #remoteClient(owner) {
    let client = this.#remoteClients.get(owner);
    if (!client) {
      client = new RemoteClient(owner, (to, signal) => this.#publish(channelOf(to), { kind: 'signal', ...signal, atMs: this.#now() }));
      this.#remoteClients.set(owner, client);
    }
    return client;
  }

  async #connectionReady() {
    if (this.#closed || this.#pub.status !== 'ready' || this.#sub.status !== 'ready' || this.#redis === 'up') return;
    try {
      await this.#sub.subscribe(ALL, channelOf(this.instanceId));
    } catch {
      return; // lost again already; the next 'ready' tries again
    }
    this.#setRedis('up');
    // Instances' keys may have expired while Redis was away: nobody is judged dead
    // before every live instance has had the time to refresh its own.
    this.#settleUntilMs = this.#now() + this.#options.limits.instanceTtlMs + this.#options.limits.instanceRefreshMs;
    this.#keySet = false;  // it greets below in any case
    await this.#tick();
    if (this.#replica) this.#greet();
    await this.#ids.refill(this.#knownPeerIds());
    this.#whenUp();
  }

  // Asks for everyone's members and tells everyone its own.
  #greet() {
    this.#publish(ALL, { kind: 'hello' });
    this.#sendSnapshot(ALL);
  }

  /** @param {'up' | 'down'} state */
  #setRedis(state) {
    if (this.#closed || state === this.#redis) return;
    this.#redis = state;
    if (state === 'up') console.log(`cluster: Redis at ${redactedUrl(this.#options.url)} is up; instance ${this.instanceId} shares its rooms`);
    else console.warn(`cluster: Redis at ${redactedUrl(this.#options.url)} is lost; instance ${this.instanceId} serves the peers it holds until it is back`);
  }

  /** @returns {Generator<number>} */
  * #knownPeerIds() {
    for (const member of this.#replica?.members() ?? []) yield member.peerId;
  }

  /**
   * Queues an event for the end of this turn of the event loop (outbox.js).
   * @param {string} channel
   * @param {{ kind: ClusterEvent['kind'], [field: string]: unknown }} event
   */
  #publish(channel, event) {
    if (this.#closed || this.#redis !== 'up') return;
    this.#outbox.add(channel, JSON.stringify({ ...event, instance: this.instanceId }));
  }

  /** @param {string} channel */
  #sendSnapshot(channel) {
    if (!this.#replica) return;
    const { parts, thumbnails } = this.#replica.ownState();
    const snapshotId = randomBytes(8).toString('hex');
    parts.forEach((part, at) => this.#publish(channel, { kind: 'snapshot', snapshotId, ...part, last: at === parts.length - 1 }));
    for (const room of thumbnails) this.thumbnailed(room);
  }

  #flushStats() {
    if (!this.#replica) return;
    this.#stats.flush(this.#replica, (batch) => {
      if ('to' in batch) this.#publish(channelOf(batch.to), { kind: 'stats', entries: batch.entries });
      else this.#publish(ALL, { kind: 'ranks', rooms: batch.rooms });
    });
  }

  /** @param {string} text one event, or a batch of them */
  #receive(text) {
    if (!this.#replica || this.#closed) return;
    const parsed = text.length > MAX_EVENT_CHARS ? [{ ok: /** @type {const} */ (false), reason: 'too large' }] : parseEvents(text, this.#options.limits);
    for (const one of parsed) {
      if (one.ok) this.#apply(one.event);
      else if (this.#garbageLog.take(this.#now())) console.warn(`cluster: ignored a message on the channels (${one.reason}): ${text.slice(0, 120)}`);
    }
  }

  /** @param {ClusterEvent} event */
  #apply(event) {
    if (!this.#replica || event.instance === this.instanceId) return;
    if (event.kind === 'bye') this.#heardAtMs.delete(event.instance);
    else this.#heardAtMs.set(event.instance, this.#now());
    try {
      if (event.kind === 'hello') this.#sendSnapshot(channelOf(event.instance));
      else this.#replica.apply(event);
    } catch (error) {
      console.error(`cluster: could not apply a '${event.kind}' from ${event.instance}`, error);
    }
  }

  // Refreshes this instance's liveness key and finds the instances whose key expired.
  async #tick() {
    if (this.#ticking || this.#closed || this.#redis !== 'up') return;
    this.#ticking = true;
    try {
      const { limits } = this.#options;
      const replies = await this.#pub.multi()
        .set(keyOf(this.instanceId), this.#options.publicUrl() ?? '', 'PX', limits.instanceTtlMs, 'GET')
        .sadd(INSTANCES, this.instanceId)
        .exec();
      // Its own key had expired although it kept running (its event loop stalled past
      // the TTL, or Redis lost the key). Whoever judged it dead meanwhile said hello to
      // it (below), and its answer, a snapshot, brings its members back there; the
      // others kept them and hear nothing more (a snapshot to all at each lapse drowned
      // the starved instances of the load bench).
      const previous = replies?.[0]?.[1];
      if (this.#keySet && previous === null) {
        console.warn(`cluster: instance ${this.instanceId}'s liveness key had expired; it answers whoever judged it gone with its members`);
      }
      this.#keySet = true;
      const owners = this.#replica?.owners() ?? [];
      const known = [...new Set([...await this.#pub.smembers(INSTANCES), ...this.#live.keys(), ...owners])]
        .filter((id) => id && id !== this.instanceId);
      const urls = known.length ? await this.#pub.mget(known.map(keyOf)) : [];
      const nowMs = this.#now();
      const settling = nowMs < this.#settleUntilMs;
      // An instance whose key lapsed while its events still arrive is starved, not
      // dead: its refresh waits behind its own backlog.
      const heard = (/** @type {string} */ id) => nowMs - (this.#heardAtMs.get(id) ?? -Infinity) < limits.instanceTtlMs;
      /** @type {Map<string, string>} */
      const live = new Map([[this.instanceId, this.#options.publicUrl() ?? '']]);
      /** @type {string[]} */
      const dead = [];
      known.forEach((id, at) => {
        const url = urls[at];
        if (url !== null && url !== undefined) live.set(id, url);
        else if (settling || heard(id)) live.set(id, this.#live.get(id) ?? '');
        else dead.push(id);
      });
      const wasLive = this.#live;
      this.#live = live;
      for (const id of dead) {
        this.#heardAtMs.delete(id);
        this.#replica?.instanceGone(id);
        await this.#pub.srem(INSTANCES, id);
        // Its members stay known until their grace ends: it is judged again at each tick.
        if (!wasLive.has(id)) continue;
        console.warn(`cluster: instance ${id} is gone (its liveness key expired); its members may resume elsewhere within the reconnect grace`);
        // If it is only starved, its answer (its snapshot) brings its members back here.
        this.#publish(channelOf(id), { kind: 'hello' });
      }
    } catch {
      // Redis went away mid-way: the 'close' event says so; the next tick retries.
    } finally {
      this.#ticking = false;
    }
  }
}

/**
 * The URL without its password, for the log.
 * @param {string} url
 */
function redactedUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}
