// The swarm engine (C++, in wasm): one per broadcaster or viewer. It has no clock and
// no sockets: the transport passes `nowMs` into every call, feeds it what peers send,
// ticks it, and carries out what it leaves behind (outbox, playable media, peers to
// close). Peer ids are small non-negative integers (uint64 in C++, < 2^53 here).
import { HeapBuffer, withHeapBytes } from './heap.js';
import { TrustError } from './trust.js';

export class EngineError extends Error {
  constructor(code, what) {
    super(`${what}: ${code}`);
    this.name = 'EngineError';
    this.code = code;
  }
}

const DEVICE_DEFAULTS = Object.freeze({ metered: false, batteryLow: false, hidden: false, uploadBudgetBytesPerS: 0 });
const UINT32_MAX = 0xffffffff;

function peerId(id, what = 'a peer id') {
  if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`${what} is a non-negative integer, not ${String(id)}`);
  return id;
}

function time(ms, what = 'nowMs') {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`${what} is a finite number of ms, not ${String(ms)}`);
  }
  return ms;
}

function bytes(value, what) {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  return value;
}

function count(value, what) {
  if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new TypeError(`${what} is an integer in 0..2^32-1, not ${String(value)}`);
  }
  return value;
}

function device(options = {}) {
  const d = { ...DEVICE_DEFAULTS, ...options };
  const budget = count(d.uploadBudgetBytesPerS, 'device.uploadBudgetBytesPerS');
  return [Boolean(d.metered), Boolean(d.batteryLow), Boolean(d.hidden), budget];
}

// A Uint8Array(32) public key, or a stream id (its base64url text) decoded by the core.
function streamKey(core, key) {
  if (typeof key === 'string') {
    const decoded = core.streamKeyOf(key);
    if (!decoded) throw new TrustError('bad_stream_id', `not a stream id: ${key}`);
    return decoded;
  }
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new TypeError('streamKey is a 32-byte Uint8Array or a stream id');
  }
  return key;
}

function milliseconds(value, name) {
  if (!Number.isInteger(value) || value < 0 || value > 60_000) {
    throw new TypeError(`${name} must be an integer from 0 to 60000, not ${value}`);
  }
}

export class SwarmEngine {
  // httpOrigin: the server has an HTTP origin; the engine then asks for what no peer
  // can deliver in time (takeHttpFetches). targetLatencyMs: the glass-to-glass latency
  // the player aims at, which sets the engine's deadlines; startLeadMs: how far past
  // that moment the first chunk is chosen, fetched while the moment comes (0: the
  // engine's defaults for either); playerLeadMs: how much nearer the live edge than
  // targetLatencyMs the player starts, so the first chunk is handed over that much
  // before its moment.
  constructor(core, { self, broadcaster = false, streamKey: key, device: constraints, httpOrigin = false,
    targetLatencyMs = 0, startLeadMs = 0, playerLeadMs = 0 } = {}) {
    peerId(self, 'self');
    const timing = { targetLatencyMs, startLeadMs, playerLeadMs };
    for (const [name, value] of Object.entries(timing)) milliseconds(value, name);
    const keyBytes = streamKey(core, key);
    this.core = core;
    this.native = withHeapBytes(core, keyBytes, (p) => new core.Engine(
      self, Boolean(broadcaster), p, ...device(constraints), Boolean(httpOrigin), timing));
    // Two reused heap buffers: a signed header and its payload are in the heap together.
    this.headerHeap = new HeapBuffer(core);
    this.dataHeap = new HeapBuffer(core);
  }

  connect(peer, nowMs) {
    this.#live().connect(peerId(peer), time(nowMs));
  }

  disconnect(peer, nowMs) {
    this.#live().disconnect(peerId(peer), time(nowMs));
  }

  onMessage(peer, message, nowMs) {
    const native = this.#live();
    bytes(message, 'a message');
    native.onMessage(peerId(peer), this.dataHeap.write(message), message.length, time(nowMs));
  }

