#!/usr/bin/env node
// npm run bench:signaling: a load bench of the signaling server over loopback.
//   node tools/bench/signaling/main.mjs [--instances 1|3] [--redis] [--peers N] [--rooms R]
//        [--storm N] [--storm-seconds T] [--settle-seconds W] [--rate M] [--seconds S] [--no-offers]
//        [--profile DIR]
// It starts the server(s) as child processes (`node tools/server/main.js`; with more
// than one instance, or --redis, also a redis-server on a free port that they share)
// and forks load generators, each holding at most 9,000 `ws` clients on a source
// address of its own (127.0.0.2, .3, ...): a process may hold 20,000 open files, and
// one source address has ~28,000 ephemeral ports towards one server port. Every client
// behaves like the product's SwarmNode with fake SDP (bench-client.mjs); --no-offers
// leaves out the offers and answers of the links, to time the join path alone. Phases:
//   1. broadcasters: one per room, each proving its key;
//   2. join: peers - rooms - storm viewers, as fast as the server answers (100 in
//      flight per generator): join rate and latency (join sent -> welcome);
//   3. storm: `storm` more viewers paced evenly over `storm-seconds`, into the loaded server;
//      then `settle-seconds` of heartbeats only, so that the hold measures the steady
//      state, not the storm's signals still queued;
//   4. hold: everyone heartbeats for `seconds` while `rate` probe signals per second go
//      from a client to another of its room (with several instances, to one on another
//      instance), timed by the receiving client: relay latency (one process, one clock).
// Server RSS (VmRSS) is read before the viewers join and after the hold, each time after
// a full garbage collection (through the server's inspector, on loopback), and as it is
// once all joined; CPU (/proc/<pid>/stat) over each phase; with --profile, a CPU profile of
// each server per phase goes to DIR (profiler.mjs: a .cpuprofile and a summary of where
// the time went; the profiling costs the server some CPU of its own). Prints one JSON
// object on stdout, progress on stderr; every process it started is killed at the end, also on failure.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import {
  cpuSeconds, forkWorker, heapUsed, killAll, machineBusySeconds, openFileLimit, rssKb, startRedis, startServerProcess,
} from './processes.mjs';
import { PING_INTERVAL_MS, STATS_INTERVAL_MS } from './bench-client.mjs';
import { ServerProfiler, summary } from './profiler.mjs';
import { addCounts, latency, mergeJoins, round, slicedP99, targetsMet } from './report.mjs';

const CLIENTS_PER_WORKER = 9_000;
const MAX_WORKERS = 8;               // 72,000 clients: more than the servers below can take
const SERVER_SPARE_FILES = 300;      // the server's own files: its port, the wasm, Redis, logs
const MAX_PEERS_PER_ROOM = 10_000;   // tools/server/limits.js maxPeersPerRoom, per instance
const MAX_ROOMS = 1_000;             // ... and maxRooms
const JOINS_IN_FLIGHT = 100;
const PHASE_SLACK_MS = 60_000;
const RELAY_SLICE_S = 5;            // the relay p99 is also given per slice of the hold this long

const log = (/** @type {string} */ line) => process.stderr.write(`bench:signaling: ${line}\n`);

/** @param {string} message */
function refuse(message) {
  log(message);
  process.exit(2);
}

