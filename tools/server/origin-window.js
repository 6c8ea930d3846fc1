// One stream's items at the HTTP origin: the chunks of its newest sequence numbers and
// the init segments of its newest epochs, each of every rendition uploaded. The bounds
// are the stream's, whatever the number of renditions: at most `originChunks` sequence
// numbers and `originInits` epochs, and `originBytes` for everything together, the
// oldest sequence number (all its renditions) going first.

/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {'chunk' | 'init'} ItemKind */
/** @typedef {Map<number, Map<number, Uint8Array>>} ItemsByNumber seq or epoch -> rendition -> body */

/**
 * @param {ItemsByNumber} items
 * @returns {number} the smallest number held (the map is not empty)
 */
const oldest = (items) => Math.min(...items.keys());

export class RenditionWindow {
  /** @type {ItemsByNumber} */
  #chunks = new Map();
  /** @type {ItemsByNumber} */
  #inits = new Map();
  #bytes = 0;
  #limits;

  /** @param {Pick<Limits, 'originChunks' | 'originInits' | 'originBytes'>} limits */
  constructor(limits) {
    this.#limits = limits;
  }

  /** Every body held, in bytes. */
  get bytes() {
    return this.#bytes;
  }

  /**
   * Keeps `body`, replacing what was held under the same name, then trims to the bounds.
   * @param {ItemKind} kind
   * @param {number} rendition
   * @param {number} number a chunk's seq or an init segment's epoch
   * @param {Uint8Array} body
   */
  keep(kind, rendition, number, body) {
    const items = kind === 'init' ? this.#inits : this.#chunks;
    let renditions = items.get(number);
    if (!renditions) {
      renditions = new Map();
      items.set(number, renditions);
    }
    this.#bytes += body.length - (renditions.get(rendition)?.length ?? 0);
    renditions.set(rendition, body);
    this.#trim();
  }

  /**
   * @param {ItemKind} kind
   * @param {number} rendition
   * @param {number} number
   * @returns {Uint8Array | null}
   */
  get(kind, rendition, number) {
    return (kind === 'init' ? this.#inits : this.#chunks).get(number)?.get(rendition) ?? null;
  }

  /**
   * One rendition's chunk seqs and init epochs, oldest first.
   * @param {number} rendition
   * @returns {{ chunks: number[], inits: number[] }}
   */
  index(rendition) {
    /** @param {ItemsByNumber} items */
    const numbers = (items) => [...items].filter(([, r]) => r.has(rendition)).map(([n]) => n).sort((a, b) => a - b);
    return { chunks: numbers(this.#chunks), inits: numbers(this.#inits) };
  }

  /** @returns {number[]} the renditions anything is held of, ascending */
  renditions() {
    const ids = new Set();
    for (const items of [this.#chunks, this.#inits]) for (const renditions of items.values()) for (const id of renditions.keys()) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  }

  // Chunks go first under the byte cap: an init segment is small, and without it no
  // chunk of its epoch and rendition plays.
  #trim() {
    const { originChunks, originInits, originBytes } = this.#limits;
    while (this.#chunks.size > originChunks || (this.#bytes > originBytes && this.#chunks.size > 0)) this.#drop(this.#chunks);
    while (this.#inits.size > originInits || (this.#bytes > originBytes && this.#inits.size > 0)) this.#drop(this.#inits);
  }

  /** @param {ItemsByNumber} items */
  #drop(items) {
    const number = oldest(items);
    for (const body of items.get(number)?.values() ?? []) this.#bytes -= body.length;
    items.delete(number);
  }
}
