// The signaling protocol, declared once: every message in both directions, the error
// codes and the close codes. The server validates each client message against
// `clientMessages` before acting on it; the tests check each server message against
// `serverMessages`; docs/SIGNALING.md describes the same tables.

// A canonical unpadded base64url encoding of `bytes` bytes: the unused low bits of the
// last character are zero, so each value has one spelling (see docs/PROTOCOL.md).
function base64urlOf(bytes) {
  const chars = Math.ceil((bytes * 8) / 6);
  const spareBits = chars * 6 - bytes * 8;
  const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    .split('').filter((_, value) => value % (1 << spareBits) === 0).join('').replace('-', '\\-');
  return { kind: 'string', minLength: chars, maxLength: chars, pattern: new RegExp(`^[A-Za-z0-9_-]{${chars - 1}}[${last}]$`) };
}

const str = (maxLength, minLength = 0) => ({ kind: 'string', minLength, maxLength });
const int = (min, max) => ({ kind: 'integer', min, max });
const num = (min, max) => ({ kind: 'number', min, max });
const bool = () => ({ kind: 'boolean' });
const oneOf = (...values) => ({ kind: 'enum', values });
const array = (items, maxItems) => ({ kind: 'array', items, maxItems });
const object = (fields, { requireOneOf } = {}) => ({ kind: 'object', fields, requireOneOf });
// Opaque JSON relayed as is, bounded by the named limit (see limits.js).
const json = (maxBytesLimit) => ({ kind: 'json', maxBytesLimit });
const optional = (spec) => ({ ...spec, optional: true });

export const streamIdSpec = base64urlOf(32);   // Ed25519 public key
const resumeTokenSpec = base64urlOf(16);
const peerId = int(1, Number.MAX_SAFE_INTEGER);
const peerRef = object({ peerId, role: oneOf('broadcaster', 'viewer') });
const count = int(0, 1_000_000);
const bytesPerS = num(0, 1e11);
const uint32 = int(0, 0xffffffff);
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
    links: optional(count),                   // peer links it has open
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
  thumbnail: object({ jpeg: { kind: 'string', minLength: 4, maxLength: 56_000, pattern: /^[A-Za-z0-9_-]+$/ } }),
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
  }),
  pong: object({}),
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

// Checks `value` against `spec`; returns null or a short reason naming the path.
function check(value, spec, path, limits) {
  if (value === undefined) return spec.optional ? null : `${path} is required`;
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return `${path} must be a string`;
      if (value.length < spec.minLength || value.length > spec.maxLength) {
        return `${path} must be ${spec.minLength}-${spec.maxLength} characters`;
      }
      if (spec.pattern && !spec.pattern.test(value)) return `${path} is malformed`;
      return null;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${path} must be a number`;
      if (spec.kind === 'integer' && !Number.isInteger(value)) return `${path} must be an integer`;
      if (value < spec.min || value > spec.max) return `${path} must be in ${spec.min}..${spec.max}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${path} must be a boolean`;
    case 'enum':
      return spec.values.includes(value) ? null : `${path} must be one of ${spec.values.join(', ')}`;
    case 'array':
      if (!Array.isArray(value)) return `${path} must be an array`;
      if (value.length > spec.maxItems) return `${path} has more than ${spec.maxItems} items`;
      for (let i = 0; i < value.length; i++) {
        const reason = check(value[i], spec.items, `${path}[${i}]`, limits);
        if (reason) return reason;
      }
      return null;
    case 'object':
      return checkObject(value, spec, path, limits);
    case 'json': {
      const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
      return bytes > limits[spec.maxBytesLimit] ? `${path} is larger than ${limits[spec.maxBytesLimit]} bytes` : null;
    }
    default:
      throw new Error(`schema error at ${path}: unknown kind ${spec.kind}`);
  }
}

function checkObject(value, spec, path, limits, skip = null) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} must be an object`;
  for (const key of Object.keys(value)) {
    if (key !== skip && !Object.hasOwn(spec.fields, key)) return `${path}.${key} is not a known field`;
  }
  for (const [key, field] of Object.entries(spec.fields)) {
    const reason = check(value[key], field, `${path}.${key}`, limits);
    if (reason) return reason;
  }
  if (spec.requireOneOf && !spec.requireOneOf.some((key) => value[key] !== undefined)) {
    return `${path} needs one of ${spec.requireOneOf.join(', ')}`;
  }
  return null;
}

// Parses and validates one text frame from a client (or, with `table` =
// serverMessages, from the server). Returns { ok: true, message } or
// { ok: false, code, reason }.
export function parseMessage(text, limits, table = clientMessages) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.badJson, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || typeof value.type !== 'string') {
    return { ok: false, code: ErrorCode.invalid, reason: 'a message is an object with a string "type"' };
  }
  if (!Object.hasOwn(table, value.type)) {
    return { ok: false, code: ErrorCode.unknownType, reason: `unknown type: ${value.type.slice(0, 40)}` };
  }
  const reason = checkObject(value, table[value.type], value.type, limits, 'type');
  return reason ? { ok: false, code: ErrorCode.invalid, reason } : { ok: true, message: value };
}
