// Rewrites a chunk (a run of WebM Clusters from one video keyframe to the next) as one
// Cluster of known size, for Firefox's MSE. Chromium's MediaRecorder starts a Cluster
// every ~120 ms, often at an audio frame timed before the end of the last video frame
// of the Cluster before. Firefox's SourceBuffer takes such a Cluster as a new media
// segment that starts before the last one ended and re-creates its WebM demuxer,
// which then drops every video frame until the next keyframe: measured in Firefox 153,
// 0.1-0.2 s of each ~0.8 s chunk was buffered, the rest was audio alone. Within one
// Cluster the blocks are demuxed in order and every frame is kept. Chromium plays
// both forms alike.
// The bytes of each block are kept as they are; only each block's timecode, relative
// to its Cluster, is re-based on the first Cluster's. Anything this does not follow
// (another top-level element, a malformed size, a block timed out of a 16-bit
// relative timecode's reach) leaves the chunk untouched.
import { readUint, vintLength } from './ebml.js';

const CLUSTER_ID = 0x1f43b675;
const TIMECODE_ID = 0xe7;
const SIMPLE_BLOCK_ID = 0xa3;
const BLOCK_GROUP_ID = 0xa0;
const BLOCK_ID = 0xa1;
// Cluster children that say where the Cluster sits (Position, PrevSize) or pad it
// (Void): meaningless once the Clusters are one, so they are left out.
const DROPPED_CHILD_IDS = new Set([0xa7, 0xab, 0xec]);
const MIN_RELATIVE = -0x8000;
const MAX_RELATIVE = 0x7fff;
// Each element is written back with an 8-byte size, so none has to be measured twice.
const SIZE_BYTES = 8;

/**
 * An EBML element header at `at`: its id (marker bits kept), its data's start and
 * size (null: unknown size), or null when the bytes end or are not EBML.
 * @param {Uint8Array} bytes
 * @param {number} at
 * @returns {{ id: number, dataAt: number, size: number | null } | null}
 */
function readHeader(bytes, at) {
  const idLength = vintLength(bytes[at]);
  if (idLength === 0 || idLength > 4 || at + idLength > bytes.length) return null;
  const id = readUint(bytes, at, idLength);
  const sizeAt = at + idLength;
  const sizeLength = vintLength(bytes[sizeAt]);
  if (sizeLength === 0 || sizeAt + sizeLength > bytes.length) return null;
  let size = bytes[sizeAt] & (0xff >> sizeLength);
  let allOnes = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    size = size * 256 + bytes[sizeAt + i];
    allOnes &&= bytes[sizeAt + i] === 0xff;
  }
  return { id, dataAt: sizeAt + sizeLength, size: allOnes ? null : size };
}

/**
 * The block's relative timecode sits after its track number (a vint).
 * @param {Uint8Array} bytes
 * @param {number} blockAt the block's data
 * @returns {number} the offset of the 16-bit relative timecode
 */
function relativeTimecodeAt(bytes, blockAt) {
  return blockAt + vintLength(bytes[blockAt]);
}

/**
 * One part of the merged Cluster: a byte range copied as it is, or a block whose
 * relative timecode is rewritten.
 * @typedef {{ start: number, end: number, timecodeAt?: number, timecode?: number }} Piece
 */

/**
 * Appends a block (SimpleBlock, or a BlockGroup's Block) re-based to `base`.
 * @param {Piece[]} pieces
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {number} end
 * @param {number} blockAt
 * @param {number} clusterTimecode
 * @param {number} base
 * @returns {boolean} false when the new relative timecode does not fit 16 bits
 */
function addBlock(pieces, bytes, start, end, blockAt, clusterTimecode, base) {
  const timecodeAt = relativeTimecodeAt(bytes, blockAt);
  if (timecodeAt + 2 > end) return false;
  const relative = (bytes[timecodeAt] << 24 >> 16) | bytes[timecodeAt + 1];
  const timecode = clusterTimecode + relative - base;
  if (timecode < MIN_RELATIVE || timecode > MAX_RELATIVE) return false;
  pieces.push({ start, end, timecodeAt, timecode });
  return true;
}

