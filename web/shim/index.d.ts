// Types for `swarmcast/browser`: broadcast or watch a swarmcast stream from a page.
// Broadcaster and Viewer are the whole story for most pages; the classes behind them
// are exported for embedders that wire their own UI or transport.
//
// Errors: constructors and methods throw TypeError/TrustError for bad arguments;
// everything that goes wrong later arrives as an 'error' event whose detail is a
// SwarmcastErrorDetail. `fatal: true` means the object has stopped for good.
import type { ChatLine, ChatVerdict, DeviceConstraints, EngineStats, SwarmcastCore, StreamSigner } from '../core/index.js';

export { loadCore } from '../core/index.js';
export type { SwarmcastCore } from '../core/index.js';

export interface SwarmcastErrorDetail {
  /** Where it happened: 'signaling', 'media', 'append', 'segmenter', 'publish', 'origin', ... */
  type: string;
  /** A sentence for a person. */
  detail: string;
  fatal: boolean;
}

/** An EventTarget whose events carry typed CustomEvent details. */
interface TypedEventTarget<Events extends Record<string, unknown>> extends EventTarget {
  addEventListener<K extends keyof Events & string>(type: K,
    listener: (event: CustomEvent<Events[K]>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof Events & string>(type: K,
    listener: (event: CustomEvent<Events[K]>) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;
}
declare const TypedEventTarget: { new <Events extends Record<string, unknown>>(): TypedEventTarget<Events> };

// ------------------------------------------------------------------------ broadcaster

export interface BroadcasterEvents {
  /** Proven to the server and recording. */
  live: { streamId: string };
  ended: null;
  published: { kind: 'init' | 'chunk'; epoch: number; seq: number; bytes: Uint8Array; publishedAt: number };
  /** The number of viewers in the room (at most one update a second). */
  viewers: number;
  /** The server's view of the swarm, every 2 s while live. */
  swarm: SwarmSummary;
  chat: ChatMessage;
  error: SwarmcastErrorDetail;
  [type: string]: unknown;
}

/**
 * What the signaling server knows of a broadcaster's swarm ('swarm' in
 * docs/SIGNALING.md). The delivery figures and device states are the viewers' own
 * reports; the server vouches for none of them.
 */
export interface SwarmSummary {
  viewers: number;
  /** The sum of what the viewers report they deliver to each other, bytes/s. */
  carriedBytesPerS: number;
  /** Viewers by the role the peer scorer gives them. */
  roles: { superSeed: number; relay: number; leaf: number };
  /** Viewers by hops from the broadcaster, as the server assigned links; the last entry counts that deep or deeper. */
  layers: number[];
  /** Viewers not yet handed any peer. */
  unplaced: number;
  /** Viewers that relay less or not at all: no upload, a metered network, a low battery, a hidden tab. */
  limited: { cannotUpload: number; metered: number; batteryLow: number; hidden: number };
  /**
   * Playback as the viewers that report it see it: totals since each one's first frame
   * (stalledMs / watchedMs is the audience's rebuffer ratio) and their latency now.
   */
  health: { reporting: number; watchedMs: number; stalledMs: number; stalls: number; latencyP50Ms?: number; latencyMaxMs?: number };
}

export interface BroadcasterStats {
  streamId: string;
  live: boolean;
  viewers: number;
  producedBytes: number;
  producedChunks: number;
  mediaBytesSent: number;
  uploadBytesPerS: number;
  /** The stream's own rate: bytes/s produced over the last 3 s or more (as uploadBytesPerS). */
  streamBytesPerS: number;
  /** Bytes this tab uploaded / bytes of stream produced: ~1-2 when the swarm carries it. */
  sourceUploadFactor: number;
  swarm: SwarmSummary | null;
  node: SwarmNodeStats | null;
}

/**
 * Goes live from a MediaStream: MediaRecorder → segmenter → signed chunks → the swarm.
 * The stream id (and so the watch link) follows from `seed`; keep the seed to keep the
 * link (loadOrCreateSeed() does so in localStorage).
 */
export interface StreamDescription {
  title?: string;
  /** An array, or one comma-separated string. */
  tags?: string[] | string;
}

export class Broadcaster extends TypedEventTarget<BroadcasterEvents> {
  constructor(options: {
    core: SwarmcastCore; seed: Uint8Array; signalingUrl: string; recorder?: RecorderOptions; listing?: StreamDescription;
    clip?: ClipOptions; network?: NetworkConditions | null;
  });
  readonly streamId: string;
  readonly live: boolean;
  /**
   * Proves the stream key to the server, then records `stream`. Rejects with an Error
   * when the server refuses (the stream is live elsewhere, a bad proof, a full server)
   * or when already live.
   */
  goLive(stream: MediaStream): Promise<void>;
  /**
   * While live, records `stream` instead (camera to screen and back). Viewers switch at
   * the next chunk through a new init segment; the stream id and the swarm stay.
   * Rejects when not live.
   */
  switchSource(stream: MediaStream): Promise<void>;
  /**
   * The title and tags the live list (GET /api/streams, the / page) shows; while live a
   * thumbnail of the picture is sent every few seconds too. Tags are normalised to
   * lowercase words joined by hyphens, at most five. Takes effect at once when live.
   */
  describe(description: StreamDescription): void;
  readonly description: { title: string; tags: string[] };
  /** Publishes the last chunk, then leaves; viewers play out their buffer and see the end. */
  stop(): Promise<void>;
  stats(): BroadcasterStats;
  /** The last `clip.seconds` published (30 by default) as a WebM file; null before the first chunk. */
  clip(): Blob | null;
  /** The chat, signed with the stream key, so viewers see these lines as the broadcaster's. */
  readonly chat: ChatVoice;
}

// ------------------------------------------------------------------------------- chat

/** The reactions a chat carries. */
export const CHAT_REACTIONS: readonly ['👍', '❤️', '😂', '😮', '👏', '🔥'];
/**
 * 'new': sent to every peer; 'flooding': over a line a second (a burst of 5);
 * 'not_joined': before joining (or after leaving); the rest as SwarmEngine.postChat.
 */
export type ChatResult = ChatVerdict | 'not_joined';
/** A new chat line, relayed peer to peer and verified against its author's signature. */
export interface ChatMessage extends ChatLine {
  /** Signed with the stream key: the broadcaster's own line. */
  fromBroadcaster: boolean;
  /** This page's own line. */
  mine: boolean;
}

/** A page's voice in the chat: the key and name its lines are signed with. */
export class ChatVoice {
  constructor(author: StreamSigner);
  name: string;
  attach(node: SwarmNode, emit: (type: 'chat', detail: ChatMessage) => void): void;
  detach(): void;
  /** Throws RangeError for an empty text or one over 500 bytes, or a name over 32 bytes. */
  say(text: string): ChatResult;
  react(emoji: (typeof CHAT_REACTIONS)[number]): ChatResult;
}

// ------------------------------------------------------------------------ debugging

/**
 * Simulated network conditions (the /debug page): every message a peer link receives is
 * held back by `latencyMs`, up to `jitterMs` more, and with probability `lossRate` a
 * retransmission (200 ms), in order, as a reliable channel delivers on a lossy network.
 * Change the fields at any time; the links that share the object follow.
 */
export class NetworkConditions {
  constructor(conditions?: { latencyMs?: number; jitterMs?: number; lossRate?: number }, random?: () => number);
  latencyMs: number;
  jitterMs: number;
  lossRate: number;
  readonly active: boolean;
  /** When a message arriving at `now` is delivered, never before `previousAt`. */
  deliveryTime(now: number, previousAt: number): number;
}

// ------------------------------------------------------------------------------ clips

export interface ClipOptions {
  /** How far back a clip reaches, by capture time. Default 30. */
  seconds?: number;
  /** A bound on the bytes kept, whatever the stream's rate. Default 64 MiB. */
  maxBytes?: number;
}
export const CLIP_DEFAULTS: Readonly<Required<ClipOptions>>;

/**
 * The last seconds of a stream as a file: the newest epoch's init segment and its
 * chunks captured within `seconds` of the newest. A source switch starts a new epoch
 * (possibly other codecs), so a clip holds the newest epoch only.
 */
export class ClipBuffer {
  constructor(core: SwarmcastCore, options?: ClipOptions);
  /** A played or published item: an init segment, or a chunk with its signed capture time. */
  add(item: { init?: boolean; epoch: number; captureMs?: number; bytes: Uint8Array }): void;
  /** Seconds between the first and the last chunk a clip would hold now. */
  readonly seconds: number;
  /** The newest epoch's init segment and its chunks in the window, or null. */
  parts(): { init: Uint8Array; chunks: Uint8Array[] } | null;
  /** The clip as a WebM file starting at 0 (makeClip), or null. */
  clip(): Blob | null;
}

// ---------------------------------------------------------------------------- viewer

export type ViewerState = 'connecting' | 'waiting' | 'joining' | 'playing' | 'stalled' | 'ended' | 'failed';

export interface ViewerEvents {
  statechange: ViewerState;
  error: SwarmcastErrorDetail;
  /** The browser refused to start playback without a user gesture: call video.play() on one. */
  'autoplay-blocked': undefined;
  chat: ChatMessage;
  /** The stream's title and tags, as its broadcaster describes it (on joining, then on each change). */
  listing: { title: string; tags: string[] };
  [type: string]: unknown;
}

export interface ViewerStats {
  state: ViewerState;
  peerId: number | null;
  peers: number;
  /** The share of this viewer's verified media that came from other viewers. */
  shareFromPeers: number;
  /** The share that came from the server's HTTP origin (peers could not deliver in time). */
  shareFromHttp: number;
  /** Capture → handed to the player, p50 (the engine's model). */
  handoverLatencyMs: number | null;
  /** Join asked → first frame composited. */
  startupMs: number | null;
  /** When the join was asked (ms, the shim's wall clock). */
  joinAskedAt: number | null;
  /**
   * ms after the join at which each startup moment first happened, in order:
   * 'signaling-open', 'welcome', 'link-open', 'first-message', 'handed-over',
   * 'init-appended', 'chunk-appended', 'play', 'first-frame'.
   */
  startupPhases: Record<string, number> | null;
  /** Glass to glass of the frame on screen. */
  latencyMs: number | null;
  player: MsePlayerStats;
  node: SwarmNodeStats | null;
}

/**
 * Watches a stream in a <video>. Throws TrustError at once when `streamId` is not a
 * stream id; everything later is an event.
 */
export class Viewer extends TypedEventTarget<ViewerEvents> {
  constructor(options: {
    core: SwarmcastCore; streamId: string; video: HTMLVideoElement; signalingUrl: string; player?: MsePlayerOptions; clip?: ClipOptions;
    /** Simulated conditions on its peer links (the debug page). */
    network?: NetworkConditions | null;
  });
  readonly streamId: string;
  readonly state: ViewerState;
  /** The player's latency mode, with the engine's deadlines moved to match (starts as `player.latencyMode`). */
  latencyMode: LatencyMode;
  start(): Promise<void>;
  stop(): void;
  stats(): ViewerStats;
  /** The last `clip.seconds` played (30 by default) as a WebM file; null before the first chunk. */
  clip(): Blob | null;
  /** The chat, signed with a key of this viewer's own for the visit. */
  readonly chat: ChatVoice;
  /** The stream's title and tags as its broadcaster described them. */
  readonly listing: { title: string; tags: string[] };
}

// ---------------------------------------------------------------------------- player

export interface MsePlayerOptions {
  /** The latency target until chunks have been timed. */
  initialLatencyMs?: number;
  /** Kept above the worst recent chunk lateness (capture → appended). */
  latencyMarginMs?: number;
  /** How long a late chunk keeps the target up. */
  latencyWindowMs?: number;
  minLatencyMs?: number;
  maxLatencyMs?: number;
  /** Chunks appended this soon after the first are the join backlog, not timed. */
  warmupMs?: number;
  /** Further behind the target than this: seek (when buffered) instead of speeding up. */
  seekAboveMs?: number;
  /** playbackRate stays within 1 ± this. */
  maxRateChange?: number;
  rateGainPerS?: number;
  backBufferS?: number;
  monitorMs?: number;
  /** Stuck this long after 'waiting' with media buffered ahead: nudge the playhead. */
  nudgeAfterMs?: number;
  /** No new frame this long while the playhead moves: nudge the playhead. */
  frozenVideoMs?: number;
  /** The mode the player starts in (see MsePlayer.latencyMode). Default 'low'. */
  latencyMode?: LatencyMode;
  /** The least latency aimed at in the 'smooth' mode (ms). */
  smoothLatencyMs?: number;
}
/**
 * 'low': as near the live edge as the stream's recent chunks allow; 'smooth': at least
 * smoothLatencyMs behind, a deeper buffer for a busy device or a weak network.
 */
export type LatencyMode = 'low' | 'smooth';
export const LATENCY_MODES: readonly LatencyMode[];
export const MSE_PLAYER_DEFAULTS: Readonly<Required<MsePlayerOptions>>;

export type MsePlayerState = 'idle' | 'waiting' | 'playing' | 'stalled' | 'ended' | 'failed';

export interface MsePlayerEvents {
  statechange: MsePlayerState;
  /** type 'append' (fatal): the SourceBuffer refused the media. */
  error: SwarmcastErrorDetail;
  'autoplay-blocked': undefined;
  [type: string]: unknown;
}

export interface MsePlayerStats {
  state: MsePlayerState;
  currentTime: number;
  bufferSeconds: number;
  behindLiveSeconds: number;
  latencyMs: number | null;
  targetLatencyMs: number;
  latencyMode: LatencyMode;
  playbackRate: number;
  decodedFrames: number;
  droppedFrames: number;
  stalls: number;
  stalledMs: number;
  /** Small seeks forward that restarted a pipeline stuck with media buffered. */
  nudges: number;
  /** Gaps in the buffered media (a hole in the captured video) the audio played through, the video restarted at their end. */
  holesCrossed: number;
  appendedChunks: number;
  appendedBytes: number;
  initSegments: number;
  queuedOperations: number;
}

/**
 * The only owner of a MediaSource and its SourceBuffer: appends in order through one
 * queue, keeps the video near the live edge, jumps gaps, trims the back buffer.
 */
export class MsePlayer extends TypedEventTarget<MsePlayerEvents> {
  constructor(video: HTMLVideoElement, options?: MsePlayerOptions);
  static supports(mimeType: string): boolean;
  readonly state: MsePlayerState;
  /**
   * Switching to a mode with a higher target holds the picture (paused) until the
   * player is that far behind; back in 'low' it jumps towards the live edge. Throws
   * TypeError for anything but a LatencyMode.
   */
  latencyMode: LatencyMode;
  /** The latency aimed at before any chunk is timed, in the current mode (ms). */
  readonly initialLatencyMs: number;
  appendInit(bytes: Uint8Array, mimeType: string): void;
  /** `captureMs`: signed capture time of the chunk's first frame (for latency and steering). */
  appendChunk(bytes: Uint8Array, captureMs?: number | null): void;
  /** The stream is over: play out the buffer, then 'ended'. */
  end(): void;
  stats(): MsePlayerStats;
  destroy(): void;
}

// -------------------------------------------------------------------------- recorder

export interface RecorderOptions {
  timesliceMs?: number;
  /** One chunk per keyframe interval. */
  keyframeIntervalMs?: number;
  /** null: videoBitsPerSecondFor() the track. */
  videoBitsPerSecond?: number | null;
  audioBitsPerSecond?: number;
}
export const RECORDER_DEFAULTS: Readonly<Required<RecorderOptions>>;
/** The first WebM type this browser records for `stream`, or null. */
export function recorderMimeType(stream: MediaStream): string | null;
/** ~1.5 Mbit/s at 640x360, scaled by pixel count, within 0.5-3 Mbit/s. */
export function videoBitsPerSecondFor(track?: MediaStreamTrack): number;

export interface ChunkRecorderEvents {
  init: { epoch: number; mimeType: string; captureMs: number; bytes: Uint8Array };
  chunk: { epoch: number; seq: number; captureMs: number; durationMs: number; keyframe: boolean; bytes: Uint8Array };
  warning: SwarmcastErrorDetail;
  /** type 'segmenter', fatal: recording stopped. */
  error: SwarmcastErrorDetail;
  [type: string]: unknown;
}

/** MediaRecorder → wasm segmenter. Throws Error when the browser cannot record WebM. */
export class ChunkRecorder extends TypedEventTarget<ChunkRecorderEvents> {
  constructor(core: SwarmcastCore, stream: MediaStream, options?: RecorderOptions);
  readonly timesliceMs: number;
  start(): void;
  /** Resolves once the final chunk has been emitted. */
  stop(): Promise<void>;
}

// ------------------------------------------------------------------------------ node

export interface SwarmNodeOptions {
  core: SwarmcastCore;
  role: 'broadcaster' | 'viewer';
  streamId: string;
  /** Broadcaster: proves the stream key to the server. */
  signer?: StreamSigner | null;
  signalingUrl: string;
  device?: DeviceConstraints;
  canUpload?: boolean;
  uploadKbps?: number;
  /** Viewer: where the player aims (ms); the engine's deadlines follow it. */
  targetLatencyMs?: number;
  /** A viewer's playback since its first frame, reported with its stats (null before it). */
  playback?: () => { watchedMs: number; stalledMs: number; stalls: number; latencyMs?: number } | null;
  /** Simulated conditions on every peer link (the debug page). */
  network?: NetworkConditions | null;
  /** Viewer: how far past that moment the engine chooses its first chunk (ms). */
  startLeadMs?: number;
  /** Viewer: how much nearer the live edge than targetLatencyMs the player starts (ms). */
  playerLeadMs?: number;
  tickMs?: number;
  statsIntervalMs?: number;
  minPeers?: number;
  peersRequestIntervalMs?: number;
}
export const SWARM_NODE_DEFAULTS: Readonly<{ tickMs: number; statsIntervalMs: number; minPeers: number; peersRequestIntervalMs: number }>;

export interface SwarmNodeEvents {
  welcome: { peerId: number; role: 'broadcaster' | 'viewer'; peers: { peerId: number; role: string }[]; iceServers: RTCIceServer[]; origin: boolean };
  state: 'waiting' | 'live' | 'ended';
  viewers: number;
  /** A broadcaster's: the server's view of its swarm. */
  swarm: SwarmSummary;
  chat: ChatLine & { fromBroadcaster: boolean };
  listing: { title: string; tags: string[] };
  playable: import('../core/index.js').PlayableItem[];
  signaling: { connected: boolean };
  /** type 'signaling'; fatal when the server refused this node for good. */
  error: SwarmcastErrorDetail;
  [type: string]: unknown;
}

export interface SwarmNodeStats {
  peerId: number | null;
  role: 'broadcaster' | 'viewer';
  streamState: 'waiting' | 'live' | 'ended' | null;
  viewers: number;
  /** The server runs the HTTP origin (from the welcome). */
  origin: boolean;
  signaling: boolean;
  links: { peerId: number; open: boolean; bytesSent: number; bytesReceived: number; bufferedAmount: number }[];
  engine: EngineStats | null;
}

/** Signaling + one PeerLink per peer + the wasm SwarmEngine between them. */
export class SwarmNode extends TypedEventTarget<SwarmNodeEvents> {
  constructor(options: SwarmNodeOptions);
  peerId: number | null;
  streamState: 'waiting' | 'live' | 'ended' | null;
  viewers: number;
  /** A broadcaster's view of its swarm from the server; null until the first summary. */
  swarm: SwarmSummary | null;
  /** A viewer's: the stream's title and tags as its broadcaster described them. */
  listing: { title: string; tags: string[] };
  /** The server runs the HTTP origin: a viewer's engine fetches from it what peers cannot deliver in time. */
  origin: boolean;
  /** Resolves on the first welcome; rejects when the server refuses this node for good. */
  readonly welcomed: Promise<SwarmNode>;
  start(): void;
  stop(): void;
  publishInit(signedHeader: Uint8Array, bytes: Uint8Array): boolean;
  publishChunk(signedHeader: Uint8Array, bytes: Uint8Array): boolean;
  /** A chat line signed by `author`, delivered here ('chat' event) and passed to every peer. */
  postChat(author: StreamSigner, line: { kind?: 'text' | 'reaction'; name?: string; text: string }): ChatResult;
  /** Viewer: the player now aims at `ms` of glass-to-glass latency; the engine's deadlines follow. */
  setTargetLatency(ms: number): void;
  stats(): SwarmNodeStats;
}

// ------------------------------------------------------------------------------ link

export interface PeerLinkOptions {
  iceServers?: RTCIceServer[];
  highWaterBytes?: number;
  lowWaterBytes?: number;
  openTimeoutMs?: number;
  /** Holds back what arrives (simulated conditions, the debug page); null: none. */
  conditions?: NetworkConditions | null;
}
export const PEER_LINK_DEFAULTS: Readonly<Required<PeerLinkOptions>>;

export interface PeerLinkEvents {
  open: undefined;
  message: Uint8Array;
  /** The send backlog fell below lowWaterBytes. */
  drain: undefined;
  /** Why: 'connection failed', 'did not open in time', 'channel closed', ... */
  close: string;
  [type: string]: unknown;
}

/** One RTCPeerConnection with one ordered, reliable, binary data channel. */
export class PeerLink extends TypedEventTarget<PeerLinkEvents> {
  constructor(options: { peerId: number; initiator: boolean; signal: (data: { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit }) => void } & PeerLinkOptions);
  readonly peerId: number;
  readonly open: boolean;
  /** Channel backlog plus what waits in the link's own queue. */
  readonly bufferedAmount: number;
  bytesSent: number;
  bytesReceived: number;
  handleSignal(data: { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit | null }): Promise<void>;
  /** Never drops: queues while the channel is full or not yet open. */
  send(bytes: Uint8Array): void;
  close(reason?: string): void;
}

// ------------------------------------------------------------------------- signaling

export interface SignalingOptions {
  minBackoffMs?: number;
  maxBackoffMs?: number;
  pingIntervalMs?: number;
}
export const SIGNALING_DEFAULTS: Readonly<Required<SignalingOptions>>;
/** Close codes after which the client does not reconnect (see docs/SIGNALING.md). */
export const FINAL_CLOSE_CODES: ReadonlySet<number>;
/** ws(s)://<host>/signal for the page's location. */
export function signalingUrl(location?: Location): string;

/**
 * The WebSocket to the signaling server. Each server message is an event named by its
 * type ('welcome', 'challenge', 'state', 'peers', 'peer-left', 'viewers', 'listing',
 * 'swarm', 'signal', 'error', 'pong') with the message as detail; 'open' and 'close' ({code, reason,
 * final}) report the socket. Reconnects with backoff unless the close was final.
 */
export class SignalingClient extends TypedEventTarget<Record<string, any>> {
  constructor(url: string, joinMessage: () => object, options?: SignalingOptions);
  readonly connected: boolean;
  connect(): void;
  /** false when not connected (the message is dropped). */
  send(message: object): boolean;
  /** Says leave and stops reconnecting. */
  close(): void;
}

// ---------------------------------------------------------------------------- capture

export interface CapturedSource {
  stream: MediaStream;
  /** Releases every device, timer and audio node. */
  stop(): void;
}
export function openCamera(options?: { width?: number; height?: number; frameRate?: number }): Promise<CapturedSource>;
export function openScreen(options?: { frameRate?: number }): Promise<CapturedSource>;
/** Colour bars, a clock, a frame counter, a time code and (noise) a band of grain. */
export function openTestPattern(options?: { width?: number; height?: number; frameRate?: number; toneHz?: number; noise?: boolean }): CapturedSource;
/**
 * The screen with the camera in its bottom-right corner (picture-in-picture), drawn into
 * one canvas, microphone and screen sound mixed into one track. Ending the screen share
 * leaves the camera full frame.
 */
export function openScreenWithCamera(options?: ComposeOptions): Promise<ComposedSource>;
/** `main` fills the frame, `inset` sits in its bottom-right corner; both stop with the result. */
export function composePictureInPicture(main: CapturedSource, inset: CapturedSource, options?: ComposeOptions): Promise<ComposedSource>;
export interface ComposeOptions {
  frameRate?: number; maxWidth?: number; maxHeight?: number; insetWidthShare?: number; insetMarginShare?: number;
}
export interface ComposedSource extends CapturedSource {
  /** Where the corner picture is drawn, in the frame's pixels. */
  inset: { x: number; y: number; width: number; height: number };
}
export const COMPOSE_DEFAULTS: Readonly<{
  frameRate: number; maxWidth: number; maxHeight: number; insetWidthShare: number; insetMarginShare: number;
}>;
/** The test pattern's time code (ms mod 2^32) from a frame's top rows of RGBA, or null. */
export function readTimecode(pixels: Uint8ClampedArray | Uint8Array, width: number): number | null;

// ---------------------------------------------------------------------------- misc

/** Browser features a page lacks, as names for a person; empty when all are there. */
export function missingFeatures(options?: { broadcast?: boolean }): string[];
export function unsupportedMessage(missing: string[]): string;
/** The broadcaster's 32-byte stream key, created once and kept in `storage`. */
export function loadOrCreateSeed(storage?: Storage): Uint8Array;
/** Wall-clock ms, monotonic within the page: the clock capture times are stamped with. */
export function nowMs(): number;
