// A small internet of network namespaces for one test run, made of real kernel links:
//
//   hub namespace: bridge "br0" ─ veth ── server namespace   10.213.0.1 (signaling, TURN)
//                              ├─ veth ── host namespace      10.213.0.1x (no NAT)
//                              └─ veth ── router namespace    10.213.0.10x ── veth ── host 10.213.N.2
//   (the hub's own 10.213.0.254 on br0: everyone's default route, to nowhere)
//
// Every name starts with "scf<pid>-" (several runs can share a machine), every address
// lives only inside namespaces made here, and the bridge is in the hub namespace, not
// the machine's own. Caps are tc tbf on the sending end of each link: a host's uplink on
// its own interface, its downlink on the far end of its cable (the hub's or its
// router's). A router masquerades what leaves its wan side (fully-random: a new random
// port for every destination, a NAT that hole punching cannot cross) and, as a home
// router's conntrack does, lets in only replies to what went out. Unsolicited packets
// are dropped before conntrack keeps an entry for them: such an entry (a peer's check
// arriving before ours went out) would take the port our own packet to that peer
// needs, and masquerade would then pick another, breaking hole punching.
//
// close() removes it all: the child processes first, then the namespaces (which takes
// their interfaces, qdiscs and nft tables with them), then the temp folder. A signal or
// an exit without close() does the same synchronously; namespaces left by a run that was
// killed outright (SIGKILL) are removed by the next run's create().
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runIn, runQuietlySync } from './command.mjs';
import { requireField } from './preflight.mjs';

const NAME_PREFIX = 'scf';
const PUBLIC_NET = '10.213.0';
export const SERVER_ADDRESS = `${PUBLIC_NET}.1`;
// The hub's own address on the bridge: every namespace on it routes through it.
const UPSTREAM_ADDRESS = `${PUBLIC_NET}.254`;

/** @typedef {'cone' | 'random'} NatKind plain masquerade | masquerade fully-random */

/**
 * @typedef {object} HostOptions
 * @property {number} [uplinkKbit] cap on what the host sends
 * @property {number} [downlinkKbit] cap on what it receives
 * @property {NatKind} [nat] behind a router of its own doing this NAT
 */

/**
 * @typedef {object} Host
 * @property {string} name
 * @property {string} ns the namespace its programs run in
 * @property {string} address its own address
 * @property {string} publicAddress what the others see it as (its router's, behind a NAT)
 * @property {NatKind | null} nat
 * @property {{ ns: string, dev: string }} downlink where its downlink cap goes: the far end of its cable
 */

/** @param {number} pid */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