function options() {
  const { values } = parseArgs({ options: {
    instances: { type: 'string', default: '1' }, redis: { type: 'boolean', default: false },
    peers: { type: 'string' }, rooms: { type: 'string' }, storm: { type: 'string', default: '5000' },
    'storm-seconds': { type: 'string', default: '5' }, 'settle-seconds': { type: 'string', default: '10' }, rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' }, 'no-offers': { type: 'boolean', default: false }, profile: { type: 'string' },
  } });
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 8) refuse('--instances is 1 to 8');
  const peers = Number(values.peers ?? (instances === 1 ? 19_000 : 50_000));
  const rooms = Number(values.rooms ?? Math.ceil(peers / 1_000));
  const storm = Number(values.storm);
  const stormSeconds = Number(values['storm-seconds']);
  const settleSeconds = Number(values['settle-seconds']);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const integer = (/** @type {number} */ x, /** @type {number} */ min, /** @type {number} */ max) => Number.isInteger(x) && x >= min && x <= max;
  if (!integer(rooms, 1, MAX_ROOMS)) refuse(`--rooms is 1 to ${MAX_ROOMS} (the server's maxRooms)`);
  if (!integer(storm, 0, peers)) refuse('--storm is 0 to --peers');
  if (!integer(peers, rooms + storm + 2, Infinity)) refuse('--peers must exceed --rooms (one broadcaster each) plus --storm by 2 at least');
  if (!(stormSeconds > 0 && stormSeconds <= 60)) refuse('--storm-seconds is above 0 and at most 60');
  if (!integer(settleSeconds, 0, 120)) refuse('--settle-seconds is 0 to 120');
  if (!integer(rate, 0, 20_000)) refuse('--rate is 0 to 20,000 messages/s');
  if (!(seconds >= 1 && seconds <= 600)) refuse('--seconds is 1 to 600');
  const files = openFileLimit();
  const perInstance = Math.ceil(peers / instances);
  if (perInstance + SERVER_SPARE_FILES > files) {
    refuse(`${peers} peers on ${instances} instance(s) is ${perInstance} sockets each, but a process may hold ${files} open files`
      + ` (ulimit -n) and a server needs ~${SERVER_SPARE_FILES} of its own: at most ${(files - SERVER_SPARE_FILES) * instances} peers;`
      + ' use more --instances');
  }
  const workers = Math.ceil(peers / CLIENTS_PER_WORKER);
  if (workers > MAX_WORKERS) refuse(`at most ${MAX_WORKERS * CLIENTS_PER_WORKER} peers (${MAX_WORKERS} load generators of ${CLIENTS_PER_WORKER})`);
  if (Math.ceil(peers / rooms / instances) > MAX_PEERS_PER_ROOM) {
    refuse(`${peers} peers in ${rooms} rooms exceeds the server's ${MAX_PEERS_PER_ROOM} peers per room on an instance: use more --rooms`);
  }
  return {
    instances, redis: values.redis || instances > 1, peers, rooms, storm, stormSeconds, settleSeconds, rate, seconds, workers, files,
    offers: !values['no-offers'], profile: values.profile ?? null,
  };
}

const config = options();
const deadline = setTimeout(() => {
  log('took too long: every process stopped');
  killAll();
  process.exit(1);
}, 4 * PHASE_SLACK_MS + (config.peers / 200 + config.stormSeconds + config.settleSeconds + config.seconds) * 1000);
deadline.unref();
process.on('exit', killAll);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.once(signal, () => process.exit(130));

// Viewer j goes to instance j % instances; consecutive runs of `instances` viewers
// share a room and a load generator, so every generator has, in every room it
// serves, clients on every instance (what the cross-instance probes need).
/** @param {number} j */
function viewerSpec(j) {
  const group = Math.floor(j / config.instances);
  return { room: group % config.rooms, instance: j % config.instances, worker: group % config.workers };
}

const sourceAddress = (/** @type {number} */ worker) => `127.0.0.${2 + worker}`;

const redis = config.redis ? await startRedis() : null;
/** @type {Awaited<ReturnType<typeof startServerProcess>>[]} */
const servers = [];
for (let i = 0; i < config.instances; i++) servers.push(await startServerProcess({ redisUrl: redis?.url }));
log(`${servers.length} server instance(s) on ports ${servers.map((s) => s.port).join(', ')}${redis ? `, Redis on ${redis.url}` : ''}`);

const workers = Array.from({ length: config.workers }, (_, i) => forkWorker(i));
const profilers = config.profile ? await Promise.all(servers.map((s) => ServerProfiler.open(s.inspector))) : [];
if (config.profile) mkdirSync(config.profile, { recursive: true });
const profileDir = config.profile ?? '';

/**
 * Ends each server's profile of a phase (with --profile): its .cpuprofile and summary
 * go to the profile directory, and the next phase's profile starts.
 * @param {string} phase
 * @param {boolean} [next] whether another phase follows
 */
async function profiled(phase, next = true) {
  await Promise.all(profilers.map(async (profiler, i) => {
    const name = `server-${i}-${phase}`;
    const { samples, self, total } = summary(await profiler.stop(profileDir, name));
    writeFileSync(join(profileDir, `${name}.txt`), [`${samples} samples`, '', 'self:', ...self, '', 'total:', ...total, ''].join('\n'));
    if (next) await profiler.start();
  }));
}
let nextCommandId = 1;
/**
 * One command to one load generator; resolves with its answer.
 * @param {number} w
 * @param {object} command
 * @returns {Promise<any>}
 */
