// The signaling protocol, declared once: every message in both directions, the error
// codes and the close codes. The server validates each client message against
// `clientMessages` before acting on it; the tests check each server message against
// `serverMessages`; docs/SIGNALING.md describes the same tables. The same tables give
// the messages their types (Infer), so the declarations cannot drift from the checks.

/** @typedef {import('./limits.js').Limits} Limits */

/** @typedef {{ kind: 'string', minLength: number, maxLength: number, pattern?: RegExp, optional?: boolean }} StringSpec */
/** @typedef {{ kind: 'integer' | 'number', min: number, max: number, optional?: boolean }} NumberSpec */
/** @typedef {{ kind: 'boolean', optional?: boolean }} BooleanSpec */
/** @typedef {{ kind: 'enum', values: readonly string[], optional?: boolean }} EnumSpec */
/** @typedef {{ kind: 'array', items: Spec, maxItems: number, optional?: boolean }} ArraySpec */
/** @typedef {{ kind: 'object', fields: Record<string, Spec>, requireOneOf?: readonly string[], optional?: boolean }} ObjectSpec */
/**
 * Opaque JSON relayed as is, at most as many bytes as the named limit.
 * @typedef {{ kind: 'json', maxBytesLimit: keyof Limits, optional?: boolean }} JsonSpec
 */
/**
 * One declared field: what check() accepts.
 * @typedef {StringSpec | NumberSpec | BooleanSpec | EnumSpec | ArraySpec | ObjectSpec | JsonSpec} Spec
 */

/**
 * The values a spec admits.
 * @template S
 * @typedef {S extends { kind: 'string' } ? string
 *   : S extends { kind: 'integer' | 'number' } ? number
 *   : S extends { kind: 'boolean' } ? boolean
 *   : S extends { kind: 'enum', values: readonly (infer V)[] } ? V
 *   : S extends { kind: 'array', items: infer I } ? Infer<I>[]
 *   : S extends { kind: 'object', fields: infer F } ? InferFields<F>
 *   : unknown} Infer
 */
/**
 * An object's fields: the optional ones may be absent.
 * @template F
 * @typedef {{ [K in keyof F as F[K] extends { optional: true } ? never : K]: Infer<F[K]> }
 *   & { [K in keyof F as F[K] extends { optional: true } ? K : never]?: Infer<F[K]> }} InferFields
 */
/**
 * Every message of a table, told apart by `type`.
 * @template {Record<string, ObjectSpec>} Table
 * @typedef {{ [T in keyof Table & string]: { type: T } & Infer<Table[T]> }[keyof Table & string]} MessageOf
 */

/**
 * A canonical unpadded base64url encoding of `bytes` bytes: the unused low bits of the
 * last character are zero, so each value has one spelling (see docs/PROTOCOL.md).
 * @param {number} bytes
 * @returns {StringSpec & { pattern: RegExp }}
 */
function base64urlOf(bytes) {
  const chars = Math.ceil((bytes * 8) / 6);
  const spareBits = chars * 6 - bytes * 8;
  const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    .split('').filter((_, value) => value % (1 << spareBits) === 0).join('').replace('-', '\\-');
  return { kind: 'string', minLength: chars, maxLength: chars, pattern: new RegExp(`^[A-Za-z0-9_-]{${chars - 1}}[${last}]$`) };
}

/** @type {(maxLength: number, minLength?: number) => StringSpec} */
const str = (maxLength, minLength = 0) => ({ kind: 'string', minLength, maxLength });
/** @type {(min: number, max: number) => NumberSpec} */
const int = (min, max) => ({ kind: 'integer', min, max });
/** @type {(min: number, max: number) => NumberSpec} */
const num = (min, max) => ({ kind: 'number', min, max });
/** @type {() => BooleanSpec} */
const bool = () => ({ kind: 'boolean' });
/** @type {<const V extends string>(...values: V[]) => { kind: 'enum', values: readonly V[] }} */
const oneOf = (...values) => ({ kind: 'enum', values });
/** @type {<I extends Spec>(items: I, maxItems: number) => { kind: 'array', items: I, maxItems: number }} */
const array = (items, maxItems) => ({ kind: 'array', items, maxItems });
/**
 * @type {<F extends Record<string, Spec>>(fields: F, options?: { requireOneOf?: (keyof F & string)[] })
 *   => { kind: 'object', fields: F, requireOneOf?: (keyof F & string)[] }}
 */