/**
 * The chunk as one Cluster of known size, or the chunk itself when it is one Cluster
 * already or cannot be followed.
 * @param {Uint8Array<ArrayBuffer>} chunk
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function asOneCluster(chunk) {
  /** @type {Piece[]} */
  const pieces = [];
  let clusters = 0;
  /** @type {number | null} */
  let base = null;
  let at = 0;
  while (at < chunk.length) {
    const cluster = readHeader(chunk, at);
    if (!cluster || cluster.id !== CLUSTER_ID) return chunk;
    clusters++;
    const end = cluster.size === null ? chunk.length : cluster.dataAt + cluster.size;
    if (end > chunk.length) return chunk;
    /** @type {number | null} */
    let timecode = null;
    at = cluster.dataAt;
    while (at < end) {
      const child = readHeader(chunk, at);
      if (!child) return chunk;
      if (child.id === CLUSTER_ID && cluster.size === null) break;  // an unknown-size Cluster ends where the next begins
      if (child.size === null) return chunk;
      const childEnd = child.dataAt + child.size;
      if (childEnd > end) return chunk;
      if (child.id === TIMECODE_ID) {
        if (child.size > 7) return chunk;
        timecode = readUint(chunk, child.dataAt, child.size);
        base ??= timecode;
      } else if (child.id === SIMPLE_BLOCK_ID) {
        if (timecode === null || base === null || !addBlock(pieces, chunk, at, childEnd, child.dataAt, timecode, base)) return chunk;
      } else if (child.id === BLOCK_GROUP_ID) {
        const block = findChild(chunk, child.dataAt, childEnd, BLOCK_ID);
        if (timecode === null || base === null || !block || !addBlock(pieces, chunk, at, childEnd, block, timecode, base)) return chunk;
      } else if (!DROPPED_CHILD_IDS.has(child.id)) {
        return chunk;
      }
      at = childEnd;
    }
  }
  if (clusters < 2 || base === null) return chunk;
  return writeCluster(chunk, base, pieces);
}

/**
 * The data offset of the first child `id` within [at, end), or null.
 * @param {Uint8Array} bytes
 * @param {number} at
 * @param {number} end
 * @param {number} id
 * @returns {number | null}
 */
function findChild(bytes, at, end, id) {
  while (at < end) {
    const child = readHeader(bytes, at);
    if (!child || child.size === null) return null;
    if (child.id === id) return child.dataAt;
    at = child.dataAt + child.size;
  }
  return null;
}

/**
 * @param {Uint8Array} chunk
 * @param {number} base
 * @param {Piece[]} pieces
 * @returns {Uint8Array<ArrayBuffer>}
 */
function writeCluster(chunk, base, pieces) {
  const timecode = uintBytes(base);
  const timecodeElement = [TIMECODE_ID, 0x80 | timecode.length, ...timecode];
  const bodyLength = timecodeElement.length + pieces.reduce((sum, piece) => sum + piece.end - piece.start, 0);
  const out = new Uint8Array(4 + SIZE_BYTES + bodyLength);
  out.set([0x1f, 0x43, 0xb6, 0x75], 0);
  writeSize(out, 4, bodyLength);
  let at = 4 + SIZE_BYTES;
  out.set(timecodeElement, at);
  at += timecodeElement.length;
  for (const piece of pieces) {
    out.set(chunk.subarray(piece.start, piece.end), at);
    if (piece.timecodeAt !== undefined && piece.timecode !== undefined) {
      const timecodeAt = at + piece.timecodeAt - piece.start;
      out[timecodeAt] = (piece.timecode >> 8) & 0xff;
      out[timecodeAt + 1] = piece.timecode & 0xff;
    }
    at += piece.end - piece.start;
  }
  return out;
}

/**
 * @param {number} value
 * @returns {number[]} big-endian, at least one byte
 */
function uintBytes(value) {
  const bytes = [];
  do {
    bytes.unshift(value % 256);
    value = Math.floor(value / 256);
  } while (value > 0);
  return bytes;
}

/**
 * An 8-byte EBML size.
 * @param {Uint8Array} out
 * @param {number} at
 * @param {number} size
 */
function writeSize(out, at, size) {
  out[at] = 0x01;
  for (let i = SIZE_BYTES - 1; i >= 1; i--) {
    out[at + i] = size % 256;
    size = Math.floor(size / 256);
  }
}
