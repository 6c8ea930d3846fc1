// asOneCluster (web/shim/webm-cluster.js): a chunk of Chromium-style Clusters (unknown
// size, a new one every few frames, audio-led) becomes one Cluster of known size with
// every block kept byte for byte at the same absolute time; anything it cannot follow
// comes back untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asOneCluster } from '../../web/shim/webm-cluster.js';

const CLUSTER = [0x1f, 0x43, 0xb6, 0x75];
const UNKNOWN_SIZE = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/** @param {number} size */
const size8 = (size) => [0x01, 0, 0, 0, 0, 0, Math.floor(size / 256), size % 256];
/** @param {number} id @param {number[]} data */
const element = (id, data) => [...(id > 0xff ? [id >> 8, id & 0xff] : [id]), 0x80 | data.length, ...data];
const timecode = (value) => element(0xe7, value > 0xff ? [value >> 8, value & 0xff] : [value]);
// A SimpleBlock: track (vint), 16-bit relative timecode, flags, payload.
const simpleBlock = (track, relative, keyframe, payload) =>
  element(0xa3, [0x80 | track, (relative >> 8) & 0xff, relative & 0xff, keyframe ? 0x80 : 0, ...payload]);
const blockGroup = (track, relative, payload) =>
  element(0xa0, [...element(0xa1, [0x80 | track, (relative >> 8) & 0xff, relative & 0xff, 0, ...payload]), ...element(0x9b, [33])]);
const cluster = (clusterTimecode, children, { known = false } = {}) => {
  const body = [...timecode(clusterTimecode), ...children.flat()];
  return [...CLUSTER, ...(known ? size8(body.length) : UNKNOWN_SIZE), ...body];
};
const bytes = (...parts) => new Uint8Array(parts.flat());

// Every block of a chunk as [track, absolute timecode, the block's bytes after its timecode].
function blocksOf(chunk) {
  const found = [];
  let base = 0;
  for (let at = 0; at < chunk.length;) {
    const id = chunk[at];
    if (id === 0x1f) { at += 12; continue; }  // a Cluster header: descend
    const size = chunk[at + 1] & 0x7f;
    const data = chunk.subarray(at + 2, at + 2 + size);
    if (id === 0xe7) base = data.length === 2 ? data[0] * 256 + data[1] : data[0];
    const block = id === 0xa3 ? data : id === 0xa0 ? data.subarray(2) : null;
    if (block) found.push([block[0] & 0x7f, base + ((block[1] << 24 >> 16) | block[2]), [...block.subarray(3, id === 0xa0 ? 3 + (data[1] & 0x7f) - 3 : undefined)]]);
    at += 2 + size;
  }
  return found;
}

// Chromium's layout: a keyframe Cluster, then Clusters opened by an audio frame timed
// before the last video frame of the one before has ended.
const CHROMIUM_CHUNK = bytes(
  cluster(0, [simpleBlock(1, 0, true, [1, 1]), simpleBlock(2, 39, true, [2]), simpleBlock(1, 127, false, [3]), simpleBlock(1, 158, false, [4])]),
  cluster(159, [simpleBlock(2, 0, true, [5]), simpleBlock(1, 75, false, [6, 6])]),
  cluster(280, [simpleBlock(2, 0, true, [7]), blockGroup(1, 3, [8, 8, 8])]),
);

test('Chromium-style Clusters become one Cluster of known size with every block at its time', () => {
  const merged = asOneCluster(CHROMIUM_CHUNK);
  assert.deepEqual([...merged.subarray(0, 4)], CLUSTER);
  assert.equal(merged[4], 0x01, 'an 8-byte size');
  const size = merged.subarray(5, 12).reduce((value, byte) => value * 256 + byte, 0);
  assert.equal(12 + size, merged.length, 'the size covers the rest of the chunk');
  assert.deepEqual(blocksOf(merged), blocksOf(CHROMIUM_CHUNK));
  assert.deepEqual(blocksOf(merged).map(([track, time]) => [track, time]),
    [[1, 0], [2, 39], [1, 127], [1, 158], [2, 159], [1, 234], [2, 280], [1, 283]]);
  assert.equal(merged.filter((_, i) => CLUSTER.every((byte, j) => merged[i + j] === byte)).length, 1, 'one Cluster id');
});

test('a chunk that starts late in the stream keeps its first Cluster timecode as the base', () => {
  const chunk = bytes(cluster(60_000, [simpleBlock(1, 0, true, [1])]), cluster(60_500, [simpleBlock(1, -20, false, [2])], { known: true }));
  const merged = asOneCluster(chunk);
  assert.notEqual(merged, chunk);
  assert.deepEqual(blocksOf(merged), [[1, 60_000, [0x80, 1]], [1, 60_480, [0, 2]]]);
});

test('one Cluster already, or a block too far from the first Cluster for 16 bits: untouched', () => {
  const single = bytes(cluster(0, [simpleBlock(1, 0, true, [1]), simpleBlock(1, 33, false, [2])]));
  assert.equal(asOneCluster(single), single);
  const far = bytes(cluster(0, [simpleBlock(1, 0, true, [1])]), cluster(40_000, [simpleBlock(1, 0, false, [2])]));
  assert.equal(asOneCluster(far), far);
});

test('bytes it cannot follow come back untouched, never an exception', () => {
  const notACluster = bytes(element(0xec, [0, 0]), CHROMIUM_CHUNK);
  assert.equal(asOneCluster(notACluster), notACluster);
  const unknownChild = bytes(cluster(0, [simpleBlock(1, 0, true, [1]), element(0xbf, [1, 2])]), cluster(33, [simpleBlock(1, 0, false, [2])]));
  assert.equal(asOneCluster(unknownChild), unknownChild);
  assert.equal(asOneCluster(new Uint8Array(0)).length, 0);
  for (let length = 0; length < CHROMIUM_CHUNK.length; length++) {
    const cut = CHROMIUM_CHUNK.slice(0, length);
    const result = asOneCluster(cut);
    // A cut inside a block leaves the chunk as it was; a cut between blocks may merge
    // what is there, and then every block of it survives.
    if (result !== cut) assert.deepEqual(blocksOf(result), blocksOf(cut), `cut at ${length}`);
  }
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 2000; round++) {
    const noisy = CHROMIUM_CHUNK.slice();
    for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) noisy[Math.floor(random() * noisy.length)] = Math.floor(random() * 256);
    assert.doesNotThrow(() => asOneCluster(noisy));
  }
});
