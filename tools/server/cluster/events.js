// What the instances of one cluster tell each other over Redis pub/sub, declared once
// with the same spec builders as the client protocol (schema.js), so every field of
// every event is checked before any of it touches a room: a garbage or foreign
// message on the channels is dropped with a log line, never applied.
import { clientMessages, peerId, resumeTokenSpec, specs, streamIdSpec, validate } from '../schema.js';

/** @typedef {import('../limits.js').Limits} Limits */
/**
 * @template S
 * @typedef {import('../schema.js').Infer<S>} Infer
 */

const { str, int, num, bool, oneOf, array, object, optional } = specs;

/** @type {import('../schema.js').StringSpec & { pattern: RegExp }} */
export const instanceIdSpec = { kind: 'string', minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_.:-]+$/ };

// The largest batch one event carries (stats entries, snapshot members).
export const MAX_BATCH = 1000;
const MAX_DOWN_LINKS = 10_000;

// A member's place in peer selection, from its owner's peer scorer (peer-selection.js
// scoreMember): a member is scored where its socket is, and only there.
const rank = { score: num(0, 100), tier: int(0, 2) };

// One member as the other instances replicate it. `resumeToken` crosses so that a
// peer may resume on any instance; the channels are the cluster's own.
const memberSpec = object({
  streamId: streamIdSpec,
  peerId,
  role: oneOf('broadcaster', 'viewer'),
  canUpload: bool(),
  uploadKbps: int(0, 10_000_000),
  joinedAtMs: num(0, 1e15),
  resumeToken: resumeTokenSpec,
  away: bool(),
  up: array(peerId, 64),
  down: array(peerId, MAX_DOWN_LINKS),
  stats: clientMessages.stats,
  ...rank,
});

const listingSpec = object({
  streamId: streamIdSpec,
  title: clientMessages.describe.fields.title,
  tags: clientMessages.describe.fields.tags,
});

const pair = { streamId: streamIdSpec, peerId };

/**
 * @template {Record<string, import('../schema.js').Spec>} F
 * @template {string} K
 * @param {K} kind
 * @param {F} fields
 */
const event = (kind, fields) => object({ kind: oneOf(kind), instance: instanceIdSpec, ...fields });

export const clusterEvents = {
  // A (re)connected instance asks every other for its snapshot.
  hello: event('hello', {}),
  // An instance closing on purpose: its members are away from now on.
  bye: event('bye', {}),
  joined: event('joined', { member: memberSpec }),
  linked: event('linked', { ...pair, peers: array(peerId, 64) }),
  unlinked: event('unlinked', { ...pair, peers: array(peerId, 64) }),
  left: event('left', { ...pair, replaced: bool() }),
  away: event('away', pair),
  // The member's socket is now on the sending instance (the same one or another).
  resumed: event('resumed', { ...pair, canUpload: bool(), uploadKbps: int(0, 10_000_000) }),
  // Members' latest reports, whole, to the instance holding their room's broadcaster
  // (on its own channel): its dashboard sums them.
  stats: event('stats', {
    entries: array(object({
      ...pair, uploadKbps: int(0, 10_000_000), stats: clientMessages.stats, ...rank,
    }), MAX_BATCH),
  }),
  // Members whose score or tier moved, to every instance: what their peer selection
  // ranks by. By room, in three arrays of one length (the nth peer's score and tier):
  // the most frequent event of a cluster, so no field names or stream id per member.
  ranks: event('ranks', {
    rooms: array(object({
      streamId: streamIdSpec, peerIds: array(peerId, MAX_BATCH), scores: array(rank.score, MAX_BATCH), tiers: array(rank.tier, MAX_BATCH),
    }), MAX_BATCH),
  }),
  listing: event('listing', listingSpec.fields),
  thumbnail: event('thumbnail', { streamId: streamIdSpec, jpeg: clientMessages.thumbnail.fields.jpeg }),
  // A signal for a member whose socket is on the receiving instance.
  signal: event('signal', {
    streamId: streamIdSpec, sender: peerId, to: peerId, data: clientMessages.signal.fields.data, atMs: num(0, 1e15),
    // Sent on by an instance that no longer holds the target (see replica.js #signal).
    forwarded: optional(bool()),
  }),
  // The sender's own members and the listings of its broadcasters' rooms, in parts;
  // after the `last` part, members the receiver holds for the sender but did not see
  // are gone.
  snapshot: event('snapshot', {
    snapshotId: str(32, 1), members: array(memberSpec, MAX_BATCH), rooms: array(listingSpec, MAX_BATCH), last: bool(),
  }),
};

/** @typedef {typeof clusterEvents} ClusterEventTable */
/** @typedef {{ [K in keyof ClusterEventTable]: Infer<ClusterEventTable[K]> }[keyof ClusterEventTable]} ClusterEvent */
/**
 * @template {ClusterEvent['kind']} K
 * @typedef {Extract<ClusterEvent, { kind: K }>} ClusterEventOf
 */
/** @typedef {Infer<typeof memberSpec>} MemberRecord */
/** @typedef {Infer<typeof listingSpec>} ListingRecord */

/** @typedef {{ ok: true, event: ClusterEvent } | { ok: false, reason: string }} Parsed */

/**
 * Parses and checks one event from a channel.
 * @param {string} text
 * @param {Limits} limits
 * @returns {Parsed}
 */
export function parseEvent(text, limits) {
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  return checkEvent(value, limits);
}

/**
 * Parses and checks one message from a channel: an event, or a batch of them (a JSON
 * array: the events one instance published in one turn, see redis-cluster.js). Each
 * event of a batch is checked on its own, and a bad one costs only itself.
 * @param {string} text
 * @param {Limits} limits
 * @returns {Parsed[]}
 */
export function parseEvents(text, limits) {
  if (!text.startsWith('[')) return [parseEvent(text, limits)];
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return [{ ok: false, reason: 'not JSON' }];
  }
  if (!Array.isArray(value) || value.length === 0) return [{ ok: false, reason: 'an empty batch' }];
  return value.map((one) => checkEvent(one, limits));
}

/**
 * @param {unknown} value
 * @param {Limits} limits
 * @returns {Parsed}
 */
function checkEvent(value, limits) {
  const kind = typeof value === 'object' && value !== null && 'kind' in value ? value.kind : undefined;
  if (typeof kind !== 'string' || !Object.hasOwn(clusterEvents, kind)) return { ok: false, reason: 'no known kind' };
  const reason = validate(value, clusterEvents[/** @type {keyof ClusterEventTable} */ (kind)], kind, limits);
  return reason ? { ok: false, reason } : { ok: true, event: /** @type {ClusterEvent} */ (value) };
}
