// The plumbing a broadcaster and a viewer share: signaling, one PeerLink per peer, and
// the wasm SwarmEngine between them. The engine decides everything (whom to ask, whom
// to serve, whom to drop); this module only carries bytes and time to and from it:
// link messages → engine.onMessage, engine outbox → links, engine.tick,
// bufferedAmount → setBufferedAmount, engine disconnects → link.close().
// The engine answers requests, advertises and serves only in tick(), so the node ticks
// right after anything that gives it work (a burst of messages, a link opening or
// draining, a published chunk), not just on the periodic timer: otherwise every relay
// hop would wait up to a timer period, several times over.
// When the server runs an HTTP origin (welcome.origin), a viewer's engine also asks for
// what no peer can deliver in time; the node GETs it and hands it back.
// Its links are peer-links.js's, its reports to the server stats-report.js's; its
// options, events and stats are declared in swarm-node-types.js.
// (The type imports stand before the imports: after them, tsc would copy them into the
// emitted doc comment of SWARM_NODE_DEFAULTS, and docs/API.md with it.)
/** @import { StreamSigner, HttpFetch, DeviceConstraints, RenditionList } from '../core/index.js' */
/** @import { ChatResult } from './chat.js' */
/** @import { SignalingEvents } from './signaling.js' */
/** @import { ClientMessage, ServerMessageOf } from '../../tools/server/schema.js' */
/** @import { StreamListingInfo, StreamState } from './swarm-node-types.js' */
/** @typedef {import('./swarm-node-types.js').SwarmNodeOptions} SwarmNodeOptions */
/** @typedef {import('./swarm-node-types.js').SwarmNodeEvents} SwarmNodeEvents */
/** @typedef {import('./swarm-node-types.js').SwarmNodeStats} SwarmNodeStats */
/** @typedef {import('./swarm-node-types.js').SwarmSummary} SwarmSummary */
import { SwarmEngine } from '../core/index.js';
import { fromBase64url, toBase64url } from './base64url.js';
import { ChatNumbers } from './chat-numbers.js';
import { nowMs } from './clock.js';
import { frameTicker } from './frame-ticker.js';
import { OriginClient } from './origin-client.js';
import { PeerLinks } from './peer-links.js';
import { SignalingClient } from './signaling.js';
import { Milestones } from './milestones.js';
import { ReportPace, StatsReport } from './stats-report.js';
import { TypedEventTarget } from './typed-event-target.js';

/** @type {Readonly<Required<Pick<SwarmNodeOptions, 'tickMs' | 'statsIntervalMs' | 'minPeers' | 'peersRequestIntervalMs'>>>} */
export const SWARM_NODE_DEFAULTS = Object.freeze({
  tickMs: 100,                 // the periodic tick: timeouts, pings, re-requests
  statsIntervalMs: 2000,
  minPeers: 4,                 // fewer links than this: ask the server for more
  peersRequestIntervalMs: 3000,
});

/**
 * Signaling + one PeerLink per peer + the wasm SwarmEngine between them.
 * @extends {TypedEventTarget<SwarmNodeEvents>}
 */
export class SwarmNode extends TypedEventTarget {
  #core;
  #role;
  #streamId;
  #signer;
  #device;
  #timing;                     // the viewer engine's { targetLatencyMs, startLeadMs, playerLeadMs }
  /** @type {'auto' | number} */
  #renditionChoice = 'auto';   // the viewer's, kept for an engine made after it
  /** @type {number[]} */
  #undecodable = [];           // likewise
  /** @type {RenditionList | null} */
  #ladder = null;              // the engine's rendition list as last seen, for 'ladder' events
  #signaling;
  /** @type {SwarmEngine | null} */
  #engine = null;
  #links;
  #origin;                     // the server's HTTP origin, used when welcome.origin says it runs
  /** @type {ReturnType<typeof setInterval>[]} */
  #timers = [];
  /** @type {{ stop(): void } | null} */
  #ticker = null;
  #tickQueued = false;
  #statsReport = new StatsReport();
  #reportPace;
  #lastPeersRequest = 0;
  /** @type {string | null} */
  #lastServerError = null;
  /** @type {{ peerId: number, token: string } | null} */
  #resume = null;              // { peerId, token } from the last welcome
  #playback;
  #chatNumbers = new ChatNumbers();
  /** @type {Promise<SwarmNode>} */
  #welcomed;
  // The welcome promise's own, from the constructor on.
  /** @type {(node: SwarmNode) => void} */
  #resolveWelcomed = () => {};
  /** @type {(error: Error) => void} */
  #rejectWelcomed = () => {};

