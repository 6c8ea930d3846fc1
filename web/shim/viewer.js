// Watching a stream: SwarmNode (signaling, links, engine) → MsePlayer. The engine hands
// over verified media in order; this module only forwards it and names the codecs.
//   events: 'statechange' (detail: state), 'error' (detail: {type, detail, fatal}),
//           'autoplay-blocked', 'chat' (detail: a line; see chat.js),
//           'listing' (detail: {title, tags}, as the broadcaster describes the stream)
//   states: connecting → waiting (no broadcaster yet) → joining → playing ⇄ stalled →
//           ended; or failed
import { Segmenter, StreamSigner, StreamVerifier } from '../core/index.js';
import { ChatVoice } from './chat.js';
import { ClipBuffer } from './clip-buffer.js';
import { MsePlayer } from './mse-player.js';
import { SwarmNode } from './swarm-node.js';
import { levelsOf, undecodableIds } from './rendition-levels.js';
import { DeviceWatch, parseUploadSetting, uploadConstraints } from './device.js';
import { nowMs } from './clock.js';
import { TypedEventTarget } from './typed-event-target.js';
/** @import { SwarmcastCore, PlayableItem } from '../core/index.js' */
/** @import { ChatMessage } from './chat.js' */
/** @import { ClipOptions } from './clip-buffer.js' */
/** @import { UploadSetting } from './device.js' */
/** @import { MsePlayerOptions, MsePlayerStats, LatencyMode } from './mse-player.js' */
/** @import { NetworkConditions } from './network-conditions.js' */
/** @import { RenditionLevel } from './rendition-levels.js' */
/** @import { PlaybackReport, StreamListingInfo, SwarmNodeStats } from './swarm-node-types.js' */
/** @import { SwarmcastErrorDetail } from './typed-event-target.js' */

/** @typedef {'connecting' | 'waiting' | 'joining' | 'playing' | 'stalled' | 'ended' | 'failed'} ViewerState */

/**
 * @typedef {object} ViewerOptions
 * @property {SwarmcastCore} core
 * @property {string} streamId
 * @property {HTMLVideoElement} video
 * @property {string | string[]} signalingUrl ws(s)://host/signal, or several (instances of one swarm, tried in order).
 * @property {MsePlayerOptions} [player]
 * @property {ClipOptions} [clip] For clip(): how far back, and how many bytes at most.
 * @property {NetworkConditions | null} [network] Simulated conditions on its peer links (the debug page).
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] 'relay': its peer links go through the TURN server the
 *   signaling server hands out, never directly; default 'all'.
 * @property {UploadSetting} [upload] How much this viewer gives the swarm: 'auto' (the default: nothing on
 *   metered data or a low battery, a reduced rate from a background tab), 'off', or a cap in kbit/s.
 */

/**
 * @typedef {object} ViewerEvents
 * @property {ViewerState} statechange
 * @property {SwarmcastErrorDetail} error
 * @property {undefined} autoplay-blocked The browser refused to start playback without a user gesture: call
 *   video.play() on one.
 * @property {ChatMessage} chat
 * @property {StreamListingInfo} listing The stream's title and tags, as its broadcaster describes it (on joining,
 *   then on each change).
 * @property {RenditionLevel[]} levels The stream's quality levels, highest first, when its rendition list arrives
 *   and at each new revision.
 */

/**
 * @typedef {object} ViewerStats
 * @property {ViewerState} state
 * @property {number | null} peerId
 * @property {number} peers
 * @property {number} shareFromPeers The share of this viewer's verified media that came from other viewers, not
 *   the broadcaster nor the HTTP origin.
 * @property {number} shareFromHttp The share that came from the server's HTTP origin (peers could not deliver in
 *   time).
 * @property {number | null} handoverLatencyMs Capture → handed to the player, p50 (the engine's model).
 * @property {number | null} startupMs Join asked → first frame composited.
 * @property {number | null} joinAskedAt When the join was asked (ms, the shim's wall clock).
 * @property {Record<string, number> | null} startupPhases ms after the join at which each startup moment first
 *   happened, in order: 'signaling-open', 'welcome', 'link-open', 'first-message', 'handed-over',
 *   'init-appended', 'chunk-appended', 'play', 'first-frame'.
 * @property {number | null} latencyMs Glass to glass of the frame on screen.
 * @property {ViewerRenditionStats} rendition The quality level: which plays, which was chosen, which exist.
 * @property {MsePlayerStats} player
 * @property {SwarmNodeStats | null} node
 */

