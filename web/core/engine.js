// The swarm engine (C++, in wasm): one per broadcaster or viewer. It has no clock and
// no sockets: the transport passes `nowMs` into every call, feeds it what peers send,
// ticks it, and carries out what it leaves behind (outbox, playable media, peers to
// close). Peer ids are small non-negative integers (uint64 in C++, < 2^53 here).
import { bytes, count, device, milliseconds, peerId, streamKey, time } from './engine-arguments.js';
import { HeapBuffer, withHeapBytes } from './heap.js';
/** @import { SwarmcastCore } from './index.js' */
/** @import { NativeEngine } from '../../build/wasm/swarmcast.mjs' */

/** @typedef {import('../../build/wasm/swarmcast.mjs').OutgoingMessage} OutgoingMessage */
/** @typedef {import('../../build/wasm/swarmcast.mjs').PlayableItem} PlayableItem */
/** @typedef {import('../../build/wasm/swarmcast.mjs').HttpFetch} HttpFetch */
/** @typedef {import('../../build/wasm/swarmcast.mjs').ChatLine} ChatLine */
/** @typedef {import('../../build/wasm/swarmcast.mjs').ChatVerdict} ChatVerdict */
/** @typedef {import('../../build/wasm/swarmcast.mjs').PeerRole} PeerRole */
/** @typedef {import('../../build/wasm/swarmcast.mjs').EngineStats} EngineStats */
/** @typedef {import('../../build/wasm/swarmcast.mjs').LadderFields} RenditionList */

/**
 * What a device can give the swarm, and what its viewer chose. With uploadChoice
 * 'auto' (the default) the device rules decide: no upload on a metered network or a
 * battery under 30 % and not charging; a reduced rate from a hidden tab. 'off' uploads
 * nothing and 'cap' up to uploadBudgetBytesPerS, whatever the device.
 * @typedef {object} DeviceConstraints
 * @property {boolean} [metered]
 * @property {boolean} [batteryLow]
 * @property {boolean} [hidden]
 * @property {number} [uploadBudgetBytesPerS] 'auto': a declared limit (0: none); 'cap': the viewer's cap.
 * @property {UploadChoice} [uploadChoice]
 */

/** @typedef {'auto' | 'off' | 'cap'} UploadChoice */

/**
 * @typedef {object} SwarmEngineOptions
 * @property {number} self This engine's peer id.
 * @property {boolean} [broadcaster]
 * @property {string | Uint8Array} streamKey The stream id, or its 32-byte public key. A bad id throws TrustError.
 * @property {DeviceConstraints} [device]
 * @property {boolean} [httpOrigin] The server has an HTTP origin: ask it for what no peer can deliver in time (takeHttpFetches).
 * @property {number} [targetLatencyMs] The glass-to-glass latency the player aims at (ms, 0..60000), which sets the
 *   engine's deadlines. 0: the engine's default (2500).
 * @property {number} [startLeadMs] How far past that moment (ms, 0..60000) the first chunk is chosen, to be fetched
 *   while the moment comes. 0: the engine's default (1000).
 * @property {number} [playerLeadMs] How much nearer the live edge than targetLatencyMs (ms, 0..60000) the player
 *   starts: the first chunk is handed over that much before its moment. Default 0.
 */

/**
 * What was measured about a peer (scorePeer).
 * @typedef {object} PeerMeasurements
 * @property {number} connectedAt When the link opened (ms).
 * @property {number} nowMs
 * @property {number} [deliveryBytesPerS] NaN or negative: unmeasured.
 * @property {number} [rttMs] NaN or negative: unmeasured.
 * @property {number} [requestsSent]
 * @property {number} [requestsServed]
 * @property {number} [requestsFailed]
 * @property {number} [badPieces]
 * @property {DeviceConstraints} [device]
 */

