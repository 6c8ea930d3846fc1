// Whether the broadcaster's encoders keep up, judged from what they give back: over a
// window of capture time, every rendition's encoder should return about as many frames
// as the source captured (frames skipped under load count against it). Behind in two
// windows running: the broadcaster drops a rendition.

/** @typedef {'ok' | 'behind' | 'judging'} HealthVerdict */

/**
 * @typedef {object} EncoderHealthOptions
 * @property {number} [windowMs] How long each judged window lasts (3000).
 * @property {number} [minShare] Output frames / captured frames below which an encoder is behind (0.8).
 * @property {number} [strikes] Windows behind running before it counts (2).
 */

export class EncoderHealth {
  #windowMs;
  #minShare;
  #strikes;
  /** @type {{ at: number, captured: number, out: number[] } | null} */
  #start = null;
  #behindWindows = 0;

  /** @param {EncoderHealthOptions} [options] */
  constructor({ windowMs = 3000, minShare = 0.8, strikes = 2 } = {}) {
    this.#windowMs = windowMs;
    this.#minShare = minShare;
    this.#strikes = strikes;
  }

  /**
   * @param {number} nowMs
   * @param {number} captured frames the source gave so far
   * @param {number[]} out frames each rendition's encoder gave back so far
   * @returns {HealthVerdict} 'behind' once an encoder has been behind `strikes` windows running
   */
  observe(nowMs, captured, out) {
    if (!this.#start || this.#start.out.length !== out.length) {
      this.#start = { at: nowMs, captured, out: [...out] };
      return 'judging';
    }
    if (nowMs - this.#start.at < this.#windowMs) return 'judging';
    const frames = captured - this.#start.captured;
    const start = this.#start;
    const behind = frames > 0 && out.some((n, i) => n - start.out[i] < this.#minShare * frames);
    this.#start = { at: nowMs, captured, out: [...out] };
    this.#behindWindows = behind ? this.#behindWindows + 1 : 0;
    return this.#behindWindows >= this.#strikes ? 'behind' : behind ? 'judging' : 'ok';
  }

  /** Forgets the past: after a rendition is dropped, the rest are judged afresh. */
  reset() {
    this.#start = null;
    this.#behindWindows = 0;
  }
}
