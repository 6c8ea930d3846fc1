// What an instance tells the others of its members' stats reports (cluster/stats-batches.js),
// without Redis: the reports whole only to the instance of the room's broadcaster, and
// to every instance only the ranks that moved, in bounded events the others accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BATCH, parseEvent } from '../../tools/server/cluster/events.js';
import { RemoteClient } from '../../tools/server/cluster/remote-client.js';
import { RANK_STEP, StatsBatches } from '../../tools/server/cluster/stats-batches.js';
import { resolveLimits } from '../../tools/server/limits.js';
import { Member, Room } from '../../tools/server/rooms.js';

const HERE = 'here';
const limits = resolveLimits();
const streamIds = ['A', 'B'].map((letter) => `${letter.repeat(42)}A`);  // canonical base64url of 32 bytes

/** A room of `viewers` own members and, if `broadcasterOn` is set, its broadcaster there. */
function roomWith(streamId, viewers, broadcasterOn, firstPeerId) {
  const room = new Room(streamId);
  const client = (owner) => (owner === HERE ? { send() {}, sendText() {} } : new RemoteClient(owner, () => {}));
  const member = (peerId, role, owner) => new Member({
    peerId, role, client: client(owner), canUpload: true, uploadKbps: 1000, joinedAtMs: 0, room, resumeToken: new Uint8Array(16),
  });
  if (broadcasterOn) room.add(member(firstPeerId, 'broadcaster', broadcasterOn));
  for (let i = 1; i <= viewers; i++) room.add(member(firstPeerId + i, 'viewer', HERE));
  return room;
}

function replicaOf(rooms) {
  return { rooms: () => rooms, ownerOf: (member) => (member.client instanceof RemoteClient ? member.client.owner : HERE) };
}

/** Flushes once; returns what was published, each event checked as a receiver checks it. */
function flush(batches, replica) {
  const published = [];
  batches.flush(replica, (batch) => {
    const event = 'to' in batch ? { kind: 'stats', instance: HERE, entries: batch.entries } : { kind: 'ranks', instance: HERE, rooms: batch.rooms };
    const parsed = parseEvent(JSON.stringify(event), limits);
    assert.ok(parsed.ok, parsed.reason);
    published.push({ to: batch.to ?? null, event });
  });
  return published;
}

test('reports go whole only to the broadcaster\'s instance; ranks go to all, only when they moved', () => {
  const remoteRoom = roomWith(streamIds[0], 3, 'there', 100);
  const localRoom = roomWith(streamIds[1], 2, HERE, 200);
  const replica = replicaOf([remoteRoom, localRoom]);
  const batches = new StatsBatches(HERE);
  for (const member of [...remoteRoom.viewers.values(), ...localRoom.viewers.values()]) batches.announced(member);

  // First batch: the remote broadcaster's instance is new, so its room goes whole; no rank moved.
  let published = flush(batches, replica);
  assert.deepEqual(published.map(({ to, event }) => [to, event.kind, event.entries.map((e) => e.peerId)]), [['there', 'stats', [101, 102, 103]]]);

  // One viewer of each room reports; one of them also moves rank.
  const [reporter] = remoteRoom.viewers.values();
  const [localReporter] = localRoom.viewers.values();
  reporter.stats.deliveryBytesPerS = 777;
  reporter.score = 61.5;
  reporter.tier = 1;
  batches.reported(reporter);
  batches.reported(localReporter);
  published = flush(batches, replica);
  assert.deepEqual(published, [
    { to: 'there', event: { kind: 'stats', instance: HERE, entries: [{ streamId: streamIds[0], peerId: 101, uploadKbps: 1000, stats: { deliveryBytesPerS: 777 }, score: 61.5, tier: 1 }] } },
    { to: null, event: { kind: 'ranks', instance: HERE, rooms: [{ streamId: streamIds[0], peerIds: [101], scores: [61.5], tiers: [1] }] } },
  ]);

  // Reporting again with the same rank, or a score drifted by less than a step: the
  // report goes, no rank.
  batches.reported(reporter);
  published = flush(batches, replica);
  assert.deepEqual(published.map(({ event }) => event.kind), ['stats']);
  reporter.score = 61.5 + RANK_STEP * 0.9;
  batches.reported(reporter);
  published = flush(batches, replica);
  assert.deepEqual(published.map(({ event }) => event.kind), ['stats']);

  // A step from what the others heard (61.5), in small drifts: the rank goes.
  reporter.score = 61.5 + RANK_STEP;
  batches.reported(reporter);
  published = flush(batches, replica);
  assert.deepEqual(published.map(({ event }) => [event.kind, event.rooms?.[0].scores]), [['stats', undefined], ['ranks', [61.5 + RANK_STEP]]]);
});

test('ranks of many members are split into events of at most MAX_BATCH, rooms split across them', () => {
  const big = roomWith(streamIds[0], MAX_BATCH + 10, HERE, 1);
  const small = roomWith(streamIds[1], 5, HERE, 5000);
  const batches = new StatsBatches(HERE);
  const members = [...big.viewers.values(), ...small.viewers.values()];
  members.forEach((member, i) => {
    member.score = i % 100;
    batches.reported(member);
  });
  const published = flush(batches, replicaOf([big, small]));
  assert.ok(published.every(({ event }) => event.kind === 'ranks'));
  const sizes = published.map(({ event }) => event.rooms.reduce((n, room) => n + room.peerIds.length, 0));
  assert.deepEqual(sizes, [MAX_BATCH, 15]);
  const heard = published.flatMap(({ event }) => event.rooms.flatMap((room) => room.peerIds.map((peerId, at) => [peerId, room.scores[at]])));
  assert.deepEqual(heard, members.map((member) => [member.peerId, member.score]));
});
