// A SwarmNode's links: one PeerLink per peer, opened on the server's word (the server
// hands each pair out once and tells exactly one side: that side offers) or on a peer's
// offer, and dropped from the server's record (unlink) once closed.
import { PeerLink } from './peer-link.js';
/** @import { PeerSignal } from './peer-link.js' */
/** @import { NetworkConditions } from './network-conditions.js' */
/** @import { SignalingClient } from './signaling.js' */
/** @import { LinkStats } from './swarm-node-types.js' */

/**
 * What the node does as its links open, carry and close.
 * @typedef {object} PeerLinkHandlers
 * @property {(peerId: number) => void} open
 * @property {(peerId: number, bytes: Uint8Array<ArrayBuffer>) => void} message
 * @property {() => void} drain Room in a channel again.
 * @property {(peerId: number) => void} closed
 */

export class PeerLinks {
  /** @type {Map<number, PeerLink>} */
  #links = new Map();          // peerId → PeerLink
  #signaling;
  #conditions;
  #on;
  #iceTransportPolicy;
  /** @type {RTCIceServer[]} */
  iceServers = [];             // from the latest welcome: each new link uses them

  /**
   * @param {SignalingClient} signaling carries the links' signals
   * @param {NetworkConditions | null} conditions simulated on every link (the debug page)
   * @param {PeerLinkHandlers} on
   * @param {RTCIceTransportPolicy} [iceTransportPolicy] 'relay': every link through TURN only
   */
  constructor(signaling, conditions, on, iceTransportPolicy = 'all') {
    this.#signaling = signaling;
    this.#conditions = conditions;
    this.#on = on;
    this.#iceTransportPolicy = iceTransportPolicy;
  }

  get size() {
    return this.#links.size;
  }

  /**
   * @param {number} peerId
   * @returns {PeerLink | undefined}
   */
  get(peerId) {
    return this.#links.get(peerId);
  }

  values() {
    return this.#links.values();
  }

  /** @returns {LinkStats[]} */
  stats() {
    return [...this.#links.values()].map((link) => ({
      peerId: link.peerId, open: link.open, bytesSent: link.bytesSent, bytesReceived: link.bytesReceived,
      bufferedAmount: link.bufferedAmount, relayed: link.relayed,
    }));
  }

  // Each open link reads again whether it goes through a TURN relay (for the next stats).
  readPaths() {
    for (const link of this.#links.values()) if (link.open) link.readPath();
  }

  /** @param {{ peerId: number }[]} peers the server's choice: we offer to each */
  connectTo(peers) {
    for (const { peerId } of peers) {
      if (!this.#links.has(peerId)) this.#add(peerId, true);
    }
  }

  /**
   * @param {number} from
   * @param {unknown} data What the other peer's link signalled, relayed by the server as
   *   it was sent; a malformed one fails in handleSignal, which closes the link.
   */
  handleSignal(from, data) {
    const signal = /** @type {PeerSignal | null} */ (data);
    let link = this.#links.get(from);
    if (!link) {
      if (signal?.sdp?.type !== 'offer') return;
      link = this.#add(from, false);
    }
    link.handleSignal(/** @type {PeerSignal} */ (signal));
  }

  /** @param {string} reason */
  closeAll(reason) {
    for (const link of this.#links.values()) link.close(reason);
  }

  /**
   * @param {number} peerId
   * @param {boolean} initiator
   * @returns {PeerLink}
   */
  #add(peerId, initiator) {
    const link = new PeerLink({
      peerId, initiator, iceServers: this.iceServers, iceTransportPolicy: this.#iceTransportPolicy,
      conditions: this.#conditions,
      signal: (data) => this.#signaling.send({ type: 'signal', to: peerId, data }),
    });
    this.#links.set(peerId, link);
    link.addEventListener('open', () => this.#on.open(peerId));
    link.addEventListener('message', ({ detail }) => this.#on.message(peerId, detail));
    link.addEventListener('drain', () => this.#on.drain());
    link.addEventListener('close', () => {
      if (this.#links.get(peerId) !== link) return;
      this.#links.delete(peerId);
      this.#on.closed(peerId);
      this.#signaling.send({ type: 'unlink', peerIds: [peerId] });
    });
    return link;
  }
}