const object = (fields, { requireOneOf } = {}) => ({ kind: 'object', fields, requireOneOf });
/**
 * Opaque JSON relayed as is, bounded by the named limit (see limits.js).
 * @type {(maxBytesLimit: keyof Limits) => JsonSpec}
 */
const json = (maxBytesLimit) => ({ kind: 'json', maxBytesLimit });
/** @type {<S extends Spec>(spec: S) => S & { optional: true }} */
const optional = (spec) => ({ ...spec, optional: true });

// The builders, for the other tables declared with them (cluster/events.js).
export const specs = Object.freeze({ base64urlOf, str, int, num, bool, oneOf, array, object, json, optional });

export const streamIdSpec = base64urlOf(32);   // Ed25519 public key
export const resumeTokenSpec = base64urlOf(16);
export const peerId = int(1, Number.MAX_SAFE_INTEGER);
const peerRef = object({ peerId, role: oneOf('broadcaster', 'viewer') });
const count = int(0, 1_000_000);
const bytesPerS = num(0, 1e11);
const uint32 = int(0, 0xffffffff);
const renditionId = int(0, 7);      // trust::kMaxRenditions ids
// How often a client should send its stats (ms), in welcome and pong.
export const statsIntervalSpec = int(1000, 3_600_000);
const RENDITIONS = 8;
/** @type {StringSpec} */
const tag = { kind: 'string', minLength: 1, maxLength: 24, pattern: /^[a-z0-9][a-z0-9-]*$/ };

export const clientMessages = {
  join: object({
    role: oneOf('broadcaster', 'viewer'),
    streamId: streamIdSpec,
    canUpload: optional(bool()),
    uploadKbps: optional(int(0, 10_000_000)),
    // From a previous welcome: take back that peer id (and its links) if the server
    // still holds it (see reconnectGraceMs); otherwise a fresh join.
    resume: optional(object({ peerId, token: resumeTokenSpec })),
  }),
  prove: object({ signature: base64urlOf(64) }),
  // `data` is an RTCSessionDescription or an RTCIceCandidate (null ends candidates).
  signal: object({
    to: peerId,
    data: object({ sdp: optional(json('maxSignalBytes')), candidate: optional(json('maxSignalBytes')) },
      { requireOneOf: ['sdp', 'candidate'] }),
  }),
  // Self-reported, all optional: the client's own upload as it measures it. The
  // server ranks peers with these (peer-selection.js); nothing else trusts them.
  stats: object({
    uploadKbps: optional(int(0, 10_000_000)),
    deliveryBytesPerS: optional(bytesPerS),   // verified bytes/s it delivers to its peers
    sharePeers: optional(count),              // peers it is uploading to
    links: optional(count),                   // peer links it has open...
    relayedLinks: optional(count),            // ...of which through a TURN relay
    bans: optional(uint32),                   // peers it banned for bad data, since it started
    rttMs: optional(num(0, 600_000)),         // mean RTT to its peers
    requestsReceived: optional(uint32),       // pieces its peers asked of it...
    requestsServed: optional(uint32),         // ...sent...
    requestsFailed: optional(uint32),         // ...or refused and dropped
    // A viewer's playback since its first frame: the broadcaster's view of the stream's
    // health ('swarm' summary).
    playback: optional(object({
      watchedMs: num(0, 1e10),
      stalledMs: num(0, 1e10),
      stalls: count,
      latencyMs: optional(num(0, 600_000)),  // glass to glass, now
    })),
    // A viewer's quality level since its first frame: the rendition it plays now, its
    // switches of rendition, and the media played on each (ms, indexed by rendition id).
    rendition: optional(object({
      current: renditionId,
      switchesUp: uint32,
      switchesDown: uint32,
      msOn: array(num(0, 1e10), RENDITIONS),
    })),
    device: optional(object({
      metered: optional(bool()),
      batteryLow: optional(bool()),
      hidden: optional(bool()),
      uploadBudgetBytesPerS: optional(uint32), // 0: no declared limit
    })),
  }),
  // The broadcaster's words for its stream on the live list (GET /api/streams).
  describe: object({ title: str(80), tags: array(tag, 5) }),
  // The broadcaster's picture of its stream for the live list: a JPEG of at most
  // thumbnailMaxBytes, canonical unpadded base64url, at most one per thumbnailIntervalMs.
  thumbnail: object({ jpeg: /** @type {StringSpec} */ ({ kind: 'string', minLength: 4, maxLength: 56_000, pattern: /^[A-Za-z0-9_-]+$/ }) }),
  'peers-request': object({}),
  // Assigned links the client no longer has: their slots go back to both sides.
  unlink: object({ peerIds: array(peerId, 64) }),
  leave: object({}),
  ping: object({}),
};

