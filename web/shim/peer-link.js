// One peer: an RTCPeerConnection with one ordered, reliable, binary data channel,
// negotiated out of band as channel 0. One side offers; SDP and ICE candidates leave
// through the `signal` callback and arrive through handleSignal(). Sends never fail
// silently: a message the channel cannot take yet waits in a queue that drains on
// `bufferedamountlow`, and bufferedAmount (channel + queue) is what the engine is told.
//   events: 'open', 'message' (detail: Uint8Array), 'drain' (the backlog fell below
//           lowWaterBytes), 'close' (detail: reason)
export const PEER_LINK_DEFAULTS = Object.freeze({
  iceServers: [],
  highWaterBytes: 1024 * 1024,   // above this the channel is left to drain
  lowWaterBytes: 256 * 1024,     // bufferedAmountLowThreshold
  openTimeoutMs: 15_000,         // ICE or DTLS that never completes
  conditions: null,              // simulated NetworkConditions on what arrives (debug page)
});

const CHANNEL_LABEL = 'swarmcast';

export class PeerLink extends EventTarget {
  #pc;
  #channel = null;
  #signal;
  #queue = [];
  #queuedBytes = 0;
  #pendingCandidates = [];
  #closed = false;
  #openTimer;
  #held = [];          // messages held back by simulated conditions, in order
  #heldUntil = 0;      // when the last held message is delivered
  #heldTimer = null;

  // peerId: the remote peer; initiator: this side offers; signal(data) sends {sdp} or
  // {candidate} to the remote peer through signaling. conditions: a NetworkConditions
  // that holds back what arrives (the debug page's simulated network), or null.
  constructor({ peerId, initiator, signal, ...options }) {
    super();
    this.peerId = peerId;
    this.options = { ...PEER_LINK_DEFAULTS, ...options };
    this.#signal = signal;
    this.bytesSent = 0;
    this.bytesReceived = 0;
    this.#pc = new RTCPeerConnection({ iceServers: this.options.iceServers });
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

  get open() {
    return this.#channel?.readyState === 'open';
  }

  get bufferedAmount() {
    return (this.#channel?.bufferedAmount ?? 0) + this.#queuedBytes;
  }

  async handleSignal(data) {
    if (this.#closed) return;
    try {
      if (data.sdp) {
        await this.#pc.setRemoteDescription(data.sdp);
        if (data.sdp.type === 'offer') {
          await this.#pc.setLocalDescription();
          this.#signal({ sdp: this.#pc.localDescription.toJSON() });
        }
        for (const candidate of this.#pendingCandidates.splice(0)) await this.#pc.addIceCandidate(candidate);
      } else if (data.candidate) {
        // Candidates can overtake the description they belong to.
        if (this.#pc.remoteDescription) await this.#pc.addIceCandidate(data.candidate);
        else this.#pendingCandidates.push(data.candidate);
      }
    } catch (error) {
      this.close(`signaling failed: ${error.message}`);
    }
  }

  // Queues when the channel is full or not open yet; never drops.
  send(bytes) {
    if (this.#closed) return;
    if (!this.open || this.#queue.length || this.#channel.bufferedAmount > this.options.highWaterBytes) {
      this.#queue.push(bytes);
      this.#queuedBytes += bytes.length;
      return;
    }
    this.#transmit(bytes);
  }

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
      this.#signal({ sdp: this.#pc.localDescription.toJSON() });
    } catch (error) {
      this.close(`cannot offer: ${error.message}`);
    }
  }

  #adopt(channel) {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = this.options.lowWaterBytes;
    channel.addEventListener('open', () => {
      clearTimeout(this.#openTimer);
      this.#drain();
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

  #deliver(bytes) {
    this.dispatchEvent(new CustomEvent('message', { detail: bytes }));
  }

  // Simulated conditions: each message waits for its delivery time, in arrival order.
  #hold(bytes, conditions) {
    const now = performance.now();
    this.#heldUntil = conditions?.active ? conditions.deliveryTime(now, this.#heldUntil) : Math.max(now, this.#heldUntil);
    this.#held.push({ at: this.#heldUntil, bytes });
    if (this.#held.length === 1) this.#releaseHeld();
  }

  #releaseHeld() {
    this.#heldTimer = null;
    const now = performance.now();
    while (this.#held.length && this.#held[0].at <= now) this.#deliver(this.#held.shift().bytes);
    if (this.#held.length && !this.#closed) this.#heldTimer = setTimeout(() => this.#releaseHeld(), this.#held[0].at - now);
  }

  #drain() {
    while (this.#queue.length && this.open && this.#channel.bufferedAmount <= this.options.highWaterBytes) {
      const bytes = this.#queue.shift();
      this.#queuedBytes -= bytes.length;
      this.#transmit(bytes);
    }
  }

  #transmit(bytes) {
    try {
      this.#channel.send(bytes);
      this.bytesSent += bytes.length;
    } catch (error) {
      // Larger than the SCTP message limit, or the channel died under us.
      this.close(`send failed: ${error.message}`);
    }
  }
}
