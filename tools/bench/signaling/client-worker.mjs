// One load-generator process of `npm run bench:signaling`, forked by main.mjs (a
// process may hold at most 20,000 open files, so the clients are spread over several).
// main.mjs drives it phase by phase over IPC: each command { cmd, id, ... } is
// answered by one message { id, ... } with what this process measured. Between and
// during the phases every joined client pings every 10 s and reports stats as often as
// the server asks (every 2 s or more), the product's intervals, on one shared tick
// rather than a timer per client.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadCore, StreamSigner } from '../../lib/node-core.mjs';
import { BenchClient, now, PING_INTERVAL_MS, STATS_INTERVAL_MS } from './bench-client.mjs';

/** @typedef {import('./bench-client.mjs').ClientSpec} ClientSpec */
/** @typedef {import('./bench-client.mjs').Tally} Tally */

const TICK_MS = 100;
const PONG_GRACE_MS = 5_000;             // a ping unanswered this long: the client is not held
const PACING_TICK_MS = 10;             // how often paced joins and probes are sent
const PROBE_DRAIN_MS = 1_000;            // probes still in flight when a hold ends

/** @type {Tally} */
const tally = { errors: {}, closes: {}, signalsSent: 0, signalsReceived: 0, relayMs: {}, relaySentAt: {}, probesReceived: 0, retries: 0 };
/** @type {BenchClient[]} */
const clients = [];

let tick = 0;
const heartbeat = setInterval(() => {
  const pingEvery = PING_INTERVAL_MS / TICK_MS;
  const statsEvery = STATS_INTERVAL_MS / TICK_MS;
  for (let i = tick % pingEvery; i < clients.length; i += pingEvery) clients[i].ping();
  for (let i = tick % statsEvery; i < clients.length; i += statsEvery) clients[i].stats();
  tick++;
}, TICK_MS);

/**
 * Joins every client, starting each when `startAt(i)` (ms after the call) has come and
 * at most `inFlight` are waiting for their welcome (a client trying again after a
 * failed connection is still waiting); clients still waiting at `deadlineMs` count as
 * failed.
 * @param {BenchClient[]} batch
 * @param {{ inFlight: number, startAt: (i: number) => number, deadlineMs: number }} pacing
 */
async function joinAll(batch, { inFlight, startAt, deadlineMs }) {
  const t0 = now();
  let next = 0;
  let waiting = 0;
  await new Promise((resolve) => {
    const finish = () => {
      clearTimeout(deadline);
      clearInterval(pacer);
      resolve(undefined);
    };
    const pump = () => {
      while (next < batch.length && waiting < inFlight && now() - t0 >= startAt(next)) {
        const client = batch[next++];
        clients.push(client);
        waiting++;
        client.join(t0 + deadlineMs).then(() => {
          waiting--;
          if (next === batch.length && waiting === 0) finish();
          else pump();
        });
      }
    };
    const deadline = setTimeout(finish, deadlineMs);
    const pacer = setInterval(pump, PACING_TICK_MS);
    if (batch.length === 0) finish();
    else pump();
  });
  const joined = batch.filter((c) => c.joined);
  return {
    startedAt: t0,
    endedAt: Math.max(t0, ...joined.map((c) => c.welcomeAt)),
    joined: joined.length,
    failed: batch.length - joined.length,
    joinMs: joined.map((c) => c.welcomeAt - c.joinSentAt),
    connectMs: joined.map((c) => c.welcomeAt - c.connectStartedAt),
  };
}

/**
 * A broadcaster for every room: a key of its own (seeded by the room's number, so
 * runs are comparable), proven to the server.
 * @param {{ rooms: Omit<ClientSpec, 'streamId' | 'role'>[] }} command
 */
async function broadcast({ rooms }) {
  const core = await loadCore();
  const signers = rooms.map(({ room }) => {
    const seed = new Uint8Array(32).fill(0x5c);
    new DataView(seed.buffer).setUint32(0, room);
    return new StreamSigner(core, seed);
  });
  const batch = rooms.map((spec, i) => new BenchClient({ ...spec, role: 'broadcaster', streamId: signers[i].streamId }, tally, signers[i]));
  const result = await joinAll(batch, { inFlight: 50, startAt: () => 0, deadlineMs: 30_000 });
  return { ...result, streamIds: signers.map((s) => s.streamId) };
}