export const serverMessages = {
  challenge: object({ nonce: base64urlOf(32) }),
  welcome: object({
    peerId,
    role: oneOf('broadcaster', 'viewer'),
    peers: array(peerRef, 64),
    iceServers: array(json('maxMessageBytes'), 16),
    resumeToken: resumeTokenSpec,   // secret: proves this peer id on a re-join
    resumed: bool(),                // true: the same peer id as before, links kept
    origin: bool(),                 // the server runs the HTTP origin (docs/SIGNALING.md)
    statsIntervalMs: statsIntervalSpec, // send 'stats' this often; 'pong' updates it
    // With Redis: the live instances' signaling URLs, this one first (a client's
    // failover list). Absent on a single instance.
    signalingUrls: optional(array(str(500, 1), 32)),
  }),
  state: object({ state: oneOf('waiting', 'live', 'ended') }),
  peers: object({ peers: array(peerRef, 64) }),
  signal: object({ from: peerId, data: json('maxSignalBytes') }),
  'peer-left': object({ peerId }),
  viewers: object({ count }),
  // To each viewer as it joins a live stream, and whenever the broadcaster describes it.
  listing: object({ title: str(80), tags: array(tag, 5) }),
  // To the broadcaster every swarmSummaryIntervalMs (tools/server/swarm-summary.js).
  swarm: object({
    viewers: count,
    carriedBytesPerS: num(0, 1e15),  // the sum of what the viewers report they deliver
    roles: object({ superSeed: count, relay: count, leaf: count }),
    layers: array(count, 16),        // viewers by hops from the broadcaster; the last: that deep or deeper
    unplaced: count,                 // viewers not yet handed any peer
    limited: object({ cannotUpload: count, metered: count, batteryLow: count, hidden: count }),
    // The open links the members report, and how many of them go through a TURN relay.
    links: object({ open: count, relayed: count }),
    // Over the viewers that reported their playback: totals since each one's first
    // frame, and their latency now (absent when none reported one).
    health: object({
      reporting: count,
      watchedMs: num(0, 1e15),
      stalledMs: num(0, 1e15),
      stalls: int(0, Number.MAX_SAFE_INTEGER),
      latencyP50Ms: optional(num(0, 600_000)),
      latencyMaxMs: optional(num(0, 600_000)),
    }),
    // Over the viewers that reported their rendition: per rendition id (ascending, those
    // played now or before), how many play it now and the media played on it; and
    // their switches of rendition, totals since each one's first frame.
    renditions: object({
      reporting: count,
      byId: array(object({ id: renditionId, viewers: count, playedMs: num(0, 1e15) }), RENDITIONS),
      switchesUp: int(0, Number.MAX_SAFE_INTEGER),
      switchesDown: int(0, Number.MAX_SAFE_INTEGER),
    }),
  }),
  // How often the client should send its stats (ms), as in welcome: longer while the
  // instance holds many clients.
  pong: object({ statsIntervalMs: statsIntervalSpec }),
  error: object({ code: str(40, 1), message: str(500) }),
};