/**
 * @typedef {object} ViewerRenditionStats
 * @property {number | null} current The rendition id the engine hands over now; null before the engine runs.
 * @property {'auto' | number} choice What setRendition() asked: 'auto' (the ABR rule) or one id.
 * @property {number[]} ids The stream's renditions, by id (0 alone for a stream without a list).
 * @property {RenditionLevel[]} levels The stream's quality levels from its signed list, highest first; empty for a
 *   stream without a list. A level whose codecs this browser cannot decode is marked so and never played.
 * @property {Record<number, number>} msOn Media played on each of them, in ms.
 * @property {number} switchesUp Switches made to a higher bitrate.
 * @property {number} switchesDown And to a lower one.
 */

const RENDITION_PLAYED_KEY = /^ms_on_rendition_(\d+)$/;

// A Cluster's ID (4 bytes) and size (at most 8): what the segmenter must see begin.
const CLUSTER_HEAD_BYTES = 12;

// The engine counts its deadlines from capture, but a chunk leaves the broadcaster up
// to ~0.5 s after its capture ended (the recorder's timeslice, then the cut at the next
// keyframe), which the player's own target absorbs as arrival lateness. Without this
// allowance the engine saw every chunk near its deadline on arrival and fetched it from
// the broadcaster (bench:swarm, 8 viewers: source upload factor 2.2; with it, 1.13).
const PUBLISH_DELAY_ALLOWANCE_MS = 500;
// The player starts the allowance nearer the live edge than the engine's target, so
// the engine starts with the chunk that holds the player's own starting point, and
// hands it over as soon as it is complete rather than when the engine's moment comes.
// With the engine's default lead (1 s) a joiner waited up to a second past the first
// fetch for its chosen chunk's moment (bench:swarm, 8 viewers: first message to
// hand-over p50 0.9-1.2 s; with this lead, 0.45-0.57 s).
const START_LEAD_MS = PUBLISH_DELAY_ALLOWANCE_MS;
const PLAYER_LEAD_MS = PUBLISH_DELAY_ALLOWANCE_MS;

/**
 * Watches a stream in a <video>. Throws TrustError at once when `streamId` is not a
 * stream id; everything later is an event.
 * @extends {TypedEventTarget<ViewerEvents>}
 */
export class Viewer extends TypedEventTarget {
  #core;
  /** @type {SwarmNode | null} */
  #node = null;
  #player;
  /** @type {PlayableItem | null} */
  #pendingInit = null;
  #clips;
  /** @type {StreamSigner | null} */
  #chatAuthor;
  #network;
  #iceTransportPolicy;
  /** @type {ViewerState} */
  #state = 'connecting';
  /** @type {number | null} */
  #joinAskedAt = null;
  /** @type {UploadSetting} */
  #upload = 'auto';
  /** @type {'auto' | number} */
  #renditionChoice = 'auto';
  /** @type {RenditionLevel[]} */
  #levels = [];
  // The device as it changes, from start() to stop(): each change reaches the engine at once.
  #device = new DeviceWatch(() => this.#node?.setDevice(uploadConstraints(this.#device.state, this.#upload)));

