// The glass-to-glass latency the player aims at (see the live-edge policy in
// mse-player.js): the worst arrival lateness of the recent chunks plus a margin. A
// chunk's lateness is taken once it has been appended, not when it reached the player:
// it can only play from then, and an append that a busy page slows down is as much a
// cause of stalls as a slow swarm.
export class LatencyTarget {
  #options;
  #firstAt = null;
  #countFrom = null;  // chunks captured before this are not timed (see noteArrival)
  #samples = [];  // [{at, ms}]

  // options: initialLatencyMs, latencyMarginMs, latencyWindowMs, minLatencyMs,
  // maxLatencyMs, warmupMs (MSE_PLAYER_DEFAULTS).
  constructor(options) {
    this.#options = options;
    // The least it aims at: minLatencyMs, or more in MsePlayer's smooth latency mode.
    this.floorMs = options.minLatencyMs;
  }

  // A chunk whose first frame was captured at captureMs became playable at `now`.
  noteArrival(captureMs, now) {
    const { warmupMs, latencyWindowMs } = this.#options;
    this.#firstAt ??= now;
    this.#countFrom ??= now;
    // The join backlog (captured before the first chunk was appended, or arriving in
    // the burst after it) is as late as the point the player joined at, and says
    // nothing about the swarm. A smooth start's backlog spans ~6 s and, on a busy
    // machine, outlasts the warmup.
    if (captureMs < this.#countFrom || now - this.#firstAt < warmupMs) return;
    this.#samples.push({ at: now, ms: now - captureMs });
    while (this.#samples[0].at < now - latencyWindowMs) this.#samples.shift();
  }

  // Forgets the lateness measured so far, and leaves out the chunks captured before
  // `now`: they were fetched against the deadlines of another latency mode (a smooth
  // mode's far deadlines let the swarm take its time over them).
  forget(now) {
    this.#samples = [];
    this.#countFrom = now;
  }

  get ms() {
    if (!this.#samples.length) return this.initialMs;
    const worst = Math.max(...this.#samples.map((sample) => sample.ms));
    return this.#bounded(worst + this.#options.latencyMarginMs);
  }

  // The target before any chunk is timed: initialLatencyMs, within the floor.
  get initialMs() {
    return this.#bounded(this.#options.initialLatencyMs);
  }

  #bounded(ms) {
    return Math.min(this.#options.maxLatencyMs, Math.max(this.floorMs, ms));
  }
}
