// One peer: an RTCPeerConnection with one ordered, reliable, binary data channel,
// negotiated out of band as channel 0. One side offers; SDP and ICE candidates leave
// through the `signal` callback and arrive through handleSignal(). Sends never fail
// silently: a message the channel cannot take yet waits in a queue that drains on
// `bufferedamountlow`, and bufferedAmount (channel + queue) is what the engine is told.
// Whether the link goes through a TURN relay is read from the connection's stats when it
// opens and on each readPath().
//   events: 'open', 'message' (detail: Uint8Array), 'drain' (the backlog fell below
//           lowWaterBytes), 'close' (detail: reason)
import { TypedEventTarget } from './typed-event-target.js';
/** @import { NetworkConditions } from './network-conditions.js' */

/**
 * @typedef {object} PeerLinkOptions
 * @property {RTCIceServer[]} [iceServers]
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] 'relay': only through a TURN relay (the iceServers' turn:
 *   ones), never directly; 'all' (the default): directly where possible.
 * @property {number} [highWaterBytes] Above this backlog the channel is left to drain.
 * @property {number} [lowWaterBytes] The channel's bufferedAmountLowThreshold: below it, 'drain'.
 * @property {number} [openTimeoutMs] ICE or DTLS that never completes closes the link.
 * @property {NetworkConditions | null} [conditions] Holds back what arrives (simulated conditions, the debug page).
 */

/**
 * What travels through signaling between the two ends: a description or a candidate.
 * @typedef {{ sdp?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit | null }} PeerSignal
 */

/**
 * @typedef {PeerLinkOptions & {
 *   peerId: number,
 *   initiator: boolean,
 *   signal: (data: PeerSignal) => void,
 * }} PeerLinkInit
 */

/**
 * @typedef {object} PeerLinkEvents
 * @property {undefined} open
 * @property {Uint8Array<ArrayBuffer>} message
 * @property {undefined} drain The send backlog fell below lowWaterBytes.
 * @property {string} close Why: 'connection failed', 'did not open in time', 'channel closed', ...
 */

/** @type {Readonly<Required<PeerLinkOptions>>} */
export const PEER_LINK_DEFAULTS = Object.freeze({
  iceServers: [],
  iceTransportPolicy: 'all',     // 'relay': through TURN only
  highWaterBytes: 1024 * 1024,   // above this the channel is left to drain
  lowWaterBytes: 256 * 1024,     // bufferedAmountLowThreshold
  openTimeoutMs: 15_000,         // ICE or DTLS that never completes
  conditions: null,              // simulated NetworkConditions on what arrives (debug page)
});

const CHANNEL_LABEL = 'swarmcast';

/**
 * One RTCPeerConnection with one ordered, reliable, binary data channel.
 * @extends {TypedEventTarget<PeerLinkEvents>}
 */
export class PeerLink extends TypedEventTarget {
  #pc;
  /** @type {RTCDataChannel | null} */
  #channel = null;
  #signal;
  /** @type {Uint8Array<ArrayBuffer>[]} */
  #queue = [];
  #queuedBytes = 0;
  /** @type {RTCIceCandidateInit[]} */
  #pendingCandidates = [];
  #closed = false;
  #openTimer;
  /** @type {{ at: number, bytes: Uint8Array<ArrayBuffer> }[]} */
  #held = [];          // messages held back by simulated conditions, in order
  #heldUntil = 0;      // when the last held message is delivered
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #heldTimer;

