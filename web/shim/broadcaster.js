// A live broadcast: a media source → RenditionPublisher (WebCodecs encoders + wasm
// muxers: several aligned renditions and their signed list) or, in a browser without
// WebCodecs, ChunkRecorder (MediaRecorder + wasm segmenter: one rendition) →
// StreamSigner (signed init/chunk headers) → SwarmNode (the engine seeds the swarm),
// and, when the server runs an HTTP origin, a PUT of each signed item to it.
//   events: 'live', 'ended', 'published' (detail: {kind, rendition, epoch, seq, bytes}),
//           'viewers' (count), 'swarm' (detail: the server's summary, SwarmNode.swarm),
//           'chat' (detail: a line; see chat.js),
//           'error' (detail: {type, detail, fatal})
import { HeaderKind, StreamSigner } from '../core/index.js';
import { ChatVoice } from './chat.js';
import { ClipBuffer } from './clip-buffer.js';
import { ChunkRecorder } from './recorder.js';
import { RenditionPublisher, renditionOptions } from './rendition-publisher.js';
import { hasWebCodecs } from './frame-source.js';
import { ladderFields } from './rendition-ladder.js';
import { OriginClient } from './origin-client.js';
import { StreamListing } from './listing.js';
import { SwarmNode } from './swarm-node.js';
import { deviceConstraints } from './device.js';
import { nowMs } from './clock.js';
import { TypedEventTarget } from './typed-event-target.js';

/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('../core/index.js').HeaderKindValue} HeaderKindValue */
/** @typedef {import('./typed-event-target.js').SwarmcastErrorDetail} SwarmcastErrorDetail */
/** @typedef {import('./chat.js').ChatMessage} ChatMessage */
/** @typedef {import('./clip-buffer.js').ClipOptions} ClipOptions */
/** @typedef {import('./listing.js').StreamDescription} StreamDescription */
/** @typedef {import('./network-conditions.js').NetworkConditions} NetworkConditions */
/** @typedef {import('./recorder.js').RecorderOptions} RecorderOptions */
/** @typedef {import('./rendition-publisher.js').RenditionOptions} RenditionOptions */
/** @typedef {import('./rendition-publisher.js').RenditionLadderEvent} RenditionLadderEvent */
/** @typedef {import('./rendition-track.js').RenditionTrackStats} RenditionTrackStats */
/** @typedef {import('./origin-client.js').OriginItem} OriginItem */
/** @typedef {import('./swarm-node.js').SwarmNodeStats} SwarmNodeStats */
/** @typedef {import('./swarm-node.js').SwarmSummary} SwarmSummary */

/**
 * @typedef {object} BroadcasterOptions
 * @property {SwarmcastCore} core
 * @property {Uint8Array} seed The 32-byte stream key (loadOrCreateSeed); the stream id follows from it.
 * @property {string | string[]} signalingUrl ws(s)://host/signal, or several (instances of one swarm, tried in order).
 * @property {RecorderOptions} [recorder] The MediaRecorder path's options (a browser without WebCodecs).
 * @property {RenditionOptions | false} [renditions] The WebCodecs path's ladder and chunk length; false: record
 *   one rendition with MediaRecorder even where WebCodecs is there.
 * @property {StreamDescription} [listing] The title and tags for the live list (see describe()).
 * @property {ClipOptions} [clip] How much clip() keeps.
 * @property {NetworkConditions | null} [network] Simulated conditions on its peer links (the debug page).
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] 'relay': its peer links go through the TURN server the
 *   signaling server hands out, never directly; default 'all'.
 */

/**
 * @typedef {object} BroadcasterEvents
 * @property {{ streamId: string }} live Proven to the server and recording.
 * @property {null} ended
 * @property {{ kind: 'init' | 'chunk', rendition: number, epoch: number, seq: number, bytes: Uint8Array, publishedAt: number }} published
 * @property {number} viewers The number of viewers in the room (at most one update a second).
 * @property {SwarmSummary} swarm The server's view of the swarm, every 2 s while live.
 * @property {ChatMessage} chat
 * @property {SwarmcastErrorDetail} error
 */

/**
 * @typedef {object} BroadcasterStats
 * @property {string} streamId
 * @property {boolean} live
 * @property {number} viewers
 * @property {number} producedBytes
 * @property {number} producedChunks
 * @property {number} mediaBytesSent
 * @property {number} uploadBytesPerS Bytes/s this tab uploaded over the last 3 s or more.
 * @property {number} streamBytesPerS The stream's own rate: bytes/s produced over the same window.
 * @property {number} sourceUploadFactor Bytes this tab uploaded / bytes of stream produced: ~1-2 when the swarm carries it.
 * @property {SwarmSummary | null} swarm The server's view of the swarm, null until its first summary.
 * @property {SwarmNodeStats | null} node
 * @property {'webcodecs' | 'mediarecorder' | null} encoding How it encodes (null when not live).
 * @property {BroadcasterRenditionStats[]} renditions WebCodecs: each rendition's size, nominal and measured
 *   rate and encoder cost (empty with MediaRecorder). producedBytes and the rates above count rendition 0.
 * @property {number} framesSkipped WebCodecs: source frames skipped for every rendition (an encoder was behind).
 * @property {number} encoderCpuShare WebCodecs: the encoders' busy time over wall time, summed (1 = one core).
 * @property {number} ladderRevision The signed rendition list's revision (0: none published).
 */