export const ErrorCode = Object.freeze({
  badJson: 'bad_json',
  binary: 'binary_not_supported',
  invalid: 'invalid_message',
  unknownType: 'unknown_type',
  badState: 'bad_state',            // e.g. signal before join, a second join
  rateLimited: 'rate_limited',
  unknownPeer: 'unknown_peer',      // signal to a peer not in the sender's room
  streamTaken: 'stream_taken',
  badProof: 'bad_proof',
  proveTimeout: 'prove_timeout',
  roomFull: 'room_full',
  serverFull: 'server_full',
  internal: 'internal',             // a server bug; only this connection is closed
});

// WebSocket close codes (4000-4999 are the application's; 1009 comes from ws itself
// when a frame exceeds maxMessageBytes). Modelled on the HTTP statuses.
export const CloseCode = Object.freeze({
  tooBig: 1009,
  invalid: 4400,      // too many invalid messages
  unauthorized: 4401, // bad proof or no proof in time
  conflict: 4409,     // the stream already has a broadcaster
  rateLimited: 4429,  // kept flooding past the rate limit
  internal: 1011,     // a server bug
  full: 4503,         // room or server full
});

/**
 * Checks `value`, the field `key` of `parent` (the top level: key null), against
 * `spec`; returns null or a short reason naming the path. Every message passes through
 * here, so the path's text is put together only for a reason.
 * @param {unknown} value
 * @param {Spec} spec
 * @param {string} parent
 * @param {string | number | null} key
 * @param {Limits} limits
 * @returns {string | null}
 */
function check(value, spec, parent, key, limits) {
  if (value === undefined) return spec.optional ? null : `${pathOf(parent, key)} is required`;
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return `${pathOf(parent, key)} must be a string`;
      if (value.length < spec.minLength || value.length > spec.maxLength) {
        return `${pathOf(parent, key)} must be ${spec.minLength}-${spec.maxLength} characters`;
      }
      if (spec.pattern && !spec.pattern.test(value)) return `${pathOf(parent, key)} is malformed`;
      return null;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${pathOf(parent, key)} must be a number`;
      if (spec.kind === 'integer' && !Number.isInteger(value)) return `${pathOf(parent, key)} must be an integer`;
      if (value < spec.min || value > spec.max) return `${pathOf(parent, key)} must be in ${spec.min}..${spec.max}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${pathOf(parent, key)} must be a boolean`;
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? null : `${pathOf(parent, key)} must be one of ${spec.values.join(', ')}`;
    case 'array': {
      if (!Array.isArray(value)) return `${pathOf(parent, key)} must be an array`;
      if (value.length > spec.maxItems) return `${pathOf(parent, key)} has more than ${spec.maxItems} items`;
      const path = pathOf(parent, key);
      for (let i = 0; i < value.length; i++) {
        const reason = check(value[i], spec.items, path, i, limits);
        if (reason) return reason;
      }
      return null;
    }
    case 'object':
      return checkObject(value, spec, pathOf(parent, key), limits);
    case 'json': {
      const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
      return bytes > limits[spec.maxBytesLimit] ? `${pathOf(parent, key)} is larger than ${limits[spec.maxBytesLimit]} bytes` : null;
    }
    default:
      // Only a table written without these types can get here.
      throw new Error(`schema error at ${pathOf(parent, key)}: unknown kind ${/** @type {Spec} */ (spec).kind}`);
  }
}

/**
 * @param {string} parent
 * @param {string | number | null} key
 */
function pathOf(parent, key) {
  if (key === null) return parent;
  return typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`;
}

