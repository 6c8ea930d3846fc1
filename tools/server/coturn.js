// Debian's coturn (`turnserver`, installed by tools/bootstrap.sh), started for one
// signaling server: `npm start -- --turn`, the browser tests and the field tests. It
// runs with use-auth-secret and a fresh random secret, which the signaling server uses
// to mint each client a credential of its own (createServer's `turn` option), so
// coturn needs no user list. It never outlives the process that started it: the kernel
// kills it when that process dies (parent-death signal), and stop() ends it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {object} CoturnOptions
 * @property {string} [listenAddress] where clients reach it (default 127.0.0.1)
 * @property {string} [relayAddress] where its relayed traffic leaves from (default listenAddress)
 * @property {number} [port] its STUN/TURN port, UDP and TCP (default: one free on
 *   listenAddress, found from this process: give one when `command` runs it in another
 *   network namespace)
 * @property {string} [secret] the shared secret (default: 24 random bytes)
 * @property {string} [realm] (default 'swarmcast')
 * @property {string[]} [command] a prefix it runs under, e.g. ['ip', 'netns', 'exec', 'ns1']
 * @property {number} [readyTimeoutMs] how long it may take to listen (default 10 s)
 */

/**
 * A running coturn.
 * @typedef {object} Coturn
 * @property {{ urls: string[], secret: string }} turn createServer's `turn` option for it
 * @property {number} port
 * @property {number | undefined} pid
 * @property {() => string} log the last of what it has written (verbose: every allocation and session)
 * @property {() => string[]} allocations the usernames of the allocations it granted, one per allocation
 *   (the first 10,000)
 * @property {() => Promise<void>} stop ends it (SIGTERM, then SIGKILL) and removes its files
 */

const LISTENING = (/** @type {string} */ address, /** @type {number} */ port) => `UDP listener opened on: ${address}:${port}`;
// Its log line for each allocation granted, naming the credential's user ("<expiry>:<name>").
const ALLOCATED = /session \d+: realm <[^>]*> user <([^>]*)>: incoming packet ALLOCATE processed, success/;
// Kept of its log, which grows with every session for as long as the server runs.
const LOG_KEPT_CHARS = 1 << 20;
const MAX_ALLOCATIONS_KEPT = 10_000;
const STOP_GRACE_MS = 3000;
const DIR_PREFIX = 'swarmcast-coturn-';

/**
 * Removes the files of coturns whose process is gone (a server killed outright leaves
 * its coturn's folder behind; the kernel has ended the coturn itself).
 */
function sweepStaleDirs() {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    try {
      process.kill(Number(readFileSync(join(dir, 'turnserver.pid'), 'utf8')), 0);
    } catch (error) {
      // Its coturn is gone. (No pid file yet: one starting now, in another process.)
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ESRCH') rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** @param {string} address */
const isLoopback = (address) => address === '::1' || address.startsWith('127.');

/**
 * A port free for both UDP and TCP on `address` (coturn listens on both).
 * @param {string} address
 * @returns {Promise<number>}
 */
async function freePort(address) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    const port = await new Promise((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, address, () => resolve(udp.address().port));
    });
    const tcp = createTcpServer();
    const tcpFree = await new Promise((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, address, () => resolve(true));
    });
    udp.close();
    if (tcpFree) await new Promise((resolve) => tcp.close(() => resolve(undefined)));
    if (tcpFree) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${address}`);
}

/**
 * Starts coturn; resolves once it listens, rejects (naming the last of its log) when it
 * exits or does not listen in time.
 * @param {CoturnOptions} [options]
 * @returns {Promise<Coturn>}
 */
export async function startCoturn({
  listenAddress = '127.0.0.1', relayAddress = listenAddress, port, secret = randomBytes(24).toString('base64url'),
  realm = 'swarmcast', command = [], readyTimeoutMs = 10_000,
} = {}) {
  sweepStaleDirs();
  const chosenPort = port ?? await freePort(listenAddress);
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  const config = join(dir, 'turnserver.conf');
  writeFileSync(config, [
    `listening-ip=${listenAddress}`, `relay-ip=${relayAddress}`, `listening-port=${chosenPort}`,
    'min-port=49152', 'max-port=65535',
    'use-auth-secret', `static-auth-secret=${secret}`, `realm=${realm}`,
    // Relaying on loopback, its peers are loopback addresses too (other clients' relayed
    // addresses), which coturn refuses unless told otherwise.
    ...(isLoopback(relayAddress) ? ['allow-loopback-peers'] : []),
    'fingerprint', 'no-tls', 'no-dtls', 'no-cli', 'no-tcp-relay', 'no-software-attribute',
    `userdb=${join(dir, 'turndb')}`, `pidfile=${join(dir, 'turnserver.pid')}`,
    'log-file=stdout', 'simple-log', 'verbose',
  ].join('\n'));
  // setpriv: the kernel sends it SIGKILL when this process dies, however it dies.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', ...command, 'turnserver', '-c', config],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let partialLine = '';
  /** @type {string[]} */
  const allocations = [];
  /** @param {Buffer} data */
  const read = (data) => {
    const text = String(data);
    output = (output + text).slice(-LOG_KEPT_CHARS);
    const lines = (partialLine + text).split('\n');
    partialLine = /** @type {string} */ (lines.pop());
    for (const line of lines) {
      const granted = ALLOCATED.exec(line);
      if (granted && allocations.length < MAX_ALLOCATIONS_KEPT) allocations.push(granted[1]);
    }
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  /** @type {Promise<void> | null} */
  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ready = LISTENING(listenAddress, chosenPort);
  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes(ready)) {
    const ended = child.exitCode !== null || child.signalCode !== null;
    if (ended || Date.now() > deadline) {
      await stop();
      const how = ended ? `exited (${child.exitCode ?? child.signalCode})` : `did not listen in ${readyTimeoutMs} ms`;
      throw new Error(`turnserver ${how}: ${output.slice(-400)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const host = listenAddress.includes(':') ? `[${listenAddress}]` : listenAddress;
  return {
    turn: { urls: [`turn:${host}:${chosenPort}?transport=udp`], secret },
    port: chosenPort,
    pid: child.pid,
    log: () => output,
    allocations: () => [...allocations],
    stop,
  };
}
