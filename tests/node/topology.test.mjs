// Peer selection through its JS face (web/core/topology.js): the records CandidateTable
// lays out in the wasm heap reach the C++ rule intact (big ids, unplaced hops, every
// flag), and what is not a valid argument is a TypeError.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { CandidateFlag, CandidateTable, choosePeers } from '../../web/core/index.js';

let core;
before(async () => { core = await loadCoreForNode(); });

const limits = { peersPerAnswer: 8, broadcasterLinks: 20, viewerLinks: 20 };
const { canUpload, away } = CandidateFlag;
const BIG = 2 ** 52 + 3;  // an id past 32 bits: both of its words must cross

test('the broadcaster first, then the best viewers near the source; records cross whole', () => {
  const table = new CandidateTable();
  table.add(7, 'leaf', canUpload, 1, 20, 0);
  table.add(BIG, 'super-seed', canUpload, 3, 90, 0);
  table.add(1, 'broadcaster', 0, 0, 0, 19);
  table.add(9, 'relay', canUpload, Infinity, 99, 0);  // not yet placed: after the placed
  table.add(11, 'relay', 0, 1, 99, 0);                // cannot upload: last
  table.add(12, 'super-seed', canUpload | away, 1, 99, 0);
  table.add(13, 'super-seed', canUpload, 1, 99, 20);  // full
  assert.deepEqual(choosePeers(core, table, { seeker: 100, upLinks: 0, limits }), [1, BIG, 7, 9, 11]);
  assert.deepEqual(choosePeers(core, table, { seeker: 100, upLinks: 6, limits }), [1, BIG]);
  assert.deepEqual(choosePeers(core, table, { seeker: BIG, upLinks: 0, limits }), [1, 7, 9, 11], 'never itself');
});

test('skipped peers are not handed; a full broadcaster is not either', () => {
  const table = new CandidateTable();
  table.add(1, 'broadcaster', 0, 0, 0, 20);
  for (let id = 2; id < 2000; id++) table.add(id, 'relay', canUpload, 2, id % 97, 0);
  table.skip(96);
  table.skip(BIG);
  const chosen = choosePeers(core, table, { seeker: 5000, upLinks: 5, limits });
  assert.deepEqual(chosen, [193, 290, 387]);  // score 96 is the best; 96 itself is skipped
  table.clear();
  assert.equal(table.count, 0);
  assert.deepEqual(choosePeers(core, table, { seeker: 5000, upLinks: 0, limits }), []);
});

test('bad arguments are TypeErrors', () => {
  const table = new CandidateTable();
  assert.throws(() => choosePeers(core, [], { seeker: 1, upLinks: 0, limits }), TypeError);
  assert.throws(() => choosePeers(core, table, { seeker: -1, upLinks: 0, limits }), TypeError);
  assert.throws(() => choosePeers(core, table, { seeker: 1, upLinks: 0.5, limits }), TypeError);
  assert.throws(() => choosePeers(core, table, { seeker: 1, upLinks: 0, limits: { ...limits, viewerLinks: -1 } }), TypeError);
  assert.throws(() => choosePeers(core, table, { seeker: 1, upLinks: 0, limits: undefined }), TypeError);
});
