// Peer ids unique across instances and never reused, without a round trip per join:
// each instance takes blocks of 2^20 ids from one Redis counter and hands them out
// locally, asking for the next block while half of the current one is left.
import { randomBytes } from 'node:crypto';

const BLOCK = 2 ** 20;
// Without Redis at hand: a random block far above any the counter will reach
// (2^31..2^32, so ids stay under 2^52, well inside JSON's exact integers).
const RANDOM_BLOCKS = 2 ** 31;
const randomBlock = () => RANDOM_BLOCKS + randomBytes(4).readUInt32BE() % (2 ** 31 - 1);
// A Redis restarted without persistence starts the counter again: it is first raised
// past every block known to be in use, so no id is handed out twice.
export const TAKE_BLOCK_SCRIPT = `local at = tonumber(redis.call('GET', KEYS[1]) or '0')
if at < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])`;

export class PeerIdBlocks {
  #takeBlock;
  #next = 0;
  #end = 0;
  /** @type {number | null} */
  #spare = null;
  #asking = false;

  /**
   * @param {(atLeast: number) => Promise<number>} takeBlock the counter's next block, raised
   *   past `atLeast` first; rejects when Redis is away
   */
  constructor(takeBlock) {
    this.#takeBlock = takeBlock;
  }

  /**
   * Asks for a block (the first, or the spare); a failure leaves a random block to come.
   * @param {Iterable<number>} idsInUse peer ids this instance knows of, on any instance
   */
  async refill(idsInUse) {
    if (this.#asking || this.#spare !== null) return;
    this.#asking = true;
    let highest = Math.floor(this.#end / BLOCK) - 1;
    for (const peerId of idsInUse) {
      const block = Math.floor(peerId / BLOCK);
      if (block < RANDOM_BLOCKS && block > highest) highest = block;
    }
    try {
      this.#spare = await this.#takeBlock(Math.max(0, highest));
    } catch {
      // Redis is away: next() falls back on a random block if this one runs out.
    } finally {
      this.#asking = false;
    }
  }

  /**
   * @param {() => Iterable<number>} idsInUse for the refill it may start
   * @returns {number}
   */
  next(idsInUse) {
    if (this.#next >= this.#end) {
      const block = this.#spare ?? randomBlock();
      this.#spare = null;
      this.#next = block * BLOCK + 1;
      this.#end = (block + 1) * BLOCK;
    }
    if (this.#spare === null && this.#end - this.#next < BLOCK / 2) void this.refill(idsInUse());
    return this.#next++;
  }
}
