// The first time each named moment of a viewer's startup happened (shim clock, ms), so
// a slow start can be taken apart phase by phase: signaling, ICE, first data, the
// engine's hand-over, the MSE append, the first frame on screen.
import { nowMs } from './clock.js';

export class Milestones {
  #at = new Map();

  mark(name) {
    if (!this.#at.has(name)) this.#at.set(name, nowMs());
  }

  at(name) {
    return this.#at.get(name) ?? null;
  }

  // { name: ms after `origin` } for every moment marked so far, in the order they came.
  since(origin) {
    return Object.fromEntries([...this.#at].map(([name, at]) => [name, at - origin]));
  }
}