/** @type {WeakMap<ObjectSpec, [string, Spec][]>} each object spec's fields, listed once */
const fieldLists = new WeakMap();

/** @param {ObjectSpec} spec */
function fieldsOf(spec) {
  let list = fieldLists.get(spec);
  if (!list) {
    list = Object.entries(spec.fields);
    fieldLists.set(spec, list);
  }
  return list;
}

/**
 * @param {unknown} value
 * @param {ObjectSpec} spec
 * @param {string} path
 * @param {Limits} limits
 * @param {string | null} [skip] a field left to the caller (a message's `type`)
 * @returns {string | null}
 */
function checkObject(value, spec, path, limits, skip = null) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} must be an object`;
  const fields = /** @type {Record<string, unknown>} */ (value);
  for (const key in fields) {
    if (key !== skip && Object.hasOwn(fields, key) && !Object.hasOwn(spec.fields, key)) return `${path}.${key} is not a known field`;
  }
  for (const [key, field] of fieldsOf(spec)) {
    const reason = check(fields[key], field, path, key, limits);
    if (reason) return reason;
  }
  if (spec.requireOneOf && !spec.requireOneOf.some((key) => fields[key] !== undefined)) {
    return `${path} needs one of ${spec.requireOneOf.join(', ')}`;
  }
  return null;
}

/**
 * Checks a value against one declared spec (a table other than the client and server
 * messages: cluster/events.js); null or a short reason naming the path.
 * @param {unknown} value
 * @param {Spec} spec
 * @param {string} path
 * @param {Limits} limits
 * @returns {string | null}
 */
export function validate(value, spec, path, limits) {
  return check(value, spec, path, null, limits);
}

/** @typedef {MessageOf<typeof clientMessages>} ClientMessage */
/** @typedef {MessageOf<typeof serverMessages>} ServerMessage */
/**
 * The client message of one type.
 * @template {ClientMessage['type']} T
 * @typedef {Extract<ClientMessage, { type: T }>} ClientMessageOf
 */
/**
 * The server message of one type.
 * @template {ServerMessage['type']} T
 * @typedef {Extract<ServerMessage, { type: T }>} ServerMessageOf
 */
/**
 * @template Message
 * @typedef {{ ok: true, message: Message } | { ok: false, code: string, reason: string }} Parsed
 */

/**
 * Parses and validates one text frame from a client (or, with `table` =
 * serverMessages, from the server).
 * @overload
 * @param {string} text
 * @param {Limits} limits
 * @returns {Parsed<ClientMessage>}
 */
/**
 * @overload
 * @param {string} text
 * @param {Limits} limits
 * @param {typeof serverMessages} table
 * @returns {Parsed<ServerMessage>}
 */
/**
 * @param {string} text
 * @param {Limits} limits
 * @param {Record<string, ObjectSpec>} [table]
 * @returns {Parsed<ClientMessage | ServerMessage>}
 */
export function parseMessage(text, limits, table = clientMessages) {
  /** @type {unknown} */
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.badJson, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string') {
    return { ok: false, code: ErrorCode.invalid, reason: 'a message is an object with a string "type"' };
  }
  if (!Object.hasOwn(table, value.type)) {
    return { ok: false, code: ErrorCode.unknownType, reason: `unknown type: ${value.type.slice(0, 40)}` };
  }
  const reason = checkObject(value, table[value.type], value.type, limits, 'type');
  // Checked against its declared fields, it is the message the table's types describe.
  return reason ? { ok: false, code: ErrorCode.invalid, reason } : { ok: true, message: /** @type {ClientMessage | ServerMessage} */ (value) };
}