/**
 * @typedef {RenditionTrackStats & { refusedChunks: number }} BroadcasterRenditionStats
 *   refusedChunks: chunks the engine did not take (an engine that carries only the list's top rendition)
 */

// Chunks are published ~0.75 s apart, so a 1 s window held one chunk or two: rates that
// swung by half from one second to the next.
const RATE_WINDOW_MS = 3000;

/**
 * Goes live from a MediaStream: MediaRecorder → segmenter → signed chunks → the swarm.
 * The stream id (and so the watch link) follows from `seed`; keep the seed to keep the
 * link (loadOrCreateSeed() does so in localStorage).
 * @extends {TypedEventTarget<BroadcasterEvents>}
 */
export class Broadcaster extends TypedEventTarget {
  #core;
  #signer;
  #signalingUrl;
  #recorderOptions;
  #origin;
  /** @type {SwarmNode | null} */
  #node = null;
  /** @type {ChunkRecorder | null} */
  #recorder = null;
  /** @type {RenditionPublisher | null} */
  #publisher = null;
  /** @type {RenditionOptions | false} */
  #renditionOptions;
  /** @type {Map<number, number>} chunks the engine refused, by rendition */
  #refused = new Map();
  #produced = { bytes: 0, chunks: 0 };
  #clips;
  #network;
  #iceTransportPolicy;
  // Over the last RATE_WINDOW_MS or more: what this tab uploaded, and what the stream produced.
  #rate = { at: 0, sent: 0, produced: 0, bytesPerS: 0, streamBytesPerS: 0 };
  #listing = new StreamListing((message) => this.#node?.tellServer(message) ?? false);