/**
 * Sends `probesPerS` timestamped signals (spread evenly) for `seconds`, each from a
 * random joined client to another of the same room (on another instance when
 * `crossInstance`); then counts the clients that stayed joined and answered their pings.
 * @param {{ seconds: number, probesPerS: number, crossInstance: boolean }} command
 */
async function hold({ seconds, probesPerS, crossInstance }) {
  const atStart = clients.filter((c) => c.joined && c.open);
  /** @type {Map<number, BenchClient[]>} */
  const byRoom = new Map();
  for (const c of atStart) byRoom.set(c.spec.room, [...(byRoom.get(c.spec.room) ?? []), c]);
  for (const key of Object.keys(tally.relayMs)) delete tally.relayMs[Number(key)];
  for (const key of Object.keys(tally.relaySentAt)) delete tally.relaySentAt[Number(key)];
  tally.probesReceived = 0;
  let probesSent = 0;
  const t0 = now();
  const endAt = t0 + seconds * 1000;
  while (now() < endAt) {
    const due = Math.floor(((now() - t0) / 1000) * probesPerS) - probesSent;
    for (let i = 0; i < due && atStart.length > 1; i++) {
      const sender = atStart[Math.floor(Math.random() * atStart.length)];
      const receiver = pickReceiver(sender, byRoom.get(sender.spec.room) ?? [], crossInstance);
      if (receiver && sender.joined && receiver.joined) sender.probe(receiver.peerId);
      probesSent++;
    }
    await sleep(PACING_TICK_MS);
  }
  await sleep(PROBE_DRAIN_MS);
  const t1 = now();
  const held = atStart.filter((c) => c.open && c.joined && !(c.pingOutstandingSince && t1 - c.pingOutstandingSince > PONG_GRACE_MS));
  /** @type {Record<number, number>} */
  const heldByInstance = {};
  for (const c of held) heldByInstance[c.spec.instance] = (heldByInstance[c.spec.instance] ?? 0) + 1;
  const intervals = held.map((c) => c.reportEveryMs);
  return { heldFrom: atStart.length, held: held.length, heldByInstance, probesSent, probesReceived: tally.probesReceived, relayMs: tally.relayMs,
    relaySentAt: tally.relaySentAt, statsIntervalMs: { min: Math.min(...intervals), max: Math.max(...intervals) } };
}

/**
 * @param {BenchClient} sender
 * @param {BenchClient[]} room
 * @param {boolean} crossInstance
 */
function pickReceiver(sender, room, crossInstance) {
  for (let attempt = 0; attempt < 8; attempt++) {
    const receiver = room[Math.floor(Math.random() * room.length)];
    if (receiver !== sender && (!crossInstance || receiver.spec.instance !== sender.spec.instance)) return receiver;
  }
  return null;
}

/** @param {any} command */
async function handle(command) {
  switch (command.cmd) {
    case 'broadcast': return broadcast(command);
    case 'join': {
      const batch = command.clients.map((/** @type {ClientSpec} */ spec) => new BenchClient(spec, tally));
      return joinAll(batch, { inFlight: command.inFlight, startAt: () => 0, deadlineMs: command.deadlineMs });
    }
    case 'storm': {
      const batch = command.clients.map((/** @type {ClientSpec} */ spec) => new BenchClient(spec, tally));
      const spacingMs = (command.seconds * 1000) / Math.max(1, batch.length);
      return joinAll(batch, { inFlight: Infinity, startAt: (i) => i * spacingMs, deadlineMs: command.deadlineMs });
    }
    case 'hold': return hold(command);
    case 'stop': {
      clearInterval(heartbeat);
      for (const client of clients) client.end();
      const { errors, closes, signalsSent, signalsReceived, retries } = tally;
      return { errors, closes, signalsSent, signalsReceived, retries };
    }
    default: throw new Error(`unknown command ${command.cmd}`);
  }
}

process.on('message', (command) => {
  handle(command).then(
    (result) => process.send?.({ id: /** @type {any} */ (command).id, ...result }),
    (error) => process.send?.({ id: /** @type {any} */ (command).id, error: String(error?.stack ?? error) }),
  );
});
// main.mjs gone (finished or killed): nothing of this run may outlive it.
process.on('disconnect', () => process.exit(0));