  /** @param {SwarmNodeOptions} options */
  constructor({ core, role, streamId, signer = null, signalingUrl, device = {}, canUpload = true, uploadKbps = 0,
    targetLatencyMs = 0, startLeadMs = 0, playerLeadMs = 0, playback = () => null, network = null,
    iceTransportPolicy = 'all', ...options }) {
    super();
    this.options = { ...SWARM_NODE_DEFAULTS, ...options };
    this.#reportPace = new ReportPace(this.options.statsIntervalMs);
    this.#core = core;
    this.#role = role;
    this.#streamId = streamId;
    this.#signer = signer;
    this.#playback = playback;
    this.#device = device;
    this.#timing = { targetLatencyMs, startLeadMs, playerLeadMs };
    /** @type {number | null} */
    this.peerId = null;
    /** @type {StreamState | null} */
    this.streamState = null;
    this.viewers = 0;
    // A broadcaster's view of its swarm from the server ('swarm' in docs/SIGNALING.md):
    // { viewers, carriedBytesPerS, roles, layers, unplaced, limited, health }; null until
    // the first.
    /** @type {SwarmSummary | null} */
    this.swarm = null;
    // A viewer's: the stream's title and tags as its broadcaster described them.
    /** @type {StreamListingInfo} */
    this.listing = { title: '', tags: [] };
    this.origin = false;         // the server runs the HTTP origin (from the welcome)
    // First signaling open, welcome, link open, message and hand-over to the player.
    this.milestones = new Milestones();
    // The instance the signaling is connected to now (it moves on failover) serves the origin.
    this.#origin = new OriginClient(core, () => this.#signaling.url, streamId);
    this.#welcomed = new Promise((resolve, reject) => {
      this.#resolveWelcomed = resolve;
      this.#rejectWelcomed = reject;
    });
    // Whoever awaits it sees the refusal; nobody awaiting it is not an error.
    this.#welcomed.catch(() => {});
    // After a dropped socket the join names our previous peer id and its resume token:
    // within the server's grace period we keep that id, so peers linked to us are not
    // told we left (and do not link to us a second time).
    this.#signaling = new SignalingClient(signalingUrl, () => ({
      type: 'join', role, streamId, canUpload, uploadKbps: Math.round(uploadKbps),
      ...(this.#resume && { resume: this.#resume }),
    }));
    this.#links = new PeerLinks(this.#signaling, network, {
      open: (peerId) => {
        this.milestones.mark('link-open');
        this.#engine?.connect(peerId, nowMs());
        this.#scheduleTick();
      },
      message: (peerId, bytes) => {
        if (!this.#engine) return;
        this.milestones.mark('first-message');
        this.#engine.onMessage(peerId, bytes, nowMs());
        this.#scheduleTick();
      },
      // Room in the channel again: the engine holds pieces back while it is full.
      drain: () => this.#scheduleTick(),
      closed: (peerId) => this.#engine?.disconnect(peerId, nowMs()),
    }, iceTransportPolicy);
    this.#listen();
  }

  /**
   * Resolves with the first welcome (from then on the engine exists); rejects when the
   * server refuses us for good (stream taken, bad proof, ...).
   * @returns {Promise<SwarmNode>}
   */
  get welcomed() {
    return this.#welcomed;
  }

  start() {
    this.#signaling.connect();
    // From a worker's timer: a page in a background tab runs its own timers about once
    // a second (Firefox: a 20 ms interval ran twice in 5 s), and peers waiting on its
    // answers would fetch from the broadcaster instead.
    this.#ticker = frameTicker(1000 / this.options.tickMs, () => this.#tick());
    this.#timers.push(setInterval(() => this.#report(), this.options.statsIntervalMs));
  }

  stop() {
    this.#timers.forEach(clearInterval);
    this.#timers = [];
    this.#ticker?.stop();
    this.#ticker = null;
    this.#tickQueued = false;
    this.#links.closeAll('leaving');
    this.#signaling.close();
    this.#engine?.delete();
    this.#engine = null;
  }

  /**
   * The signaling URL in use: connected to, or being tried.
   * @returns {string}
   */
  get signalingUrl() {
    return this.#signaling.url;
  }

  /**
   * A message about this stream for the server itself (the live list's describe and
   * thumbnail); false when signaling is not connected.
   * @param {ClientMessage} message
   * @returns {boolean}
   */
  tellServer(message) {
    return this.#signaling.send(message);
  }

  /**
   * Broadcaster: false when the engine refuses it, or before the welcome.
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} bytes
   * @returns {boolean}
   */
  publishInit(signedHeader, bytes) {
    return this.#engine?.publishInit(signedHeader, bytes, nowMs()) ?? false;
  }

  /**
   * Broadcaster: the new chunk's stripes leave at once, not at the next timer tick.
   * False when the engine refuses it, or before the welcome.
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} bytes
   * @returns {boolean}
   */
  publishChunk(signedHeader, bytes) {
    const ok = this.#engine?.publishChunk(signedHeader, bytes, nowMs()) ?? false;
    if (ok) this.#tick();
    return ok;
  }

  /**
   * Broadcaster: the stream's signed rendition list (StreamSigner.signLadder), before the
   * first chunk it speaks for. False when the engine refuses it, or before the welcome.
   * @param {Uint8Array} signedLadder
   * @returns {boolean}
   */
  publishLadder(signedLadder) {
    return this.#engine?.publishLadder(signedLadder, nowMs()) ?? false;
  }

  // Chat (swarm/chat.hpp): a line signed by `author` (a StreamSigner: the stream key for
  // the broadcaster, a key of its own for a viewer), which the engine delivers here and
  // passes to every peer. Returns the engine's verdict: 'new' once sent, 'flooding' over
  // the author's rate, 'not_joined' before the welcome. RangeError for a text or name
  // over the wire's limits.
  /**
   * @param {StreamSigner} author
   * @param {{ kind?: 'text' | 'reaction', name?: string, text: string }} line
   * @returns {ChatResult}
   */
  postChat(author, { kind = 'text', name = '', text }) {
    if (!this.#engine) return 'not_joined';
    const line = author.signChat(this.#streamId, { number: this.#chatNumbers.next(), sentAtMs: nowMs(), kind, name, text });
    const verdict = this.#engine.postChat(line, nowMs());
    this.#flush();
    return verdict;
  }

  // The device or the upload setting changed: peers are told now, not at the next tick.
  /** @param {DeviceConstraints} device */
  setDevice(device) {
    this.#device = device;
    this.#engine?.setDevice(device, nowMs());
    this.#flush();
  }

  // Viewer: the player now aims at `ms` of glass-to-glass latency; the engine's
  // deadlines follow (SwarmEngine.setTargetLatency).
  /** @param {number} ms */
  setTargetLatency(ms) {
    this.#timing.targetLatencyMs = ms;
    this.#engine?.setTargetLatency(ms, nowMs());
  }

  // Viewer: 'auto' or one rendition id, now or when the engine is made
  // (SwarmEngine.setRenditionChoice; TypeError for anything else).
  /** @param {'auto' | number} choice */
  setRenditionChoice(choice) {
    this.#engine?.setRenditionChoice(choice);
    this.#renditionChoice = choice;
    this.#flush();
  }

  // Viewer: the renditions this device cannot decode, now or when the engine is made
  // (SwarmEngine.setUndecodable; TypeError for anything but ids 0..7).
  /** @param {number[]} renditions */
  setUndecodable(renditions) {
    this.#engine?.setUndecodable(renditions);
    this.#undecodable = [...renditions];
    this.#flush();
  }

  /**
   * The stream's verified rendition list as the engine last held it (a 'ladder' event
   * says when it changes); null before one.
   * @returns {RenditionList | null}
   */
  get ladder() {
    return this.#ladder;
  }

  /** @returns {SwarmNodeStats} */
  stats() {
    return {
      peerId: this.peerId, role: this.#role, streamState: this.streamState, viewers: this.viewers, origin: this.origin,
      signaling: this.#signaling.connected, signalingUrl: this.#signaling.joinedUrl,
      links: this.#links.stats(), engine: this.#engine?.stats(nowMs()) ?? null,
    };
  }

  #listen() {
    /**
     * @template {keyof SignalingEvents} T
     * @param {T} type
     * @param {(detail: SignalingEvents[T]) => void} handler
     */
    const on = (type, handler) => this.#signaling.addEventListener(type, ({ detail }) => handler(detail));
    on('challenge', ({ nonce }) => this.#prove(nonce));
    on('welcome', (message) => this.#welcome(message));
    on('pong', ({ statsIntervalMs }) => this.#reportPace.ask(statsIntervalMs));
    on('state', ({ state }) => {
      this.streamState = state;
      this.#emit('state', state);
    });
    on('peers', ({ peers }) => this.#links.connectTo(peers));
    // Its signaling socket is gone: the tab closed or lost the network. Closing now
    // frees the engine from waiting out the link's silence timeout.
    on('peer-left', ({ peerId }) => this.#links.get(peerId)?.close('peer left'));
    on('viewers', ({ count }) => {
      this.viewers = count;
      this.#emit('viewers', count);
    });
    on('listing', ({ title, tags }) => {
      this.listing = { title, tags };
      this.#emit('listing', this.listing);
    });
    on('swarm', ({ type, ...summary }) => {
      this.swarm = summary;
      this.#emit('swarm', summary);
    });
    on('signal', ({ from, data }) => this.#links.handleSignal(from, data));
    on('error', ({ code, message }) => {
      this.#lastServerError = message;
      this.#emit('error', { type: 'signaling', detail: `${code}: ${message}`, fatal: false });
    });
    this.#signaling.addEventListener('open', () => {
      this.milestones.mark('signaling-open');
      this.#emit('signaling', { connected: true, url: this.#signaling.url });
    });
    on('close', ({ code, reason, final, url }) => {
      this.#emit('signaling', { connected: false, url });
      if (!final) return;
      const detail = `the server refused this ${this.#role}: ${this.#lastServerError ?? reason ?? code}`;
      this.#rejectWelcomed(new Error(detail));
      this.#emit('error', { type: 'signaling', detail, fatal: true });
    });
  }

  /** @param {string} nonce */
  #prove(nonce) {
    // Only a broadcaster is challenged, with a nonce the schema checked; a viewer has
    // no key to prove.
    const challenge = fromBase64url(nonce);
    if (!this.#signer || !challenge) return;
    const signature = this.#signer.signChallenge(challenge);
    this.#signaling.send({ type: 'prove', signature: toBase64url(signature) });
  }

  /** @param {ServerMessageOf<'welcome'>} welcome */
  #welcome({ peerId, role, peers, iceServers: servers, resumeToken, origin, statsIntervalMs }) {
    // The server's configured ICE servers, relayed as it was given them.
    const iceServers = /** @type {RTCIceServer[]} */ (servers);
    this.milestones.mark('welcome');
    // After a signaling reconnect the server knows us by the same id (resumed) or, past
    // its grace period, a new one; either way the engine and the open links (peer to
    // peer, not through the server) carry on as they were.
    this.#resume = { peerId, token: resumeToken };
    this.peerId = peerId;
    this.#links.iceServers = iceServers;
    this.origin = origin;
    this.#reportPace.ask(statsIntervalMs);
    if (!this.#engine) {
      this.#engine = new SwarmEngine(this.#core, {
        self: peerId, broadcaster: role === 'broadcaster', streamKey: this.#streamId, device: this.#device,
        httpOrigin: origin && role === 'viewer', ...this.#timing,
      });
      if (this.#renditionChoice !== 'auto') this.#engine.setRenditionChoice(this.#renditionChoice);
      if (this.#undecodable.length) this.#engine.setUndecodable(this.#undecodable);
    }
    if (role === 'broadcaster') this.streamState = 'live';
    this.#links.connectTo(peers);
    this.#resolveWelcomed(this);
    this.#emit('welcome', { peerId, role, peers, iceServers, origin });
  }

  #tick() {
    const engine = this.#engine;
    if (!engine) return;
    for (const link of this.#links.values()) {
      if (link.open) engine.setBufferedAmount(link.peerId, link.bufferedAmount);
    }
    engine.tick(nowMs());
    this.#flush();
    this.#askForPeers();
    this.#watchLadder(engine);
  }

  // A new list (a first one, or a higher revision) is news for the player: the levels
  // it offers and which of them the device decodes.
  /** @param {SwarmEngine} engine */
  #watchLadder(engine) {
    const ladder = engine.ladder();
    if (!ladder || ladder.revision === this.#ladder?.revision) return;
    this.#ladder = ladder;
    this.#emit('ladder', ladder);
  }

  // Each channel message is its own task; a zero-delay timeout runs after the burst
  // already queued, so one tick answers all of it.
  #scheduleTick() {
    if (this.#tickQueued) return;
    this.#tickQueued = true;
    setTimeout(() => {
      if (!this.#tickQueued) return;
      this.#tickQueued = false;
      this.#tick();
    }, 0);
  }

  #flush() {
    const engine = this.#engine;
    if (!engine) return;
    for (const { to, bytes } of engine.takeOutbox()) this.#links.get(to)?.send(bytes);
    for (const peerId of engine.takeDisconnects()) this.#links.get(peerId)?.close('dropped by the engine');
    const items = engine.takePlayable();
    if (items.length) {
      this.milestones.mark('handed-over');
      this.#emit('playable', items);
    }
    for (const request of engine.takeHttpFetches()) this.#fetchFromOrigin(request);
    for (const line of engine.takeChat()) this.#emit('chat', { ...line, fromBroadcaster: line.author === this.#streamId });
  }

  // The engine asks each fetch once and again later if nothing came, so a failed GET
  // is simply dropped. Once the stream has ended the origin has dropped its window.
  /** @param {HttpFetch} request */
  async #fetchFromOrigin(request) {
    if (this.streamState === 'ended') return;
    const got = await this.#origin.get(request);
    const engine = this.#engine;
    if (!got || !engine) return;
    if ('chunks' in got) {
      // A viewer no peer reaches learns the stream's renditions here (refused unless newer than its list).
      if (got.ladder) engine.publishLadder(got.ladder, nowMs());
      engine.onHttpIndex(got.chunks, nowMs());
    } else if (!engine.onHttpChunk(got.header, got.payload, nowMs())) {
      this.#emit('error', { type: 'origin', detail: `${request.kind} ${request.number} from the origin does not verify`, fatal: false });
      return;
    }
    this.#scheduleTick();
  }

  #askForPeers() {
    if (this.#role !== 'viewer' || this.streamState !== 'live' || this.#links.size >= this.options.minPeers) return;
    const now = performance.now();
    if (now - this.#lastPeersRequest < this.options.peersRequestIntervalMs) return;
    this.#lastPeersRequest = now;
    this.#signaling.send({ type: 'peers-request' });
  }

  #report() {
    if (!this.#engine || !this.#signaling.connected) return;
    const now = performance.now();
    if (this.#reportPace.due(now)) {
      // The server's schema knows the device's state and budget, not the viewer's choice.
      const { metered, batteryLow, hidden, uploadBudgetBytesPerS } = this.#device;
      const report = this.#statsReport.next(now, this.#engine.stats(nowMs()), this.#playback(),
        [...this.#links.values()], { metered, batteryLow, hidden, uploadBudgetBytesPerS });
      if (report) this.#signaling.send(report);
    }
    this.#links.readPaths();
  }

  /**
   * @template {keyof SwarmNodeEvents} T
   * @param {T} type
   * @param {SwarmNodeEvents[T]} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
