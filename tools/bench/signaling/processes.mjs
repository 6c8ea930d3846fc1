// The processes of a signaling bench run: the server instances (and their Redis) it
// measures, the load generators it forks, and what /proc says of each. Every child
// is registered here so that one call ends them all, whatever failed.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const SERVER_MAIN = fileURLToPath(new URL('../../server/main.js', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('./client-worker.mjs', import.meta.url));
const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ, what /proc/<pid>/stat counts in
const READY_TIMEOUT_MS = 20_000;

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
let stopping = false;

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} name how a death before the end is reported
 */
function track(child, name) {
  children.add(child);
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) process.stderr.write(`bench:signaling: ${name} (pid ${child.pid}) exited before the end: ${code ?? signal}\n`);
  });
  return child;
}

// Synchronous, so it also runs from process.on('exit').
export function killAll() {
  stopping = true;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** @returns {Promise<number>} a TCP port free on loopback right now */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once a line of the child's stdout matches `ready`; rejects if it exits first.
 * @param {import('node:child_process').ChildProcess} child
 * @param {RegExp} ready
 * @param {string} name
 */
function readyLine(child, ready, name) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const stop = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const onData = (/** @type {Buffer} */ part) => {
      seen += part;
      if (!ready.test(seen)) return;
      stop();
      resolve(undefined);
    };
    const onExit = (/** @type {number | null} */ code, /** @type {string | null} */ signal) => {
      stop();
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${seen}`));
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS} ms: ${seen}`));
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * redis-server on a free loopback port, nothing written to disk.
 * @returns {Promise<{ url: string, pid: number }>}
 */
export async function startRedis() {
  const port = await freePort();
  const child = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] }), 'redis-server');
  await readyLine(child, /Ready to accept connections/, 'redis-server');
  // Its log from then on is quiet unless something went wrong (a subscriber dropped for
  // its output buffer, memory): that explains a bad figure.
  child.stdout?.on('data', (part) => process.stderr.write(`redis: ${part}`));
  return { url: `redis://127.0.0.1:${port}`, pid: /** @type {number} */ (child.pid) };
}

/**
 * One `node tools/server/main.js` on a free loopback port, with the inspector on
 * loopback too, so that the bench can collect its garbage before reading its RSS.
 * @param {{ redisUrl?: string }} options
 * @returns {Promise<{ url: string, port: number, pid: number, inspector: string }>}
 */
export async function startServerProcess({ redisUrl }) {
  const port = await freePort();
  const args = ['--inspect=127.0.0.1:0', SERVER_MAIN, '--port', String(port), '--host', '127.0.0.1', ...(redisUrl ? ['--redis', redisUrl] : [])];
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }), `server ${port}`);
  const inspector = new Promise((resolve) => {
    let seen = '';
    child.stderr?.on('data', (part) => {
      seen += part;
      const found = /Debugger listening on (ws:\S+)/.exec(seen);
      if (found) resolve(found[1]);
    });
  });
  // The server's own complaints still reach the terminal; the inspector's notices do not.
  child.stderr?.on('data', (part) => {
    const lines = String(part).split('\n').filter((l) => l && !/Debugger (listening|ending|attached)|For help, see|Waiting for the debugger/.test(l));
    if (lines.length) process.stderr.write(`server ${port}: ${lines.join('\n')}\n`);
  });
  await readyLine(child, /swarmcast on /, `server on port ${port}`);
  // What it logs from then on (a lost Redis, a dead instance) explains a bad figure.
  child.stdout?.on('data', (part) => process.stderr.write(`server ${port}: ${part}`));
  return { url: `ws://127.0.0.1:${port}/signal`, port, pid: /** @type {number} */ (child.pid), inspector: await inspector };
}

/**
 * The bytes the server's JavaScript heap holds (through its inspector; NaN when the
 * server cannot be reached). With `collect`, after a full garbage collection, so that
 * its RSS counts what it keeps rather than what it has not yet collected.
 * @param {{ inspector: string }} server
 * @param {boolean} collect
 * @returns {Promise<number>}
 */
export function heapUsed({ inspector }, collect) {
  return new Promise((resolve) => {
    let heapUsed = NaN;
    const session = new WebSocket(inspector, { perMessageDeflate: false });
    const timer = setTimeout(() => session.terminate(), READY_TIMEOUT_MS);
    const usage = () => session.send(JSON.stringify({ id: 2, method: 'Runtime.getHeapUsage' }));
    session.on('open', () => (collect ? session.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })) : usage()));
    session.on('message', (data) => {
      const answer = JSON.parse(String(data));
      if (answer.id === 1) usage();
      if (answer.id !== 2) return;
      heapUsed = answer.result?.usedSize ?? NaN;
      session.close();
    });
    // A server that cannot be reached is reported by its exit; its figures read NaN.
    session.on('error', () => {});
    session.on('close', () => {
      clearTimeout(timer);
      resolve(heapUsed);
    });
  });
}

/**
 * A load-generator process; its messages arrive on the returned child.
 * @param {number} index
 */
export function forkWorker(index) {
  return track(fork(WORKER_MAIN, [String(index)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), `load generator ${index}`);
}

/**
 * /proc/<pid>/<file>, or null once the process is gone (its death is reported apart).
 * @param {number} pid
 * @param {string} file
 */
function procFile(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The process's resident memory, in KiB (VmRSS); NaN when it is gone.
 * @param {number} pid
 */
export function rssKb(pid) {
  const line = procFile(pid, 'status')?.split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) : NaN;
}

/**
 * CPU seconds the process has used (user + system); NaN when it is gone.
 * @param {number} pid
 */
export function cpuSeconds(pid) {
  // The command name (field 2) may hold spaces; the fields after its ')' are fixed.
  const stat = procFile(pid, 'stat');
  if (stat === null) return NaN;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S; // utime, stime
}

// Busy CPU seconds of the whole machine (all processes, all cores), to tell how much
// other work competed with the run.
export function machineBusySeconds() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4]; // idle, iowait
  return (ticks.reduce((a, b) => a + b, 0) - idle) / CLOCK_TICKS_PER_S;
}

// The soft limit on open files of this process (and so of the processes it starts).
export function openFileLimit() {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  return Number(line?.split(/\s{2,}/)[1] ?? 1024);
}