/**
 * @typedef {object} PeerScore
 * @property {number} score 0-100.
 * @property {PeerRole} role 'super-seed' (75+), 'relay' (50+) or 'leaf'; a device that cannot upload is a leaf.
 */

/** Thrown when a deleted engine is used (`code: 'deleted'`). */
export class EngineError extends Error {
  /**
   * @param {string} code
   * @param {string} what
   */
  constructor(code, what) {
    super(`${what}: ${code}`);
    this.name = 'EngineError';
    this.code = code;
  }
}

// Rendition ids are 0..7 (trust::kMaxRenditions in src/trust/signed_header.hpp).
const MAX_RENDITIONS = 8;

/**
 * One broadcaster's or viewer's swarm engine. It has no clock and no sockets: pass
 * `nowMs` into every call, feed it what peers send, tick it, and carry out what it
 * leaves behind. Wrong argument types throw TypeError; any use after delete() throws
 * EngineError.
 */
export class SwarmEngine {
  /**
   * @param {SwarmcastCore} core
   * @param {SwarmEngineOptions} options
   */
  constructor(core, { self, broadcaster = false, streamKey: key, device: constraints, httpOrigin = false,
    targetLatencyMs = 0, startLeadMs = 0, playerLeadMs = 0 }) {
    peerId(self, 'self');
    const timing = { targetLatencyMs, startLeadMs, playerLeadMs };
    for (const [name, value] of Object.entries(timing)) milliseconds(value, name);
    const keyBytes = streamKey(core, key);
    /** @private */
    this.core = core;
    /** @private @type {NativeEngine | null} */
    this.native = withHeapBytes(core, keyBytes, (p) => new core.Engine(
      self, Boolean(broadcaster), p, ...device(constraints), Boolean(httpOrigin), timing));
    // Two reused heap buffers: a signed header and its payload are in the heap together.
    /** @private */
    this.headerHeap = new HeapBuffer(core);
    /** @private */
    this.dataHeap = new HeapBuffer(core);
  }

  /**
   * @param {number} peer
   * @param {number} nowMs
   */
  connect(peer, nowMs) {
    this.#live().connect(peerId(peer), time(nowMs));
  }

  /**
   * @param {number} peer
   * @param {number} nowMs
   */
  disconnect(peer, nowMs) {
    this.#live().disconnect(peerId(peer), time(nowMs));
  }

  /**
   * @param {number} peer
   * @param {Uint8Array} message
   * @param {number} nowMs
   */
  onMessage(peer, message, nowMs) {
    const native = this.#live();
    bytes(message, 'a message');
    native.onMessage(peerId(peer), this.dataHeap.write(message), message.length, time(nowMs));
  }