  /** @param {ViewerOptions} options */
  constructor({ core, streamId, video, signalingUrl, player = {}, clip = {}, network = null, upload = 'auto',
    iceTransportPolicy = 'all' }) {
    super();
    this.upload = upload;
    // Throws a TrustError for anything that is not a stream id, before any connection.
    new StreamVerifier(core, streamId).close();
    this.#core = core;
    this.streamId = streamId;
    this.signalingUrl = signalingUrl;
    this.#network = network;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#clips = new ClipBuffer(core, clip);
    // A key of its own for this visit: its chat lines are its, and nobody else's.
    this.#chatAuthor = new StreamSigner(core);
    // The swarm's chat (chat.js): chat.name, chat.say(text), chat.react(emoji).
    this.chat = new ChatVoice(this.#chatAuthor);
    this.#player = new MsePlayer(video, player);
    this.#player.addEventListener('statechange', () => this.#update());
    this.#player.addEventListener('error', ({ detail }) => {
      this.#emit('error', detail);
      this.#update();
    });
    this.#player.addEventListener('autoplay-blocked', () => this.dispatchEvent(new Event('autoplay-blocked')));
  }

  /** @returns {ViewerState} */
  get state() {
    return this.#state;
  }

  /**
   * The stream's title and tags as its broadcaster described them ('listing' events).
   * @returns {StreamListingInfo}
   */
  get listing() {
    return this.#node?.listing ?? { title: '', tags: [] };
  }

  // MsePlayer's latencyMode ('low' or 'smooth'), with the engine's deadlines moved to
  // match; it starts as the player option of that name says.
  /** @returns {LatencyMode} */
  get latencyMode() {
    return this.#player.latencyMode;
  }

  /** @param {LatencyMode} mode */
  set latencyMode(mode) {
    this.#player.latencyMode = mode;
    this.#node?.setTargetLatency(this.#engineTargetMs());
  }

  // The upload setting (UploadSetting); a change applies at once. TypeError for a value
  // that is none.
  /** @returns {UploadSetting} */
  get upload() {
    return this.#upload;
  }

  /** @param {UploadSetting} setting */
  set upload(setting) {
    const parsed = parseUploadSetting(setting);
    if (parsed === null) throw new TypeError(`upload is 'auto', 'off' or a whole number of kbit/s, not ${String(setting)}`);
    this.#upload = parsed;
    this.#node?.setDevice(uploadConstraints(this.#device.state, parsed));
  }

  /**
   * Which quality level to play: 'auto' (the engine's ABR rule) or one rendition id of
   * the stream's list, held whatever the link does, from the next chunk not yet handed
   * over. TypeError for anything else.
   * @param {'auto' | number} choice
   */
  setRendition(choice) {
    if (choice !== 'auto' && !(Number.isInteger(choice) && choice >= 0 && choice < 8))
      throw new TypeError(`a rendition is 'auto' or an id 0..7, not ${String(choice)}`);
    this.#renditionChoice = choice;
    this.#node?.setRenditionChoice(choice);
  }

  /**
   * The stream's quality levels (RenditionLevel), highest first; empty before its
   * rendition list arrives, and for a stream of one rendition.
   * @returns {RenditionLevel[]}
   */
  get levels() {
    return [...this.#levels];
  }

  // Where the engine's deadlines aim: the player's target at the start, in its mode.
  #engineTargetMs() {
    return this.#player.initialLatencyMs + PUBLISH_DELAY_ALLOWANCE_MS;
  }

  /** @returns {Promise<void>} */
  async start() {
    this.#joinAskedAt = nowMs();
    const node = new SwarmNode({
      core: this.#core, role: 'viewer', streamId: this.streamId, signalingUrl: this.signalingUrl,
      device: uploadConstraints(await this.#device.start(), this.#upload), targetLatencyMs: this.#engineTargetMs(),
      startLeadMs: START_LEAD_MS, playerLeadMs: PLAYER_LEAD_MS, playback: () => this.#playbackReport(),
      network: this.#network, iceTransportPolicy: this.#iceTransportPolicy,
    });
    this.#node = node;
    node.setRenditionChoice(this.#renditionChoice);
    node.addEventListener('state', ({ detail }) => {
      // Play out what is buffered; the player reports 'ended' when it runs dry.
      if (detail === 'ended') this.#player.end();
      this.#update();
    });
    node.addEventListener('welcome', () => this.#update());
    node.addEventListener('listing', ({ detail }) => this.#emit('listing', detail));
    node.addEventListener('ladder', ({ detail }) => {
      // Checked once per list: the engine then never picks what this browser cannot play.
      this.#levels = levelsOf(detail, MsePlayer.supports);
      node.setUndecodable(undecodableIds(this.#levels));
      this.#emit('levels', this.levels);
    });
    this.chat.attach(node, (type, detail) => this.#emit(type, detail));
    node.addEventListener('playable', ({ detail }) => this.#play(detail));
    node.addEventListener('error', ({ detail }) => {
      this.#emit('error', detail);
      if (detail.fatal) this.#update('failed');
    });
    node.start();
  }

  stop() {
    this.#device.stop();
    this.chat.detach();
    this.#node?.stop();
    this.#node = null;
    this.#player.destroy();
    // The voice is detached: nothing signs with the key again.
    this.#chatAuthor?.close();
    this.#chatAuthor = null;
  }

  // Everything a stats overlay or a test reads. shareFromPeers: the part of this
  // viewer's verified media that came from other viewers, not the broadcaster nor the
  // HTTP origin; shareFromHttp: the part that came from the origin.
  /** @returns {ViewerStats} */
  stats() {
    const node = this.#node?.stats() ?? null;
    const engine = node?.engine ?? null;
    const player = this.#player.stats();
    // Startup ends when the first frame is composited, not when play() resolves.
    const firstFrameAt = this.#player.milestones.at('first-frame');
    return {
      state: this.#state,
      peerId: node?.peerId ?? null,
      peers: engine?.peers ?? 0,
      shareFromPeers: engine?.share_from_peers ?? 0,
      shareFromHttp: engine?.share_from_http ?? 0,
      handoverLatencyMs: engine?.latency_p50_ms ?? null,  // capture → handed to the player (p50)
      joinAskedAt: this.#joinAskedAt,
      startupMs: firstFrameAt === null || this.#joinAskedAt === null ? null : firstFrameAt - this.#joinAskedAt,
      startupPhases: this.#startupPhases(),
      latencyMs: player.latencyMs,  // glass to glass, now
      rendition: this.#renditionStats(engine),
      player,
      node,
    };
  }

  /**
   * @param {import('../core/index.js').EngineStats | null} engine
   * @returns {ViewerRenditionStats}
   */
  #renditionStats(engine) {
    /** @type {Record<number, number>} */
    const msOn = {};
    for (const [key, ms] of Object.entries(engine ?? {})) {
      const id = RENDITION_PLAYED_KEY.exec(key)?.[1];
      if (id !== undefined && typeof ms === 'number') msOn[Number(id)] = ms;
    }
    return {
      current: engine?.rendition ?? null, choice: this.#renditionChoice, ids: Object.keys(msOn).map(Number),
      levels: this.levels, msOn, switchesUp: engine?.switches_up ?? 0, switchesDown: engine?.switches_down ?? 0,
    };
  }

  // How this viewer's playback has gone since its first frame, for the broadcaster's
  // view of the stream's health (SwarmNode's stats report); null before it.
  /** @returns {PlaybackReport | null} */
  #playbackReport() {
    const firstFrameAt = this.#player.milestones.at('first-frame');
    if (firstFrameAt === null) return null;
    const player = this.#player.stats();
    return {
      watchedMs: Math.max(0, Math.round(nowMs() - firstFrameAt)), stalledMs: Math.round(player.stalledMs), stalls: player.stalls,
      ...(player.latencyMs !== null && { latencyMs: Math.round(player.latencyMs) }),
    };
  }

  // When each startup moment came, in ms after the join was asked, in order.
  /** @returns {Record<string, number> | null} */
  #startupPhases() {
    if (this.#joinAskedAt === null) return null;
    const phases = { ...this.#node?.milestones.since(this.#joinAskedAt), ...this.#player.milestones.since(this.#joinAskedAt) };
    return Object.fromEntries(Object.entries(phases).sort(([, a], [, b]) => a - b));
  }

  // Back to the live edge after a pause ("back to live"): MsePlayer#seekToLive.
  seekToLive() {
    this.#player.seekToLive();
  }

  /**
   * The last seconds played (30 by default) as a WebM file (ClipBuffer); null before
   * the first chunk.
   * @returns {Blob | null}
   */
  clip() {
    return this.#clips.clip();
  }

  /** @param {PlayableItem[]} items */
  #play(items) {
    for (const item of items) {
      this.#clips.add({ init: item.init, epoch: item.epoch, rendition: item.rendition, captureMs: item.capture, bytes: item.bytes });
      if (item.init) {
        // Held until the first chunk of its epoch, or of its rendition at a switch: the
        // codecs are named from both. The player places that chunk by its capture time.
        this.#pendingInit = item;
        continue;
      }
      if (this.#pendingInit) {
        const init = this.#pendingInit.bytes;
        this.#pendingInit = null;
        const mimeType = this.#mimeTypeOf(init, item.bytes);
        if (!mimeType) {
          this.#emit('error', { type: 'media', detail: 'the stream\'s init segment names no codec this page knows', fatal: true });
          this.#update('failed');
          return;
        }
        this.#player.appendInit(init, mimeType);
      }
      this.#player.appendChunk(item.bytes, item.capture, item.keyframe);
    }
  }

  // The engine hands over init segments without a MIME type; the wasm segmenter names
  // the codecs from the init segment once it sees the next Cluster begin. The chunk's
  // head is enough for that: parsing the whole ~150 KB chunk held up the first append
  // by 30-100 ms on a busy machine.
  /**
   * @param {Uint8Array} init
   * @param {Uint8Array} chunk
   * @returns {string | null}
   */
  #mimeTypeOf(init, chunk) {
    const segmenter = new Segmenter(this.#core);
    try {
      const events = [...segmenter.push(init), ...segmenter.push(chunk.subarray(0, CLUSTER_HEAD_BYTES))];
      return events.find((event) => event.type === 'init')?.mimeType ?? null;
    } finally {
      segmenter.close();
    }
  }

  /** @param {ViewerState} [forced] */
  #update(forced) {
    const previous = this.#state;
    if (previous === 'failed') return;
    const playerState = this.#player.state;
    const streamState = this.#node?.streamState;
    /** @type {ViewerState} */
    let state;
    if (forced) state = forced;
    else if (playerState === 'failed') state = 'failed';
    else if (streamState === 'ended' && playerState !== 'playing') state = 'ended';
    else if (playerState === 'playing' || playerState === 'stalled' || playerState === 'ended') state = playerState;
    else if (streamState === 'live') state = 'joining';
    else if (streamState === 'waiting') state = 'waiting';
    else state = 'connecting';
    if (state === previous) return;
    this.#state = state;
    this.#emit('statechange', state);
  }

  /**
   * @template {keyof ViewerEvents} T
   * @param {T} type
   * @param {ViewerEvents[T]} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