  // The transport's send backlog towards `peer` (RTCDataChannel.bufferedAmount).
  setBufferedAmount(peer, amount) {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      throw new TypeError(`a buffered amount is a byte count, not ${String(amount)}`);
    }
    this.#live().setBufferedAmount(peerId(peer), amount);
  }

  // Broadcaster: false when the header does not verify against the stream or the bytes.
  publishInit(signedHeader, init, nowMs) {
    return this.#headerAndPayload('publishInit', signedHeader, init, nowMs);
  }

  publishChunk(signedHeader, payload, nowMs) {
    return this.#headerAndPayload('publishChunk', signedHeader, payload, nowMs);
  }

  // HTTP fallback: a signed chunk or init segment from the origin (a stored body is the
  // signed header, core.SIGNED_HEADER_SIZE bytes, then the payload). False, and nothing
  // kept, when it does not verify against the stream.
  onHttpChunk(signedHeader, payload, nowMs) {
    return this.#headerAndPayload('onHttpChunk', signedHeader, payload, nowMs);
  }

  // The origin's index (GET /api/streams/<id>/chunks): its `chunks`, oldest first.
  onHttpIndex(chunks, nowMs) {
    if (!Array.isArray(chunks)) throw new TypeError('the index is an array of chunk seqs');
    for (const seq of chunks) peerId(seq, 'a chunk seq');
    this.#live().onHttpIndex(chunks, time(nowMs));
  }

  // Viewer: the player now aims at `ms` of glass-to-glass latency. Before playback it
  // sets where the viewer starts; once playing, every later deadline moves by the
  // change (the player holds its picture, or jumps towards the live edge, to meet it;
  // on a jump the chunks before the new moment are passed over, not waited for).
  setTargetLatency(ms, nowMs) {
    milliseconds(ms, 'targetLatencyMs');
    this.#live().setTargetLatency(ms, time(nowMs));
  }

  tick(nowMs) {
    this.#live().tick(time(nowMs));
  }

  // A chat line signed by StreamSigner.signChat: 'new' (delivered here and passed on
  // to every peer), or why not: 'duplicate', 'forged', 'flooding' (over the author's
  // rate), 'too_far', 'malformed'.
  postChat(message, nowMs) {
    const native = this.#live();
    bytes(message, 'a chat line');
    return native.postChat(this.dataHeap.write(message), message.length, time(nowMs));
  }

  // [{ author, number, sentAtMs, kind, name, text, hops }]: new chat lines, posted here
  // or from peers, in order. author: the signer's key in base64url (for the
  // broadcaster, the stream id).
  takeChat() {
    return this.#live().takeChat();
  }

  // [{ to, bytes }]: messages to send, in order.
  takeOutbox() {
    return this.#live().takeOutbox();
  }

  // [{ init, epoch, seq, capture, startOffsetMs, bytes }]: for the player, in order; an
  // init segment precedes the chunks of its epoch. startOffsetMs (first chunk only) is
  // where in the chunk playback should start to sit at the engine's target latency.
  takePlayable() {
    return this.#live().takePlayable();
  }

  // Peer ids the transport should close (banned, silent, or said goodbye).
  takeDisconnects() {
    return this.#live().takeDisconnects();
  }

  // [{ kind: 'chunk'|'init'|'index', number }]: what to GET from the HTTP origin (chunk
  // seq, init epoch; the index has none). Answer with onHttpChunk / onHttpIndex; a
  // failed GET needs no answer, the engine asks again later.
  takeHttpFetches() {
    return this.#live().takeHttpFetches();
  }

  stats(nowMs) {
    return JSON.parse(this.#live().statsJson(time(nowMs)));
  }

  get peerCount() {
    return this.#live().peerCount();
  }

  delete() {
    if (!this.native) return;
    this.headerHeap.free();
    this.dataHeap.free();
    this.native.delete();
    this.native = null;
  }

  #headerAndPayload(method, signedHeader, payload, nowMs) {
    const native = this.#live();
    bytes(signedHeader, 'a signed header');
    bytes(payload, 'a payload');
    time(nowMs);
    return native[method](this.headerHeap.write(signedHeader), signedHeader.length,
      this.dataHeap.write(payload), payload.length, nowMs);
  }

  #live() {
    if (!this.native) throw new EngineError('deleted', 'the engine was deleted');
    return this.native;
  }
}

// Scores a peer from what was measured about it: { score: 0..100, role }, role being
// 'super-seed' (75+), 'relay' (50+) or 'leaf'; a device that cannot upload is a leaf.
export function scorePeer(core, {
  connectedAt, nowMs, deliveryBytesPerS = 0, rttMs = 0, requestsSent = 0, requestsServed = 0, requestsFailed = 0,
  badPieces = 0, device: constraints,
} = {}) {
  // NaN or negative measurements read as unmeasured in the core.
  const rate = (x, what) => {
    if (typeof x !== 'number') throw new TypeError(`${what} is a number, not ${String(x)}`);
    return x;
  };
  return core.scorePeer(time(connectedAt, 'connectedAt'), time(nowMs), rate(deliveryBytesPerS, 'deliveryBytesPerS'),
    rate(rttMs, 'rttMs'),
    count(requestsSent, 'requestsSent'), count(requestsServed, 'requestsServed'),
    count(requestsFailed, 'requestsFailed'), count(badPieces, 'badPieces'), ...device(constraints));
}
