// The first time each named moment of a viewer's startup happened (shim clock, ms), so
// a slow start can be taken apart phase by phase: signaling, ICE, first data, the
// engine's hand-over, the MSE append, the first frame on screen.
import { nowMs } from './clock.js';

export class Milestones {
  /** @type {Map<string, number>} */
  #at = new Map();

  /**
   * Notes `name` now, unless it happened before.
   * @param {string} name
   */
  mark(name) {
    if (!this.#at.has(name)) this.#at.set(name, nowMs());
  }

  /**
   * When `name` first happened (shim clock, ms), or null.
   * @param {string} name
   * @returns {number | null}
   */
  at(name) {
    return this.#at.get(name) ?? null;
  }

  /**
   * { name: ms after `origin` } for every moment marked so far, in the order they came.
   * @param {number} origin
   * @returns {Record<string, number>}
   */
  since(origin) {
    return Object.fromEntries([...this.#at].map(([name, at]) => [name, at - origin]));
  }
}