function ask(w, command) {
  const id = nextCommandId++;
  const worker = workers[w];
  return new Promise((resolve, reject) => {
    const onMessage = (/** @type {any} */ answer) => {
      if (answer.id !== id) return;
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      if (answer.error) reject(new Error(`load generator ${w}: ${answer.error}`));
      else resolve(answer);
    };
    const onExit = (/** @type {number | null} */ code) => reject(new Error(`load generator ${w} exited (${code}) during ${JSON.stringify(command).slice(0, 40)}`));
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.send({ ...command, id });
  });
}

const snapshot = () => ({
  at: performance.now(), cpu: servers.map((s) => cpuSeconds(s.pid)), machine: machineBusySeconds(),
  generators: workers.reduce((total, w) => total + cpuSeconds(/** @type {number} */ (w.pid)), 0),
  redis: redis ? cpuSeconds(redis.pid) : 0,
});
/** @param {ReturnType<typeof snapshot>} from @param {ReturnType<typeof snapshot>} to */
const coresOver = (from, to) => {
  const seconds = (to.at - from.at) / 1000;
  return {
    seconds, serverSeconds: servers.reduce((total, _, i) => total + to.cpu[i] - from.cpu[i], 0),
    instances: servers.map((_, i) => round((to.cpu[i] - from.cpu[i]) / seconds, 2)),
    machine: round((to.machine - from.machine) / seconds, 2), generators: round((to.generators - from.generators) / seconds, 2),
    redis: round((to.redis - from.redis) / seconds, 2),
  };
};

// Each server's VmRSS in KiB as it is (`raw`) and after a full garbage collection
// (`kept`; without `collect`, as it is), and its JavaScript heap then (`heapKb`): V8
// keeps pages it collected, so the RSS follows the heap's high-water mark, the heap
// what the server still holds.
async function serverRss(collect = true) {
  const raw = servers.map((s) => rssKb(s.pid));
  const heapKb = (await Promise.all(servers.map((s) => heapUsed(s, collect)))).map((bytes) => Math.round(bytes / 1024));
  return { raw, kept: servers.map((s) => rssKb(s.pid)), heapKb };
}

/**
 * The connections the server counts itself; null (and why, on stderr) when it cannot say.
 * @param {{ port: number }} server
 * @returns {Promise<number | null>}
 */
async function serverConnectionCount(server) {
  try {
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return /** @type {{ connections: number }} */ (await response.json()).connections;
  } catch (error) {
    log(`server ${server.port} /healthz: ${/** @type {Error} */ (error).cause ?? error}`);
    return null;
  }
}