// Running, not a zombie waiting for a parent that does not reap (a container's init).
/** @param {number} pid */
function running(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

function namespaceNames() {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

// Namespaces of earlier runs whose process is gone (killed before it could clean up).
function removeOrphans() {
  for (const name of namespaceNames()) {
    const owner = new RegExp(`^${NAME_PREFIX}(\\d+)-`).exec(name);
    if (owner && !alive(Number(owner[1]))) runQuietlySync('ip', ['netns', 'del', name]);
  }
}

// tbf at `kbit`: a burst of 10 KiB (~80 ms at 1 Mbit/s; tbf needs at least one MTU) and
// at most 100 ms queued before it drops, as a home router's buffer does.
/**
 * @param {string} ns
 * @param {string} dev
 * @param {number} kbit
 */
function cap(ns, dev, kbit) {
  return run('tc', ['-n', ns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '10kb', 'latency', '100ms']);
}

/** @param {NatKind} kind */
function natRules(kind) {
  return `table ip nat {
  chain post { type nat hook postrouting priority srcnat; oifname "wan" masquerade${kind === 'random' ? ' fully-random' : ''}; }
}
table ip filter {
  chain forward { type filter hook forward priority filter; policy drop;
    iifname "lan" accept
    ct state established,related accept
  }
  chain input { type filter hook input priority filter; policy accept;
    iifname "wan" ct state new drop
  }
}
`;
}

export class Field {
  /** @type {string} */
  prefix;
  /** @type {string} */
  tempDir;
  /** @type {string[]} namespaces, in the order made */
  #namespaces = [];
  /** @type {Set<import('node:child_process').ChildProcess>} */
  #children = new Set();
  /** @type {Set<number>} every process that ran in its namespaces, for leftovers() */
  #pids = new Set();
  /** @type {(() => Promise<unknown>)[]} what close() ends first (the browsers) */
  #closers = [];
  #hostCount = 0;
  #closed = false;
  #onSignal = /** @param {NodeJS.Signals} signal */ (signal) => {
    this.closeSync();
    process.kill(process.pid, signal);
  };
  #onExit = () => this.closeSync();

  constructor() {
    this.prefix = `${NAME_PREFIX}${process.pid}-`;
    this.tempDir = mkdtempSync(join(tmpdir(), 'swarmcast-field-'));
    for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.once(signal, this.#onSignal);
    process.once('exit', this.#onExit);
  }

  /**
   * Checks the machine (one clear line if it cannot), then makes the hub with its
   * bridge and the server's namespace on it.
   * @returns {Promise<Field>}
   */
  static async create() {
    await requireField();
    removeOrphans();
    const field = new Field();
    try {
      const hub = await field.#namespace('hub');
      await run('ip', ['-n', hub, 'link', 'add', 'name', 'br0', 'type', 'bridge']);
      await run('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
      // The internet's far side: a packet to an address no one on the bridge owns (a
      // peer's private LAN address, from its host candidate) is discarded without a
      // word, as on the internet. With no route at all the sender's kernel refuses it
      // (ENETUNREACH), and coturn then closes the whole allocation that tried, taking
      // a relay-only viewer's working links with it.
      await run('ip', ['-n', hub, 'addr', 'add', `${UPSTREAM_ADDRESS}/24`, 'dev', 'br0']);
      await runIn(hub, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      await run('ip', ['-n', hub, 'route', 'add', 'blackhole', 'default']);
      await field.#plug(await field.#namespace('server'), 'eth0', hub, 'hs', `${SERVER_ADDRESS}/24`);
    } catch (error) {
      await field.close();
      throw error;
    }
    return field;
  }

  get hub() { return `${this.prefix}hub`; }
  get serverNs() { return `${this.prefix}server`; }

  /**
   * A namespace for a browser: on the bridge, or behind a router of its own.
   * @param {string} name
   * @param {HostOptions} [options]
   * @returns {Promise<Host>}
   */
  async addHost(name, { uplinkKbit, downlinkKbit, nat } = {}) {
    const index = ++this.#hostCount;
    const ns = await this.#namespace(name);
    /** @type {Host} */
    let host;
    if (!nat) {
      const address = `${PUBLIC_NET}.${10 + index}`;
      await this.#plug(ns, 'eth0', this.hub, `h${index}`, `${address}/24`);
      host = { name, ns, address, publicAddress: address, nat: null, downlink: { ns: this.hub, dev: `h${index}` } };
      if (downlinkKbit) await cap(this.hub, `h${index}`, downlinkKbit);
    } else {
      const router = await this.#namespace(`${name}-nat`);
      const wanAddress = `${PUBLIC_NET}.${100 + index}`;
      const lan = `10.213.${index}`;
      await this.#plug(router, 'wan', this.hub, `h${index}`, `${wanAddress}/24`);
      await run('ip', ['-n', router, 'link', 'add', 'name', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await run('ip', ['-n', router, 'addr', 'add', `${lan}.1/24`, 'dev', 'lan']);
      await run('ip', ['-n', router, 'link', 'set', 'lan', 'up']);
      await this.#up(ns, 'eth0', `${lan}.2/24`);
      await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', `${lan}.1`]);
      await runIn(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
      await run('ip', ['netns', 'exec', router, 'nft', '-f', '-'], { input: natRules(nat) });
      host = { name, ns, address: `${lan}.2`, publicAddress: wanAddress, nat, downlink: { ns: router, dev: 'lan' } };
      if (downlinkKbit) await cap(router, 'lan', downlinkKbit);
    }
    if (uplinkKbit) await cap(ns, 'eth0', uplinkKbit);
    return host;
  }

  /**
   * Caps what `host` receives at `kbit` from now on, or lifts the cap (null): a phone
   * walking out of coverage and back.
   * @param {Host} host
   * @param {number | null} kbit
   */
  async setDownlink(host, kbit) {
    const { ns, dev } = host.downlink;
    if (kbit) await cap(ns, dev, kbit);
    else await run('tc', ['-n', ns, 'qdisc', 'del', 'dev', dev, 'root']);
  }

  /**
   * Starts `command` in namespace `ns`; it is killed by close(), and by the kernel if
   * this process dies first (parent-death signal: even a SIGKILLed run leaves no
   * server or TURN process behind).
   * @param {string} ns
   * @param {string} command
   * @param {string[]} args
   * @param {import('node:child_process').SpawnOptions} [options]
   */
  spawn(ns, command, args, options = {}) {
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'ip', 'netns', 'exec', ns, command, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.#children.add(child);
    if (child.pid) this.#pids.add(child.pid);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /**
   * Has close() call `closer` first, before the processes and links go: a browser
   * closes cleanly while its network is still there.
   * @param {() => Promise<unknown>} closer
   */
  adopt(closer) {
    this.#closers.push(closer);
  }

  /**
   * What tc counted on `dev` in `ns`: bytes and packets sent, and packets dropped.
   * @param {string} ns
   * @param {string} dev
   */
  async qdiscStats(ns, dev) {
    const [qdisc] = JSON.parse(await run('tc', ['-s', '-j', '-n', ns, 'qdisc', 'show', 'dev', dev]));
    return { bytes: Number(qdisc.bytes), packets: Number(qdisc.packets), drops: Number(qdisc.drops) };
  }

  /** Removes everything this field made. Safe to call twice. */
  async close() {
    if (this.#closed) return;
    await Promise.all(this.#closers.map((closer) => closer().catch(() => {})));
    await Promise.all([...this.#children].map((child) => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
      child.once('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    })));
    // Whatever still runs in a namespace (a browser that did not close, a helper of
    // it) would keep that network alive after its name is gone.
    for (const ns of this.#namespaces) {
      const pids = (await run('ip', ['netns', 'pids', ns]).catch(() => '')).split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        this.#pids.add(pid);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // It ended in between.
        }
      }
    }
    for (const ns of [...this.#namespaces].reverse()) await run('ip', ['netns', 'del', ns]).catch(() => {});
    this.#finish();
  }

  /**
   * After close(): what is left of this field, its namespaces (by name) and its
   * processes still running, once they have had `graceMs` to end. Both lists are
   * empty when the teardown was complete.
   * @param {number} [graceMs]
   * @returns {Promise<{ namespaces: string[], processes: number[] }>}
   */
  async leftovers(graceMs = 3000) {
    const deadline = Date.now() + graceMs;
    let processes = [...this.#pids].filter(running);
    while (processes.length && Date.now() < deadline) {
      await sleep(50);
      processes = processes.filter(running);
    }
    return { namespaces: namespaceNames().filter((name) => name.startsWith(this.prefix)), processes };
  }

  // The same, synchronously: from a signal or exit handler.
  closeSync() {
    if (this.#closed) return;
    for (const child of this.#children) child.kill('SIGKILL');
    for (const ns of [...this.#namespaces].reverse()) runQuietlySync('ip', ['netns', 'del', ns]);
    this.#finish();
  }

  #finish() {
    this.#closed = true;
    this.#namespaces = [];
    rmSync(this.tempDir, { recursive: true, force: true });
    for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.off(signal, this.#onSignal);
    process.off('exit', this.#onExit);
  }

  /** @param {string} name */
  async #namespace(name) {
    const ns = `${this.prefix}${name}`;
    await run('ip', ['netns', 'add', ns]);
    this.#namespaces.push(ns);
    // IPv4 only: an IPv6 link-local address arrives a second or two after a link comes
    // up, and Chromium takes that for a network change and fails the requests in flight
    // (net::ERR_NETWORK_CHANGED).
    await runIn(ns, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  // A cable from `ns` (interface `dev`, with `cidr`) to the hub's bridge (port `port`).
  /**
   * @param {string} ns
   * @param {string} dev
   * @param {string} hub
   * @param {string} port
   * @param {string} cidr
   */
  async #plug(ns, dev, hub, port, cidr) {
    await run('ip', ['-n', hub, 'link', 'add', 'name', port, 'type', 'veth', 'peer', 'name', dev, 'netns', ns]);
    await run('ip', ['-n', hub, 'link', 'set', port, 'master', 'br0', 'up']);
    await this.#up(ns, dev, cidr);
    await run('ip', ['-n', ns, 'route', 'add', 'default', 'via', UPSTREAM_ADDRESS]);
  }

  /**
   * @param {string} ns
   * @param {string} dev
   * @param {string} cidr
   */
  async #up(ns, dev, cidr) {
    await run('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', dev]);
    await run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
}
