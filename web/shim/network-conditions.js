// Simulated network conditions for the debug page: every message a PeerLink receives
// is held back by a one-way latency, a random jitter, and, for a lost packet, a
// retransmission. The data channel is reliable and ordered, so on a real network loss
// shows up as exactly that: a late message that holds back every message behind it
// (head-of-line blocking), never a missing one. Change the fields at any time; links
// that share the object follow.
export const RETRANSMIT_MS = 200;  // SCTP's least retransmission timeout, about

/**
 * @typedef {object} NetworkConditionsOptions
 * @property {number} [latencyMs] One-way delay added to every message (ms).
 * @property {number} [jitterMs] Up to this much more, at random (ms).
 * @property {number} [lossRate] The probability (0-1) that a message is lost and retransmitted.
 */

/**
 * Simulated network conditions (the /debug page): every message a peer link receives
 * is held back by `latencyMs`, up to `jitterMs` more, and with probability `lossRate` a
 * retransmission (200 ms), in order, as a reliable channel delivers on a lossy network.
 * Change the fields at any time; the links that share the object follow.
 */
export class NetworkConditions {
  /**
   * @param {NetworkConditionsOptions} [conditions]
   * @param {() => number} [random] [0, 1), replaceable for tests.
   */
  constructor({ latencyMs = 0, jitterMs = 0, lossRate = 0 } = {}, random = Math.random) {
    this.latencyMs = latencyMs;
    this.jitterMs = jitterMs;
    this.lossRate = lossRate;
    this.random = random;
  }

  /** @returns {boolean} */
  get active() {
    return this.latencyMs > 0 || this.jitterMs > 0 || this.lossRate > 0;
  }

  /**
   * When a message that arrives at `now` is delivered: never before the one before it
   * (`previousAt`), as the channel is ordered.
   * @param {number} now
   * @param {number} previousAt
   * @returns {number}
   */
  deliveryTime(now, previousAt) {
    const lost = this.random() < this.lossRate ? RETRANSMIT_MS : 0;
    return Math.max(previousAt, now + this.latencyMs + this.random() * this.jitterMs + lost);
  }
}
