// The two WebM timings the player needs to map media time to capture time, read
// straight from the bytes the engine hands over: the init segment's TimecodeScale and
// a chunk's first Cluster Timecode (a chunk starts with a Cluster; see the segmenter).
// Reading them here, rather than inferring a chunk's start from the SourceBuffer's
// buffered ranges, stays exact when ranges merge, are trimmed or start late.
import { readUint, readVint } from './ebml.js';

const CLUSTER_ID = [0x1f, 0x43, 0xb6, 0x75];
const TIMECODE_ID = 0xe7;
const TIMECODE_SCALE_ID = [0x2a, 0xd7, 0xb1];
const DEFAULT_TIMECODE_SCALE_NS = 1_000_000;

/**
 * @param {Uint8Array} bytes
 * @param {number} at
 * @param {number[]} id
 * @returns {boolean}
 */
function startsWith(bytes, at, id) {
  return id.every((byte, i) => bytes[at + i] === byte);
}

/**
 * Nanoseconds per timecode tick, from an init segment (Info > TimecodeScale).
 * @param {Uint8Array} init
 * @returns {number}
 */
export function timecodeScaleNs(init) {
  for (let at = 0; at + TIMECODE_SCALE_ID.length < init.length; at++) {
    if (!startsWith(init, at, TIMECODE_SCALE_ID)) continue;
    const size = readVint(init, at + TIMECODE_SCALE_ID.length);
    if (!size || size.value > 8) break;
    return readUint(init, at + TIMECODE_SCALE_ID.length + size.length, size.value);
  }
  return DEFAULT_TIMECODE_SCALE_NS;
}

/**
 * The media time (ms) a chunk starts at: its first Cluster's Timecode; null when the
 * chunk does not open with a Cluster whose first child is its Timecode.
 * @param {Uint8Array} chunk
 * @param {number} [scaleNs]
 * @returns {number | null}
 */
export function chunkStartMs(chunk, scaleNs = DEFAULT_TIMECODE_SCALE_NS) {
  if (!startsWith(chunk, 0, CLUSTER_ID)) return null;
  const clusterSize = readVint(chunk, CLUSTER_ID.length);
  if (!clusterSize) return null;
  const at = CLUSTER_ID.length + clusterSize.length;
  if (chunk[at] !== TIMECODE_ID) return null;
  const size = readVint(chunk, at + 1);
  if (!size || size.value > 8 || at + 1 + size.length + size.value > chunk.length) return null;
  return (readUint(chunk, at + 1 + size.length, size.value) * scaleNs) / 1e6;
}
