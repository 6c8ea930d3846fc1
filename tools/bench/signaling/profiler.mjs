// `--profile DIR`: a CPU profile of each server instance per phase, taken through the
// inspector the bench already opens on loopback (the server is SIGKILLed at the end, so
// node's own --cpu-prof, written at exit, would never be). Each phase's profile is a
// .cpuprofile file (Chrome DevTools opens it); `summary()` names where the time went.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

const ANSWER_TIMEOUT_MS = 60_000;
// A sample every 1 ms: fine enough for a phase of seconds, cheap enough not to change it.
const SAMPLING_INTERVAL_US = 1_000;

export class ServerProfiler {
  /** @type {WebSocket} */
  #session;
  #nextId = 1;
  /** @type {Map<number, (answer: any) => void>} */
  #waiting = new Map();

  /** @param {string} inspector the server's inspector URL */
  static async open(inspector) {
    const profiler = new ServerProfiler(new WebSocket(inspector, { perMessageDeflate: false, maxPayload: 1 << 30 }));
    await new Promise((resolve, reject) => {
      profiler.#session.once('open', resolve);
      profiler.#session.once('error', reject);
    });
    await profiler.#call('Profiler.enable');
    await profiler.#call('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    return profiler;
  }

  /** @param {WebSocket} session */
  constructor(session) {
    this.#session = session;
    session.on('message', (data) => {
      const answer = JSON.parse(String(data));
      this.#waiting.get(answer.id)?.(answer);
      this.#waiting.delete(answer.id);
    });
    session.on('error', () => {});
  }

  start() {
    return this.#call('Profiler.start');
  }

  /**
   * Stops the running profile and writes it to `dir/name.cpuprofile`.
   * @param {string} dir
   * @param {string} name
   * @returns {Promise<any>} the profile
   */
  async stop(dir, name) {
    const { profile } = await this.#call('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return profile;
  }

  close() {
    this.#session.close();
  }

  /**
   * @param {string} method
   * @param {object} [params]
   * @returns {Promise<any>}
   */
  #call(method, params = {}) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from the server's inspector`)), ANSWER_TIMEOUT_MS);
      this.#waiting.set(id, (answer) => {
        clearTimeout(timer);
        if (answer.error) reject(new Error(`${method}: ${answer.error.message}`));
        else resolve(answer.result);
      });
      this.#session.send(JSON.stringify({ id, method, params }));
    });
  }
}

/**
 * Where a profile's samples fell: the share of the time each function ran itself
 * (self) and was on the stack (total), the top `limit` of each, idle time left out of
 * neither so the shares add up to the phase.
 * @param {{ nodes: { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }[], samples: number[] }} profile
 * @param {number} [limit]
 */
export function summary(profile, limit = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const name = (/** @type {number} */ id) => {
    const { functionName, url, lineNumber } = /** @type {any} */ (byId.get(id)).callFrame;
    const file = url.replace(/^.*\/(tools|web|node_modules)\//, '$1/');
    return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
  };
  /** @type {Map<string, number>} */
  const self = new Map();
  /** @type {Map<string, number>} */
  const total = new Map();
  for (const sample of profile.samples) {
    const own = name(sample);
    self.set(own, (self.get(own) ?? 0) + 1);
    const seen = new Set();
    for (let id = /** @type {number | undefined} */ (sample); id !== undefined; id = parentOf.get(id)) {
      const key = name(id);
      if (!seen.has(key)) total.set(key, (total.get(key) ?? 0) + 1);
      seen.add(key);
    }
  }
  const n = profile.samples.length;
  const top = (/** @type {Map<string, number>} */ counts) => [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([where, count]) => `${((100 * count) / n).toFixed(1).padStart(5)} % ${where}`);
  return { samples: n, self: top(self), total: top(total) };
}