  /**
   * Throws RangeError for clip or rendition options out of range.
   * @param {BroadcasterOptions} options
   */
  constructor({ core, seed, signalingUrl, recorder = {}, renditions = {}, listing = {}, clip = {}, network = null,
    iceTransportPolicy = 'all' }) {
    super();
    // Checked now (RangeError), not when the stream goes live.
    this.#renditionOptions = renditions === false ? false : renditionOptions(renditions);
    this.#network = network;
    this.#iceTransportPolicy = iceTransportPolicy;
    this.#clips = new ClipBuffer(core, clip);
    this.#listing.describe(listing);
    this.#core = core;
    this.#signer = new StreamSigner(core, seed);
    /** The chat, signed with the stream key, so viewers see these lines as the broadcaster's. */
    this.chat = new ChatVoice(this.#signer);
    this.#signalingUrl = signalingUrl;
    this.#recorderOptions = recorder;
    // Uploads go to the instance the signaling is connected to (uploads happen only while live).
    this.#origin = new OriginClient(core, () => this.#node?.signalingUrl ?? '', this.#signer.streamId);
  }

  /** @returns {string} */
  get streamId() {
    return this.#signer.streamId;
  }

  /** @returns {boolean} */
  get live() {
    return this.#recorder !== null || this.#publisher !== null;
  }

  /**
   * Proves the stream key to the server, then records `stream` into the swarm. Rejects
   * with an Error when the server refuses (the stream is live elsewhere, a bad proof, a
   * full server) or when already live.
   * @param {MediaStream} stream
   * @returns {Promise<void>}
   */
  async goLive(stream) {
    if (this.live) throw new Error('already live');
    const node = new SwarmNode({
      core: this.#core, role: 'broadcaster', streamId: this.streamId, signer: this.#signer,
      signalingUrl: this.#signalingUrl, device: await deviceConstraints(), network: this.#network,
      iceTransportPolicy: this.#iceTransportPolicy,
    });
    this.#node = node;
    node.addEventListener('viewers', ({ detail }) => this.#emit('viewers', detail));
    node.addEventListener('swarm', ({ detail }) => this.#emit('swarm', detail));
    this.chat.attach(node, (type, detail) => this.#emit(type, detail));
    // The server forgets the listing with the connection: tell it again on each welcome.
    node.addEventListener('welcome', () => this.#listing.announce());
    node.addEventListener('error', ({ detail }) => this.#emit('error', detail));
    node.start();
    try {
      await node.welcomed;
    } catch (error) {
      node.stop();
      this.#node = null;
      throw error;
    }
    if (!(await this.#startRenditions(stream))) this.#startRecorder(stream);
    this.#listing.watch(stream);
    this.#rate = { at: performance.now(), sent: 0, produced: this.#produced.bytes, bytesPerS: 0, streamBytesPerS: 0 };
    this.#emit('live', { streamId: this.streamId });
  }

  /**
   * Goes on live from `stream` instead (camera to screen and back): viewers switch at
   * the next chunk, through a new init segment; the stream id and swarm stay. Rejects
   * when not live.
   * @param {MediaStream} stream
   * @returns {Promise<void>}
   */
  async switchSource(stream) {
    const recorder = this.#recorder;
    const publisher = this.#publisher;
    if (!recorder && !publisher) throw new Error('not live');
    if (publisher && !(await publisher.switchStream(stream))) {
      this.#emit('error', { type: 'encoder', detail: 'this browser cannot read the new source\'s sound for its encoders', fatal: true });
      await this.stop();
      return;
    }
    await recorder?.switchStream(stream);
    this.#listing.watch(stream);
  }

  /**
   * The WebCodecs path, where the browser has it: false when not (or when it cannot
   * read this stream's sound), and nothing started.
   * @param {MediaStream} stream
   * @returns {Promise<boolean>}
   */
  async #startRenditions(stream) {
    if (this.#renditionOptions === false || !hasWebCodecs()) return false;
    const publisher = new RenditionPublisher(this.#core, this.#renditionOptions);
    publisher.addEventListener('ladder', ({ detail }) => this.#publishLadder(detail));
    publisher.addEventListener('init', ({ detail }) => this.#publish(HeaderKind.init, detail));
    publisher.addEventListener('chunk', ({ detail }) => this.#publish(HeaderKind.chunk, detail));
    publisher.addEventListener('warning', ({ detail }) => this.#emit('error', detail));
    publisher.addEventListener('error', ({ detail }) => {
      this.#emit('error', detail);
      this.stop();
    });
    this.#publisher = publisher;
    if (await publisher.start(stream)) return true;
    this.#publisher = null;
    return false;
  }

  /** @param {MediaStream} stream */
  #startRecorder(stream) {
    const recorder = new ChunkRecorder(this.#core, stream, this.#recorderOptions);
    this.#recorder = recorder;
    recorder.addEventListener('init', ({ detail }) => this.#publish(HeaderKind.init, detail));
    recorder.addEventListener('chunk', ({ detail }) => this.#publish(HeaderKind.chunk, detail));
    recorder.addEventListener('error', ({ detail }) => {
      this.#emit('error', detail);
      this.stop();
    });
    recorder.start();
  }

  /**
   * Signs the renditions' list and hands it to the engine, before their first chunk.
   * @param {RenditionLadderEvent} ladder
   */
  #publishLadder({ revision, firstSeq, renditions, audioBitsPerSecond, frameRate }) {
    if (!this.#node) return;
    try {
      const signed = this.#signer.signLadder(ladderFields(renditions, { revision, firstSeq, audioBitrate: audioBitsPerSecond, frameRate }));
      if (!this.#node.publishLadder(signed)) throw new Error(`the engine refused revision ${revision}`);
      if (this.#node.origin) this.#report(this.#origin.putLadder(signed));
    } catch (error) {
      this.#emit('error', { type: 'publish', detail: `rendition list: ${error instanceof Error ? error.message : String(error)}`, fatal: false });
    }
  }

  /**
   * The title and tags the live list shows (GET /api/streams, the / page); a thumbnail
   * of the picture is sent every few seconds while live. Tags are normalised: lowercase
   * words joined by hyphens, at most five. Takes effect at once when live, else when
   * going live.
   * @param {StreamDescription} [description]
   */
  describe({ title = '', tags = [] } = {}) {
    this.#listing.describe({ title, tags });
  }

  /** @returns {import('./listing.js').Listing} */
  get description() {
    return this.#listing.description;
  }

  /**
   * Publishes the last chunk, then leaves; viewers play out their buffer and see the end.
   * @returns {Promise<void>}
   */
  async stop() {
    const recorder = this.#recorder;
    const publisher = this.#publisher;
    this.#recorder = null;
    this.#publisher = null;
    // The last chunk is published before the swarm is told the stream ended.
    await recorder?.stop();
    await publisher?.stop();
    this.#listing.stop();
    this.chat.detach();
    this.#node?.stop();
    this.#node = null;
    this.#emit('ended', null);
  }

  /**
   * The last `clip.seconds` published (30 by default) as a WebM file; null before the
   * first chunk.
   * @returns {Blob | null}
   */
  clip() {
    return this.#clips.clip();
  }

  /**
   * The dashboard's numbers (docs/ARCHITECTURE.md): source upload factor = bytes this tab uploaded
   * / bytes of stream produced; ~1-2 when the swarm carries the stream.
   * @returns {BroadcasterStats}
   */
  stats() {
    const node = this.#node?.stats() ?? null;
    const sent = node?.engine?.media_bytes_sent ?? 0;
    const now = performance.now();
    const produced = this.#produced.bytes;
    if (now - this.#rate.at >= RATE_WINDOW_MS) {
      /** @param {number} bytes */
      const perS = (bytes) => (bytes * 1000) / (now - this.#rate.at);
      this.#rate = { at: now, sent, produced, bytesPerS: perS(sent - this.#rate.sent), streamBytesPerS: perS(produced - this.#rate.produced) };
    }
    return {
      streamId: this.streamId,
      live: this.live,
      viewers: node?.viewers ?? 0,
      producedBytes: this.#produced.bytes,
      producedChunks: this.#produced.chunks,
      mediaBytesSent: sent,
      uploadBytesPerS: this.#rate.bytesPerS,
      streamBytesPerS: this.#rate.streamBytesPerS,
      sourceUploadFactor: this.#produced.bytes ? sent / this.#produced.bytes : 0,
      // The server's view of the swarm (SwarmNode.swarm), null until its first summary.
      swarm: this.#node?.swarm ?? null,
      node,
      ...this.#encodingStats(),
    };
  }

  /** @returns {Pick<BroadcasterStats, 'encoding' | 'renditions' | 'framesSkipped' | 'encoderCpuShare' | 'ladderRevision'>} */
  #encodingStats() {
    const encoding = this.#publisher ? 'webcodecs' : this.#recorder ? 'mediarecorder' : null;
    const s = this.#publisher?.stats();
    const renditions = (s?.renditions ?? []).map((r) => ({ ...r, refusedChunks: this.#refused.get(r.id) ?? 0 }));
    return {
      encoding, renditions, framesSkipped: s?.framesSkipped ?? 0, ladderRevision: s?.ladderRevision ?? 0,
      encoderCpuShare: renditions.reduce((sum, r) => sum + r.encoderCpuShare, 0),
    };
  }

  /**
   * @param {HeaderKindValue} kind
   * @param {{ rendition?: number, epoch: number, seq?: number, captureMs: number, durationMs?: number, keyframe?: boolean,
   *   bytes: Uint8Array }} item a recorded init segment (no seq, no duration) or chunk, of rendition 0 unless said
   */
  #publish(kind, { rendition = 0, epoch, seq = 0, captureMs, durationMs = 0, keyframe = true, bytes }) {
    if (!this.#node) return;
    const header = this.#signer.sign(kind, { epoch, seq, captureMs, durationMs, keyframe, rendition }, bytes);
    const ok = kind === HeaderKind.init ? this.#node.publishInit(header, bytes) : this.#node.publishChunk(header, bytes);
    if (!ok && rendition !== 0) {
      // An engine that carries only the list's top rendition (rendition 0) leaves the
      // others alone: counted, not an error.
      if (kind === HeaderKind.chunk) this.#refused.set(rendition, (this.#refused.get(rendition) ?? 0) + 1);
    } else if (!ok) {
      this.#emit('error', { type: 'publish', detail: `the engine refused ${kind === HeaderKind.init ? 'init' : 'chunk'} ${seq}`, fatal: false });
      return;
    }
    if (this.#node.origin) {
      /** @type {OriginItem} */
      const item = kind === HeaderKind.init ? { kind: 'init', rendition, number: epoch } : { kind: 'chunk', rendition, number: seq };
      this.#report(this.#origin.put(item, header, bytes));
    }
    // The clip holds one rendition: the top one.
    if (rendition === 0) this.#keep(kind, { epoch, seq, captureMs, bytes });
    this.#emit('published', { kind: kind === HeaderKind.init ? 'init' : 'chunk', rendition, epoch, seq, bytes, publishedAt: nowMs() });
  }

  /**
   * Rendition 0's items: kept for clips, counted as produced.
   * @param {HeaderKindValue} kind
   * @param {{ epoch: number, seq: number, captureMs: number, bytes: Uint8Array }} item
   */
  #keep(kind, { epoch, seq, captureMs, bytes }) {
    this.#clips.add({ init: kind === HeaderKind.init, epoch, captureMs, bytes });
    if (kind === HeaderKind.chunk) {
      this.#produced.bytes += bytes.length;
      this.#produced.chunks++;
    }
  }

  /**
   * Fire and forget: a lost upload costs only viewers who have no peer holding the item.
   * @param {Promise<string | null>} upload an OriginClient PUT
   */
  async #report(upload) {
    const problem = await upload;
    if (problem) this.#emit('error', { type: 'origin', detail: `HTTP origin: ${problem}`, fatal: false });
  }

  /**
   * @template {keyof BroadcasterEvents} K
   * @param {K} type
   * @param {BroadcasterEvents[K]} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