try {
  // 1. Broadcasters (this also loads the server's wasm core, which the RSS base includes).
  const broadcasters = await ask(0, { cmd: 'broadcast', rooms: Array.from({ length: config.rooms }, (_, room) => ({
    room, instance: room % config.instances, url: servers[room % config.instances].url, localAddress: sourceAddress(0), offers: config.offers,
  })) });
  if (broadcasters.failed > 0) throw new Error(`${broadcasters.failed} of ${config.rooms} broadcasters could not join`);
  const streamIds = /** @type {string[]} */ (broadcasters.streamIds);
  log(`${config.rooms} broadcasters live`);
  const { kept: rssBefore, heapKb: heapBefore } = await serverRss();

  const viewers = config.peers - config.rooms;
  const specs = Array.from({ length: viewers }, (_, j) => viewerSpec(j));
  /** @param {typeof specs} list @param {number} w */
  const clientsOf = (list, w) => list.filter((s) => s.worker === w).map(({ room, instance }) => ({
    room, instance, url: servers[instance].url, streamId: streamIds[room], role: 'viewer', localAddress: sourceAddress(w), offers: config.offers,
  }));

  // 2. Join as fast as the server answers.
  const rampSpecs = specs.slice(0, viewers - config.storm);
  log(`joining ${rampSpecs.length} viewers with ${config.workers} load generator(s)`);
  await Promise.all(profilers.map((p) => p.start()));
  const beforeJoin = snapshot();
  const ramp = mergeJoins(await Promise.all(workers.map((_, w) => ask(w, {
    cmd: 'join', clients: clientsOf(rampSpecs, w), inFlight: JOINS_IN_FLIGHT, deadlineMs: PHASE_SLACK_MS + rampSpecs.length * 5,
  }))));
  const afterJoin = snapshot();
  await profiled('join');
  log(`${ramp.joined} joined, ${ramp.failed} failed in ${round((ramp.endedAt - ramp.startedAt) / 1000)} s`);

  // 3. The storm, paced, into the loaded server.
  const stormSpecs = specs.slice(viewers - config.storm);
  log(`storm: ${stormSpecs.length} viewers in ${config.stormSeconds} s`);
  const storm = mergeJoins(await Promise.all(workers.map((_, w) => ask(w, {
    cmd: 'storm', clients: clientsOf(stormSpecs, w), seconds: config.stormSeconds, deadlineMs: config.stormSeconds * 1000 + PHASE_SLACK_MS,
  }))));
  const afterStorm = snapshot();
  await profiled('storm');
  // Uncollected: a full collection in every instance at once left their collection
  // cycles in step, and the next ones fell in the hold together, every ~15 s.
  const { raw: rssJoined, heapKb: heapJoined } = await serverRss(false);
  log(`storm: ${storm.joined} joined, ${storm.failed} failed`);
  await sleep(config.settleSeconds * 1000);
  const beforeHold = snapshot();

  // 4. Hold: heartbeats, stats and relay probes.
  log(`holding for ${config.seconds} s with ${config.rate} probe signals/s`);
  const crossInstance = config.instances > 1;
  const holdStartedAt = Date.now();
  const holds = await Promise.all(workers.map((_, w) => ask(w, {
    cmd: 'hold', seconds: config.seconds, probesPerS: config.rate / config.workers, crossInstance,
  })));
  const afterHold = snapshot();
  await profiled('hold', false);
  for (const profiler of profilers) profiler.close();
  const { raw: rssUncollected, kept: rssAfter, heapKb: heapAfter } = await serverRss();
  const serverConnections = await Promise.all(servers.map(serverConnectionCount));
  const finals = await Promise.all(workers.map((_, w) => ask(w, { cmd: 'stop' })));

  const relayByInstance = servers.map((_, i) => holds.flatMap((h) => h.relayMs[i] ?? []));
  const relayAll = relayByInstance.flat();
  const relaySentAt = servers.flatMap((_, i) => holds.flatMap((h) => h.relaySentAt[i] ?? []));
  const probesSent = holds.reduce((n, h) => n + h.probesSent, 0);
  const probesReceived = holds.reduce((n, h) => n + h.probesReceived, 0);
  const held = holds.reduce((n, h) => n + h.held, 0);
  const heldOn = servers.map((_, i) => holds.reduce((n, h) => n + (h.heldByInstance[i] ?? 0), 0));
  // The server's own count; the clients held on it when it is too busy to answer /healthz.
  const connectionsOn = servers.map((_, i) => serverConnections[i] ?? heldOn[i]);
  /** @param {number[]} before @param {number[]} after in KiB @param {number} i */
  const perConnection = (before, after, i) => (connectionsOn[i] > 0 ? Math.round(((after[i] - before[i]) * 1024) / connectionsOn[i]) : null);
  const cpu = { join: coresOver(beforeJoin, afterJoin), storm: coresOver(afterJoin, afterStorm), hold: coresOver(beforeHold, afterHold) };
  const sum = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0);
  const roomInstances = new Map();
  for (const s of specs) roomInstances.set(s.room, (roomInstances.get(s.room) ?? new Set()).add(s.instance));

  const result = {
    bench: 'signaling',
    config: {
      instances: config.instances, redis: config.redis, peers: config.peers, rooms: config.rooms, storm: config.storm,
      storm_seconds: config.stormSeconds, settle_seconds: config.settleSeconds, rate_per_s: config.rate, seconds: config.seconds, offers: config.offers,
      load_generators: config.workers,
      source_addresses: workers.map((_, w) => sourceAddress(w)), ping_interval_ms: PING_INTERVAL_MS,
      stats_timer_ms: STATS_INTERVAL_MS, open_file_limit: config.files, cores: cpus().length,
    },
    connections: {
      target: config.peers, joined: config.rooms + ramp.joined + storm.joined, failed: ramp.failed + storm.failed,
      retries: sum(finals.map((f) => f.retries)),
      held, held_from: holds.reduce((n, h) => n + h.heldFrom, 0), server_reported: serverConnections.includes(null) ? null : sum(/** @type {number[]} */ (serverConnections)),
    },
    join: {
      peers: rampSpecs.length, joined: ramp.joined, seconds: round((ramp.endedAt - ramp.startedAt) / 1000, 2),
      rate_per_s: round(ramp.joined / ((ramp.endedAt - ramp.startedAt) / 1000), 0), ...latency(ramp.joinMs),
      connect_and_join: latency(ramp.connectMs),
    },
    storm: {
      peers: stormSpecs.length, seconds: config.stormSeconds, joined: storm.joined, failed: storm.failed,
      ...latency(storm.joinMs), connect_and_join: latency(storm.connectMs),
    },
    relay: {
      rate_per_s: config.rate, between_instances: crossInstance, sent: probesSent, received: probesReceived,
      lost: probesSent - probesReceived, ...latency(relayAll),
      p99_ms_by_slice: slicedP99(relayAll, relaySentAt, holdStartedAt, RELAY_SLICE_S * 1000),
    },
    // How often the servers asked the held clients for their stats (limits.js statsReportsPerS).
    stats_interval_ms: {
      min: Math.min(...holds.map((h) => h.statsIntervalMs.min)), max: Math.max(...holds.map((h) => h.statsIntervalMs.max)),
    },
    rooms: { count: config.rooms, spanning_all_instances: [...roomInstances.values()].filter((set) => set.size === config.instances).length },
    server: {
      rss_kb_before: sum(rssBefore), rss_kb_joined_uncollected: sum(rssJoined), rss_kb: sum(rssAfter), rss_kb_uncollected: sum(rssUncollected),
      rss_bytes_per_connection: sum(connectionsOn) > 0 ? Math.round(((sum(rssAfter) - sum(rssBefore)) * 1024) / sum(connectionsOn)) : null,
      heap_kb_before: sum(heapBefore), heap_kb_joined_uncollected: sum(heapJoined), heap_kb: sum(heapAfter),
      heap_bytes_per_connection: sum(connectionsOn) > 0 ? Math.round(((sum(heapAfter) - sum(heapBefore)) * 1024) / sum(connectionsOn)) : null,
      cpu_cores: { join: round(sum(cpu.join.instances.map(Number)), 2), storm: round(sum(cpu.storm.instances.map(Number)), 2), hold: round(sum(cpu.hold.instances.map(Number)), 2) },
      // The CPU each unit of work cost, whatever share of the cores the server got: how
      // far one core would go on a machine of its own.
      cpu_ms_per_join: round((cpu.join.serverSeconds * 1000) / ramp.joined, 2),
      cpu_ms_per_storm_join: round((cpu.storm.serverSeconds * 1000) / storm.joined, 2),
      cpu_us_per_held_connection_s: round((cpu.hold.serverSeconds * 1e6) / held / cpu.hold.seconds, 1),
    },
    instances: servers.map((s, i) => ({
      port: s.port, connections: serverConnections[i], held: heldOn[i], rss_kb_before: rssBefore[i], rss_kb_joined_uncollected: rssJoined[i], rss_kb: rssAfter[i],
      rss_kb_uncollected: rssUncollected[i],
      rss_bytes_per_connection: perConnection(rssBefore, rssAfter, i),
      heap_kb_before: heapBefore[i], heap_kb_joined_uncollected: heapJoined[i], heap_kb: heapAfter[i],
      heap_bytes_per_connection: perConnection(heapBefore, heapAfter, i),
      cpu_cores: { join: cpu.join.instances[i], storm: cpu.storm.instances[i], hold: cpu.hold.instances[i] },
      relay_to_here: latency(relayByInstance[i]),
    })),
    // What else used the cores: this run's load generators, and everything on the
    // machine (them, the servers and any other work) — a busy machine slows every figure.
    load_generator_cores: { join: cpu.join.generators, storm: cpu.storm.generators, hold: cpu.hold.generators },
    redis: redis && { rss_kb: rssKb(redis.pid), cpu_cores: { join: cpu.join.redis, storm: cpu.storm.redis, hold: cpu.hold.redis } },
    machine_busy_cores: { join: cpu.join.machine, storm: cpu.storm.machine, hold: cpu.hold.machine },
    errors: addCounts(finals.map((f) => f.errors)),
    closes: addCounts(finals.map((f) => f.closes)),
    signals: { sent: sum(finals.map((f) => f.signalsSent)), received: sum(finals.map((f) => f.signalsReceived)) },
  };
  console.log(JSON.stringify({ ...result, targets_met: targetsMet(result) }, null, 2));
} catch (error) {
  log(String(/** @type {Error} */ (error)?.stack ?? error));
  process.exitCode = 1;
} finally {
  killAll();
  process.exit();
}