  /**
   * The transport's send backlog towards `peer` (RTCDataChannel.bufferedAmount).
   * @param {number} peer
   * @param {number} amount bytes
   */
  setBufferedAmount(peer, amount) {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      throw new TypeError(`a buffered amount is a byte count, not ${String(amount)}`);
    }
    this.#live().setBufferedAmount(peerId(peer), amount);
  }

  /**
   * Broadcaster: false when the header does not verify against the stream or the bytes.
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} init
   * @param {number} nowMs
   * @returns {boolean}
   */
  publishInit(signedHeader, init, nowMs) {
    return this.#headerAndPayload('publishInit', signedHeader, init, nowMs);
  }

  /**
   * Broadcaster: false when the header does not verify against the stream or the bytes.
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} payload
   * @param {number} nowMs
   * @returns {boolean}
   */
  publishChunk(signedHeader, payload, nowMs) {
    return this.#headerAndPayload('publishChunk', signedHeader, payload, nowMs);
  }

  /**
   * Broadcaster: the stream's signed rendition list (StreamSigner.signLadder), sent to
   * every peer now and to each new one. A viewer hands over the list the HTTP origin's
   * index carries the same way (a viewer no peer reaches learns the renditions so).
   * False when it does not verify against the stream or its revision is not above the
   * list already held.
   * @param {Uint8Array} signedLadder
   * @param {number} nowMs
   * @returns {boolean}
   */
  publishLadder(signedLadder, nowMs) {
    const native = this.#live();
    bytes(signedLadder, 'a signed rendition list');
    time(nowMs);
    return native.publishLadder(this.dataHeap.write(signedLadder), signedLadder.length, nowMs);
  }

  /**
   * The stream's newest verified rendition list (published here, or from a peer and
   * checked against the stream key): renditions highest bitrate first. Null before one
   * arrives, and on a stream of one rendition, which has none.
   * @returns {RenditionList | null}
   */
  ladder() {
    return this.#live().ladder();
  }

  /**
   * HTTP fallback: a signed chunk or init segment from the origin (a stored body is the
   * signed header, `core.SIGNED_HEADER_SIZE` bytes, then the payload). False, and
   * nothing kept, when it does not verify against the stream.
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} payload
   * @param {number} nowMs
   * @returns {boolean}
   */
  onHttpChunk(signedHeader, payload, nowMs) {
    return this.#headerAndPayload('onHttpChunk', signedHeader, payload, nowMs);
  }

  /**
   * The origin's index (`GET /api/streams/<id>/renditions/<r>/chunks`): its `chunks`, oldest first. Hand
   * over the signed rendition list it carries (`ladder`) first, with publishLadder.
   * @param {number[]} chunks
   * @param {number} nowMs
   */
  onHttpIndex(chunks, nowMs) {
    if (!Array.isArray(chunks)) throw new TypeError('the index is an array of chunk seqs');
    for (const seq of chunks) peerId(seq, 'a chunk seq');
    this.#live().onHttpIndex(chunks, time(nowMs));
  }

  /**
   * Viewer: the player now aims at `ms` (whole ms, 0..60000) of glass-to-glass latency.
   * Before playback it sets where the viewer starts; once playing, every later deadline
   * moves by the change (the player holds its picture, or jumps towards the live edge,
   * to meet it; on a jump the chunks before the new moment are passed over, not waited
   * for).
   * @param {number} ms
   * @param {number} nowMs
   */
  setTargetLatency(ms, nowMs) {
    milliseconds(ms, 'targetLatencyMs');
    this.#live().setTargetLatency(ms, time(nowMs));
  }

  /**
   * This device's state or its viewer's upload choice changed: the upload policy
   * follows at once, and every peer is told (they stop asking, or ask less). A bad
   * field throws TypeError.
   * @param {DeviceConstraints} constraints
   * @param {number} nowMs
   */
  setDevice(constraints, nowMs) {
    const native = this.#live();
    native.setDevice(...device(constraints), time(nowMs));
  }

  /**
   * Viewer: which rendition to play: 'auto' (the ABR rule: down before the buffer runs
   * out, up with headroom), or one id of the stream's rendition list, held whatever the
   * link does. The switch is made at the next chunk not yet handed to the player; the
   * stats report the choice (`abr_manual`) and the reason (`abr_reason`).
   * @param {'auto' | number} choice
   */
  setRenditionChoice(choice) {
    const native = this.#live();
    if (choice !== 'auto' && !(Number.isInteger(choice) && choice >= 0 && choice < MAX_RENDITIONS))
      throw new TypeError(`a rendition choice is 'auto' or an id 0..${MAX_RENDITIONS - 1}`);
    native.setRenditionChoice(choice === 'auto' ? -1 : choice);
  }

  /**
   * Viewer: the renditions this device cannot decode (the ids whose codecs
   * MediaSource.isTypeSupported refuses): never chosen, by the rule or by hand.
   * @param {number[]} renditions
   */
  setUndecodable(renditions) {
    const native = this.#live();
    if (!Array.isArray(renditions) || !renditions.every((id) => Number.isInteger(id) && id >= 0 && id < MAX_RENDITIONS))
      throw new TypeError(`undecodable renditions are an array of ids 0..${MAX_RENDITIONS - 1}`);
    native.setUndecodable(renditions);
  }

  /** @param {number} nowMs */
  tick(nowMs) {
    this.#live().tick(time(nowMs));
  }

  /**
   * A chat line signed by StreamSigner.signChat: 'new' (delivered here and passed on
   * to every peer), or why not: 'duplicate', 'forged', 'flooding' (over the author's
   * rate), 'too_far', 'malformed'.
   * @param {Uint8Array} message
   * @param {number} nowMs
   * @returns {ChatVerdict}
   */
  postChat(message, nowMs) {
    const native = this.#live();
    bytes(message, 'a chat line');
    return native.postChat(this.dataHeap.write(message), message.length, time(nowMs));
  }

  /**
   * New chat lines, posted here or from peers, in order.
   * @returns {ChatLine[]}
   */
  takeChat() {
    return this.#live().takeChat();
  }

  /**
   * Messages to send, in order.
   * @returns {OutgoingMessage[]}
   */
  takeOutbox() {
    return this.#live().takeOutbox();
  }

  /**
   * Verified media for the player, in order; an init segment precedes the chunks of
   * its epoch, and, at a switch of rendition, the new rendition's chunks (`rendition`).
   * @returns {PlayableItem[]}
   */
  takePlayable() {
    return this.#live().takePlayable();
  }

  /**
   * Peer ids the transport should close (banned, silent, or said goodbye).
   * @returns {number[]}
   */
  takeDisconnects() {
    return this.#live().takeDisconnects();
  }

  /**
   * What to GET from the HTTP origin. Answer with onHttpChunk / onHttpIndex; a failed
   * GET needs no answer, the engine asks again later.
   * @returns {HttpFetch[]}
   */
  takeHttpFetches() {
    return this.#live().takeHttpFetches();
  }

  /**
   * @param {number} nowMs
   * @returns {EngineStats}
   */
  stats(nowMs) {
    return this.#live().stats(time(nowMs));
  }

  /** @returns {number} */
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

  /**
   * @param {'publishInit' | 'publishChunk' | 'onHttpChunk'} method
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} payload
   * @param {number} nowMs
   * @returns {boolean}
   */
  #headerAndPayload(method, signedHeader, payload, nowMs) {
    const native = this.#live();
    bytes(signedHeader, 'a signed header');
    bytes(payload, 'a payload');
    time(nowMs);
    return native[method](this.headerHeap.write(signedHeader), signedHeader.length,
      this.dataHeap.write(payload), payload.length, nowMs);
  }

  /** @returns {NativeEngine} */
  #live() {
    if (!this.native) throw new EngineError('deleted', 'the engine was deleted');
    return this.native;
  }
}

/**
 * Scores a peer from what was measured about it: 0-100 and the role it earns.
 * @param {SwarmcastCore} core
 * @param {PeerMeasurements} measured
 * @returns {PeerScore}
 */
export function scorePeer(core, {
  connectedAt, nowMs, deliveryBytesPerS = 0, rttMs = 0, requestsSent = 0, requestsServed = 0, requestsFailed = 0,
  badPieces = 0, device: constraints,
}) {
  // NaN or negative measurements read as unmeasured in the core.
  /**
   * @param {unknown} x
   * @param {string} what
   */
  const rate = (x, what) => {
    if (typeof x !== 'number') throw new TypeError(`${what} is a number, not ${String(x)}`);
    return x;
  };
  return core.scorePeer(time(connectedAt, 'connectedAt'), time(nowMs), rate(deliveryBytesPerS, 'deliveryBytesPerS'),
    rate(rttMs, 'rttMs'),
    count(requestsSent, 'requestsSent'), count(requestsServed, 'requestsServed'),
    count(requestsFailed, 'requestsFailed'), count(badPieces, 'badPieces'), ...device(constraints));
}
