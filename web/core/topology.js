// Peer selection (C++, in wasm): who a viewer is handed as neighbours. The signaling
// server calls it for every join and peers-request; the simulator runs the same C++
// natively. A room crosses into the wasm as one block of records (CandidateTable),
// one copy per call, rather than as thousands of JS objects.
import { count, peerId } from './engine-arguments.js';
/** @import { SwarmcastCore } from './index.js' */

/** @typedef {'broadcaster' | 'super-seed' | 'relay' | 'leaf'} CandidateRole */

/**
 * The caps peer selection keeps (the server's limits of the same names).
 * @typedef {object} SelectionLimits
 * @property {number} peersPerAnswer Peers a viewer is handed in all.
 * @property {number} broadcasterLinks Newcomers the broadcaster is handed to.
 * @property {number} viewerLinks Newcomers a viewer is handed to.
 */

// swarm::Candidate as the core lays it out (bindings/topology_bindings.cpp asserts
// it): bytes 0-7 the peer id (uint64), 8 the role (swarm::Role), 9 can upload (bool),
// 12-15 hops (uint32), 16-23 the score (float64), 24-27 down links (uint32), 28 away
// (bool); 32 in all. Skipped peer ids follow the records, 8 bytes each.
const RECORD_BYTES = 32;
const UINT32_MAX = 0xffffffff;
const TWO_TO_32 = 2 ** 32;

/**
 * swarm::Role's value. A switch rather than a lookup table: this runs once per member
 * of the room on every join, and compares interned strings by pointer.
 * @param {string} role
 */
function roleCode(role) {
  switch (role) {
    case 'broadcaster': return 0;
    case 'super-seed': return 1;
    case 'relay': return 2;
    default: return 3;
  }
}

/**
 * A count as the core's uint32: what is not one (Infinity: not yet placed) is the most.
 * @param {number} value
 */
function uint32(value) {
  return value >= 0 && value < UINT32_MAX ? value : UINT32_MAX;
}

/** What a candidate is, as bits of CandidateTable.add's `flags`. */
export const CandidateFlag = Object.freeze({
  canUpload: 1,
  away: 2,  // cannot answer an offer now
});

/**
 * The room as one seeker sees it: every member but the seeker (add), and the peers the
 * seeker must not be handed (skip). Reused from call to call: clear() it, fill it,
 * pass it to choosePeers().
 */
export class CandidateTable {
  #bytes = new Uint8Array(64 * RECORD_BYTES);
  #words = new Uint32Array(this.#bytes.buffer);
  #doubles = new Float64Array(this.#bytes.buffer);
  #count = 0;
  /** @type {number[]} */
  #skips = [];

  get count() {
    return this.#count;
  }

  get skips() {
    return this.#skips.length;
  }

  clear() {
    this.#count = 0;
    this.#skips.length = 0;
  }

  /**
   * The seeker is linked to this peer (either way) or gave up on it: not handed to it.
   * @param {number} id
   */
  skip(id) {
    this.#skips.push(id);
  }

  /**
   * Values that make no sense read as the most cautious ones: an unknown role as a
   * leaf, hops that are not a count (Infinity: not yet placed) as unplaced, a score
   * that is not a number as 0 (in the core).
   * @param {number} id
   * @param {CandidateRole} role
   * @param {number} flags CandidateFlag bits.
   * @param {number} hops From the broadcaster along the links it was handed.
   * @param {number} score 0-100 (scorePeer).
   * @param {number} downLinks Newcomers it has been handed to.
   */
  add(id, role, flags, hops, score, downLinks) {
    if ((this.#count + 1) * RECORD_BYTES > this.#bytes.length) this.#grow();
    const at = this.#count++ * RECORD_BYTES;
    const word = at / 4;
    const words = this.#words;
    const bytes = this.#bytes;
    // A Uint32Array keeps a number modulo 2^32, truncated: the id's low then high word.
    words[word] = id;
    words[word + 1] = id / TWO_TO_32;
    bytes[at + 8] = roleCode(role);
    bytes[at + 9] = flags & CandidateFlag.canUpload ? 1 : 0;
    words[word + 3] = uint32(hops);
    this.#doubles[at / 8 + 2] = score;
    words[word + 6] = uint32(downLinks);
    bytes[at + 28] = flags & CandidateFlag.away ? 1 : 0;
  }

  get byteLength() {
    return this.#count * RECORD_BYTES + this.#skips.length * 8;
  }

  /**
   * Copies the records, then the skipped ids, to `pointer` in the wasm heap.
   * @param {SwarmcastCore} core
   * @param {number} pointer
   */
  copyTo(core, pointer) {
    const recordBytes = this.#count * RECORD_BYTES;
    // HEAPU8 is re-created when memory grows, so it is read afresh.
    core.HEAPU8.set(this.#bytes.subarray(0, recordBytes), pointer);
    const skips = new Uint32Array(this.#skips.length * 2);
    this.#skips.forEach((id, i) => {
      skips[2 * i] = id;
      skips[2 * i + 1] = id / TWO_TO_32;
    });
    core.HEAPU8.set(new Uint8Array(skips.buffer), pointer + recordBytes);
  }

  #grow() {
    const bytes = new Uint8Array(this.#bytes.length * 2);
    bytes.set(this.#bytes);
    this.#bytes = bytes;
    this.#words = new Uint32Array(bytes.buffer);
    this.#doubles = new Float64Array(bytes.buffer);
  }
}

/**
 * Up to peersPerAnswer - upLinks peer ids for `seeker` to connect to, best first: the
 * broadcaster while it has link room, then the viewers with link room: those that can
 * upload, near the source (at most 2 hops deeper than the shallowest such viewer), of
 * the higher role, handed fewer newcomers, of the higher score, nearer, older. Never
 * the seeker itself, a skipped peer or one that is away. Wrong argument types throw
 * TypeError.
 * @param {SwarmcastCore} core
 * @param {CandidateTable} candidates
 * @param {{ seeker: number, upLinks: number, limits: SelectionLimits }} seeking `upLinks`: peers the seeker was already handed.
 * @returns {number[]}
 */
export function choosePeers(core, candidates, { seeker, upLinks, limits }) {
  if (!(candidates instanceof CandidateTable)) throw new TypeError('candidates must be a CandidateTable');
  const { peersPerAnswer, broadcasterLinks, viewerLinks } = limits ?? {};
  /** @type {[number, number, number, number, number]} */
  const args = [peerId(seeker, 'seeker'), count(upLinks, 'upLinks'), count(peersPerAnswer, 'limits.peersPerAnswer'),
    count(broadcasterLinks, 'limits.broadcasterLinks'), count(viewerLinks, 'limits.viewerLinks')];
  const pointer = core._malloc(Math.max(candidates.byteLength, 1));
  if (!pointer) throw new RangeError(`wasm heap cannot hold ${candidates.byteLength} bytes of candidates`);
  try {
    candidates.copyTo(core, pointer);
    return core.choosePeers(pointer, candidates.count, candidates.skips, ...args);
  } finally {
    core._free(pointer);
  }
}