  /**
   * peerId: the remote peer; initiator: this side offers; signal(data) sends {sdp} or
   * {candidate} to the remote peer through signaling.
   * @param {PeerLinkInit} init
   */
  constructor({ peerId, initiator, signal, ...options }) {
    super();
    this.peerId = peerId;
    /** @type {Required<PeerLinkOptions>} */
    this.options = { ...PEER_LINK_DEFAULTS, ...options };
    this.#signal = signal;
    this.bytesSent = 0;
    this.bytesReceived = 0;
    /**
     * Its selected candidate pair goes through a TURN relay (at either end), as last read;
     * null until read once open.
     * @type {boolean | null}
     */
    this.relayed = null;
    const { iceServers, iceTransportPolicy } = this.options;
    this.#pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
    this.#pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) this.#signal({ candidate: candidate.toJSON() });
    });
    this.#pc.addEventListener('connectionstatechange', () => {
      if (this.#pc.connectionState === 'failed') this.close('connection failed');
    });
    this.#openTimer = setTimeout(() => this.close('did not open in time'), this.options.openTimeoutMs);
    // Negotiated (both sides create channel 0): it opens as soon as the SCTP association
    // is up, without the in-band open handshake, one round trip less for every joiner.
    this.#adopt(this.#pc.createDataChannel(CHANNEL_LABEL, { ordered: true, negotiated: true, id: 0 }));
    if (initiator) this.#offer();
  }

  /** @returns {boolean} */
  get open() {
    return this.#channel?.readyState === 'open';
  }

  /**
   * Channel backlog plus what waits in the link's own queue.
   * @returns {number}
   */
  get bufferedAmount() {
    return (this.#channel?.bufferedAmount ?? 0) + this.#queuedBytes;
  }

  /**
   * What the other end sent through signaling.
   * @param {PeerSignal} data
   * @returns {Promise<void>}
   */
  async handleSignal(data) {
    if (this.#closed) return;
    try {
      if (data.sdp) {
        await this.#pc.setRemoteDescription(data.sdp);
        if (data.sdp.type === 'offer') {
          await this.#pc.setLocalDescription();
          this.#signalLocalDescription();
        }
        for (const candidate of this.#pendingCandidates.splice(0)) await this.#pc.addIceCandidate(candidate);
      } else if (data.candidate) {
        // Candidates can overtake the description they belong to.
        if (this.#pc.remoteDescription) await this.#pc.addIceCandidate(data.candidate);
        else this.#pendingCandidates.push(data.candidate);
      }
    } catch (error) {
      this.close(`signaling failed: ${messageOf(error)}`);
    }
  }

  /**
   * Queues when the channel is full or not open yet; never drops.
   * @param {Uint8Array<ArrayBuffer>} bytes
   */
  send(bytes) {
    if (this.#closed) return;
    const channel = this.#channel;
    if (!channel || !this.open || this.#queue.length || channel.bufferedAmount > this.options.highWaterBytes) {
      this.#queue.push(bytes);
      this.#queuedBytes += bytes.length;
      return;
    }
    this.#transmit(channel, bytes);
  }

  /**
   * Reads whether the selected candidate pair is relayed into `relayed`; resolves with it.
   * @returns {Promise<boolean | null>}
   */
  async readPath() {
    if (this.#closed) return this.relayed;
    try {
      /** @type {Map<string, Record<string, unknown>>} */
      const report = new Map();
      (await this.#pc.getStats()).forEach((stat) => report.set(stat.id, stat));
      const pair = selectedPair(report);
      if (pair) {
        const type = (/** @type {unknown} */ id) => report.get(String(id))?.candidateType;
        this.relayed = type(pair.localCandidateId) === 'relay' || type(pair.remoteCandidateId) === 'relay';
      }
    } catch {
      // Closed while reading: what it was stays the answer.
    }
    return this.relayed;
  }

  /** @param {string} [reason] */
  close(reason = 'closed') {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#openTimer);
    clearTimeout(this.#heldTimer);
    this.#held = [];
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#channel?.close();
    this.#pc.close();
    this.dispatchEvent(new CustomEvent('close', { detail: reason }));
  }

  async #offer() {
    try {
      await this.#pc.setLocalDescription();
      this.#signalLocalDescription();
    } catch (error) {
      this.close(`cannot offer: ${messageOf(error)}`);
    }
  }

  // Set by the setLocalDescription() just awaited.
  #signalLocalDescription() {
    const description = this.#pc.localDescription;
    if (description) this.#signal({ sdp: description.toJSON() });
  }

  /** @param {RTCDataChannel} channel */
  #adopt(channel) {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = this.options.lowWaterBytes;
    channel.addEventListener('open', () => {
      clearTimeout(this.#openTimer);
      this.#drain();
      this.readPath();
      this.dispatchEvent(new Event('open'));
    });
    channel.addEventListener('message', ({ data }) => {
      if (!(data instanceof ArrayBuffer)) return;
      this.bytesReceived += data.byteLength;
      const conditions = this.options.conditions;
      if (conditions?.active || this.#held.length) this.#hold(new Uint8Array(data), conditions);
      else this.#deliver(new Uint8Array(data));
    });
    channel.addEventListener('bufferedamountlow', () => {
      this.#drain();
      this.dispatchEvent(new Event('drain'));
    });
    channel.addEventListener('close', () => this.close('channel closed'));
  }

  /** @param {Uint8Array<ArrayBuffer>} bytes */
  #deliver(bytes) {
    this.dispatchEvent(new CustomEvent('message', { detail: bytes }));
  }

  /**
   * Simulated conditions: each message waits for its delivery time, in arrival order.
   * @param {Uint8Array<ArrayBuffer>} bytes
   * @param {NetworkConditions | null} conditions
   */
  #hold(bytes, conditions) {
    const now = performance.now();
    this.#heldUntil = conditions?.active ? conditions.deliveryTime(now, this.#heldUntil) : Math.max(now, this.#heldUntil);
    this.#held.push({ at: this.#heldUntil, bytes });
    if (this.#held.length === 1) this.#releaseHeld();
  }

  #releaseHeld() {
    this.#heldTimer = undefined;
    const now = performance.now();
    let next = this.#held[0];
    while (next && next.at <= now) {
      this.#held.shift();
      this.#deliver(next.bytes);
      next = this.#held[0];
    }
    if (next && !this.#closed) this.#heldTimer = setTimeout(() => this.#releaseHeld(), next.at - now);
  }

  #drain() {
    const channel = this.#channel;
    while (channel && this.open && channel.bufferedAmount <= this.options.highWaterBytes) {
      const bytes = this.#queue.shift();
      if (!bytes) return;
      this.#queuedBytes -= bytes.length;
      this.#transmit(channel, bytes);
    }
  }

  /**
   * @param {RTCDataChannel} channel
   * @param {Uint8Array<ArrayBuffer>} bytes
   */
  #transmit(channel, bytes) {
    try {
      channel.send(bytes);
      this.bytesSent += bytes.length;
    } catch (error) {
      // Larger than the SCTP message limit, or the channel died under us.
      this.close(`send failed: ${messageOf(error)}`);
    }
  }
}

/**
 * The candidate pair in use: the transport's selected one (Chromium, Safari), or the
 * one marked selected (Firefox).
 * @param {Map<string, Record<string, unknown>>} report
 * @returns {Record<string, unknown> | undefined}
 */
function selectedPair(report) {
  for (const stat of report.values()) {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) return report.get(String(stat.selectedCandidatePairId));
  }
  return [...report.values()].find((stat) => stat.type === 'candidate-pair' && stat.selected === true);
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
