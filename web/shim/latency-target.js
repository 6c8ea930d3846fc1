// The glass-to-glass latency the player aims at (see the live-edge policy in
// live-edge-steering.js): the worst arrival lateness of the recent chunks plus a margin. A
// chunk's lateness is taken once it has been appended, not when it reached the player:
// it can only play from then, and an append that a busy page slows down is as much a
// cause of stalls as a slow swarm.
/**
 * MsePlayer's options of the same names (MSE_PLAYER_DEFAULTS says what each means).
 * @typedef {object} LatencyTargetOptions
 * @property {number} initialLatencyMs
 * @property {number} latencyMarginMs
 * @property {number} latencyWindowMs
 * @property {number} minLatencyMs
 * @property {number} maxLatencyMs
 * @property {number} warmupMs
 */

export class LatencyTarget {
  #options;
  /** @type {number | null} */
  #firstAt = null;
  /** @type {number | null} */
  #countFrom = null;  // chunks captured before this are not timed (see noteArrival)
  /** @type {{ at: number, ms: number }[]} */
  #samples = [];

  /** @param {LatencyTargetOptions} options */
  constructor(options) {
    this.#options = options;
    // The least it aims at: minLatencyMs, or more in MsePlayer's smooth latency mode.
    this.floorMs = options.minLatencyMs;
  }

  /**
   * A chunk whose first frame was captured at captureMs became playable at `now`.
   * @param {number} captureMs
   * @param {number} now
   */
  noteArrival(captureMs, now) {
    const { warmupMs, latencyWindowMs } = this.#options;
    const firstAt = this.#firstAt ??= now;
    const countFrom = this.#countFrom ??= now;
    // The join backlog (captured before the first chunk was appended, or arriving in
    // the burst after it) is as late as the point the player joined at, and says
    // nothing about the swarm. A smooth start's backlog spans ~6 s and, on a busy
    // machine, outlasts the warmup.
    if (captureMs < countFrom || now - firstAt < warmupMs) return;
    this.#samples.push({ at: now, ms: now - captureMs });
    while (this.#samples[0].at < now - latencyWindowMs) this.#samples.shift();
  }

  // Forgets the lateness measured so far, and leaves out the chunks captured before
  // `now`: they were fetched against the deadlines of another latency mode (a smooth
  // mode's far deadlines let the swarm take its time over them).
  /** @param {number} now */
  forget(now) {
    this.#samples = [];
    this.#countFrom = now;
  }

  /** @returns {number} */
  get ms() {
    if (!this.#samples.length) return this.initialMs;
    const worst = Math.max(...this.#samples.map((sample) => sample.ms));
    return this.#bounded(worst + this.#options.latencyMarginMs);
  }

  // The target before any chunk is timed: initialLatencyMs, within the floor.
  /** @returns {number} */
  get initialMs() {
    return this.#bounded(this.#options.initialLatencyMs);
  }

  /**
   * @param {number} ms
   * @returns {number}
   */
  #bounded(ms) {
    return Math.min(this.#options.maxLatencyMs, Math.max(this.floorMs, ms));
  }
}
