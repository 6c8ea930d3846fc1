// Types for `swarmcast/core`: the wasm core (C++ compiled with Emscripten) and its JS
// faces: the WebM segmenter, stream trust (Ed25519 + SHA-256 Merkle roots) and the
// swarm engine. Everything takes the loaded core as its first argument.

/** The loaded wasm module. Opaque: pass it to the classes and functions below. */
export interface SwarmcastCore {
  readonly __swarmcastCore?: never;
}

/**
 * Loads build/wasm/swarmcast.{mjs,wasm}. In a browser the .wasm is fetched next to the
 * .mjs; under Node pass `{ wasmBinary }`. Rejects when the module cannot be compiled.
 */
export function loadCore(options?: { wasmBinary?: ArrayBuffer | Uint8Array; [key: string]: unknown }): Promise<SwarmcastCore>;

// ---------------------------------------------------------------------------- media

export interface SegmenterOptions {
  /** A chunk closes at the first keyframe after ~this long (default 1000). */
  targetDurationMs?: number;
  /** A chunk this large closes at the next cluster even without a keyframe (4 MiB). */
  maxChunkBytes?: number;
  /** Larger WebM elements are a fatal error (8 MiB). */
  maxElementBytes?: number;
}
export const SEGMENTER_DEFAULTS: Readonly<Required<SegmenterOptions>>;

export interface InitEvent {
  type: 'init';
  epoch: number;
  /** e.g. 'video/webm; codecs="vp8,opus"' */
  mimeType: string;
  video: boolean;
  audio: boolean;
  bytes: Uint8Array;
}
export interface ChunkEvent {
  type: 'chunk';
  seq: number;
  epoch: number;
  /** Media time of the chunk's first cluster. */
  startMs: number;
  durationMs: number;
  keyframe: boolean;
  bytes: Uint8Array;
}
/** Something the segmenter could not read; `fatal` ends the stream. */
export interface SegmenterErrorEvent {
  type: 'error';
  code: string;
  position: number;
  detail: string;
  fatal: boolean;
}
export type SegmenterEvent = InitEvent | ChunkEvent | SegmenterErrorEvent;

/**
 * A push parser: feed MediaRecorder bytes in any slicing, get init segments (one per
 * epoch: a codec or resolution change starts a new one) and keyframe-aligned chunks.
 * Errors are events, never exceptions (except a non-Uint8Array argument: TypeError).
 */
export class Segmenter {
  constructor(core: SwarmcastCore, options?: SegmenterOptions);
  push(bytes: Uint8Array): SegmenterEvent[];
  /** The end of the recording: emits the last chunk. */
  finish(): SegmenterEvent[];
  retainedBytes(): number;
  /** Frees the wasm memory; the object is unusable afterwards. */
  close(): void;
}

/** Bytes that are not an init segment followed by whole clusters of its epoch, in order. */
export class ClipError extends Error {
  name: 'ClipError';
  detail: string;
  position: number;
}

/**
 * A clip as a WebM file of its own: `init` then whole `chunks` of its epoch, with every
 * Cluster Timecode moved back so the file's timeline starts at 0. Throws a ClipError.
 */
export function makeClip(core: SwarmcastCore, init: Uint8Array, chunks: Uint8Array[]): Uint8Array;

// ---------------------------------------------------------------------------- trust

export const HeaderKind: Readonly<{ init: 1; chunk: 2 }>;
export type HeaderKindValue = 1 | 2;

/** Thrown for a malformed stream id or a payload the signer refuses; `code` says which. */
export class TrustError extends Error {
  name: 'TrustError';
  code: string;
  constructor(code: string, what: string);
}

/** 32 random bytes: a new stream key (Ed25519 seed). */
export function randomSeed(): Uint8Array;

export interface HeaderFields {
  epoch: number;
  seq?: number;
  /** When the first frame was captured (ms since the epoch, the broadcaster's clock). */
  captureMs: number;
  durationMs?: number;
}

/** The broadcaster's key. Its stream id is the Ed25519 public key, base64url (43 chars). */
export class StreamSigner {
  constructor(core: SwarmcastCore, seed?: Uint8Array);
  readonly streamId: string;
  /** The 162-byte signed header of `payload`. Throws TrustError. */
  sign(kind: HeaderKindValue, fields: HeaderFields, payload: Uint8Array): Uint8Array;
  /** Signs a signaling server's nonce (ownership proof; never a header signature). */
  signChallenge(nonce: Uint8Array): Uint8Array;
  /**
   * A chat line by this key in stream `streamId`, as the signed wire message
   * SwarmEngine.postChat takes. name: at most 32 bytes of UTF-8; text: 1-500 bytes (a
   * reaction: 1-16). Throws RangeError.
   */
  signChat(streamId: string, line: { number: number; sentAtMs: number; kind?: ChatKind; name?: string; text: string }): Uint8Array;
  close(): void;
}

export type ChatKind = 'text' | 'reaction';
/** A chat line a SwarmEngine delivered. `author` is the signer's key in base64url: the stream id for the broadcaster. */
export interface ChatLine {
  author: string;
  number: number;
  sentAtMs: number;
  kind: ChatKind;
  name: string;
  text: string;
  /** Relays it crossed to get here. */
  hops: number;
}
export type ChatVerdict = 'new' | 'duplicate' | 'forged' | 'flooding' | 'too_far' | 'malformed';

export type VerifiedHeader =
  | {
    ok: true; kind: 'init' | 'chunk'; streamId: string; epoch: number; seq: number; captureMs: number;
    durationMs: number; byteLength: number; pieceCount: number; merkleRoot: Uint8Array;
  }
  | { ok: false; error: string };

/** Checks what a stream's broadcaster signed. Throws TrustError for a bad stream id. */
export class StreamVerifier {
  constructor(core: SwarmcastCore, streamId: string);
  verifyHeader(headerBytes: Uint8Array): VerifiedHeader;
  /** Needs the chunk's header verified first; `proof` is pieceProof()'s output. */
  verifyPiece(kind: HeaderKindValue, seqOrEpoch: number, index: number, piece: Uint8Array, proof: Uint8Array): boolean;
  verifyPayload(kind: HeaderKindValue, seqOrEpoch: number, payload: Uint8Array): boolean;
  close(): void;
}

export function pieceProof(core: SwarmcastCore, payload: Uint8Array, index: number): Uint8Array;
export function pieceHashes(core: SwarmcastCore, payload: Uint8Array): Uint8Array;
export function proofFromHashes(core: SwarmcastCore, hashes: Uint8Array, index: number): Uint8Array;
export function sha256(core: SwarmcastCore, bytes: Uint8Array): Uint8Array;
export function merkleRoot(core: SwarmcastCore, payload: Uint8Array): Uint8Array;
/** True when `signature` (64 bytes) is `streamId`'s signature of `nonce`. */
export function verifyChallenge(core: SwarmcastCore, streamId: string, nonce: Uint8Array, signature: Uint8Array): boolean;

// ---------------------------------------------------------------------------- swarm

/** Thrown when a deleted engine is used (`code: 'deleted'`). */
export class EngineError extends Error {
  name: 'EngineError';
  code: string;
  constructor(code: string, what: string);
}

/** What a device can give the swarm (the brief: seed only on Wi-Fi, battery above ~30 %). */
export interface DeviceConstraints {
  metered?: boolean;
  batteryLow?: boolean;
  hidden?: boolean;
  /** 0: no declared limit. */
  uploadBudgetBytesPerS?: number;
}

export interface OutgoingMessage {
  to: number;
  bytes: Uint8Array;
}

export interface PlayableItem {
  /** An init segment (precedes the chunks of its epoch) or a chunk. */
  init: boolean;
  epoch: number;
  seq: number;
  /** Signed capture time of the chunk's first frame (ms, the broadcaster's clock). */
  capture: number;
  /** First chunk only: where in it playback starts to sit at the target latency (ms). */
  startOffsetMs: number;
  bytes: Uint8Array;
}

/** A GET for the HTTP origin: a chunk (number = seq), an init segment (number = epoch), or the index. */
export interface HttpFetch {
  kind: 'chunk' | 'init' | 'index';
  number: number;
}

/** The engine's counters, as JSON from the core (snake_case, as the simulator prints them). */
export interface EngineStats {
  peers: number;
  media_bytes_received: number;
  media_bytes_from_source: number;
  media_bytes_sent: number;
  duplicate_bytes_received: number;
  control_bytes_sent: number;
  control_bytes_received: number;
  bad_pieces: number;
  bans: number;
  protocol_errors: number;
  requests_sent: number;
  requests_timed_out: number;
  /** Pieces peers asked of this engine; of those, sent (a broadcaster's pushed stripes count too) and refused or dropped. */
  piece_requests_received: number;
  piece_requests_served: number;
  piece_requests_refused: number;
  chat_lines_received: number;
  chat_lines_dropped: number;
  chunks_published: number;
  chunks_played: number;
  chunks_skipped: number;
  buffered_chunks: number;
  buffer_bytes: number;
  stalled_ms: number;
  stalls: number;
  watched_ms: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  startup_ms: number | null;
  media_bytes_from_http: number;
  /** 1 - (from the broadcaster + from the HTTP origin) / received. */
  share_from_peers: number;
  share_from_http: number;
  [counter: string]: number | null;
}

/**
 * One broadcaster's or viewer's swarm engine. It has no clock and no sockets: pass
 * `nowMs` into every call, feed it what peers send, tick it, and carry out what it
 * leaves behind. Peer ids are non-negative integers below 2^53. Wrong argument types
 * throw TypeError; any use after delete() throws EngineError.
 */
export class SwarmEngine {
  constructor(core: SwarmcastCore, options: {
    self: number;
    broadcaster?: boolean;
    /** The stream id, or its 32-byte public key. A bad id throws TrustError. */
    streamKey: string | Uint8Array;
    device?: DeviceConstraints;
    /** The server has an HTTP origin: ask it for what no peer can deliver in time. */
    httpOrigin?: boolean;
    /** The glass-to-glass latency the player aims at (ms, 0..60000); sets the deadlines. 0: the engine's default (2500). */
    targetLatencyMs?: number;
    /** How far past that moment (ms, 0..60000) the first chunk is chosen, to be fetched while the moment comes. 0: the engine's default (1000). */
    startLeadMs?: number;
    /** How much nearer the live edge than targetLatencyMs (ms, 0..60000) the player starts: the first chunk is handed over that much before its moment. Default 0. */
    playerLeadMs?: number;
  });
  connect(peer: number, nowMs: number): void;
  disconnect(peer: number, nowMs: number): void;
  onMessage(peer: number, message: Uint8Array, nowMs: number): void;
  /** The transport's send backlog towards `peer` (RTCDataChannel.bufferedAmount). */
  setBufferedAmount(peer: number, amount: number): void;
  /** Broadcaster: false when the header does not verify against the stream or the bytes. */
  publishInit(signedHeader: Uint8Array, init: Uint8Array, nowMs: number): boolean;
  publishChunk(signedHeader: Uint8Array, payload: Uint8Array, nowMs: number): boolean;
  /**
   * HTTP fallback: a signed chunk or init segment from the origin (a stored body is the
   * signed header, `core.SIGNED_HEADER_SIZE` bytes, then the payload). False, and
   * nothing kept, when it does not verify.
   */
  onHttpChunk(signedHeader: Uint8Array, payload: Uint8Array, nowMs: number): boolean;
  /** The origin's index (`GET /api/streams/<id>/chunks`): its `chunks`, oldest first. */
  onHttpIndex(chunks: number[], nowMs: number): void;
  /**
   * Viewer: the player now aims at `ms` (whole ms, 0..60000) of glass-to-glass latency.
   * Before playback it sets where the viewer starts; once playing, every later deadline
   * moves by the change, and on a jump nearer the live edge the chunks before the new
   * moment are passed over rather than waited for.
   */
  setTargetLatency(ms: number, nowMs: number): void;
  tick(nowMs: number): void;
  takeOutbox(): OutgoingMessage[];
  takePlayable(): PlayableItem[];
  /** Peers the transport should close (banned, silent, or said goodbye). */
  takeDisconnects(): number[];
  /** A line from StreamSigner.signChat: 'new' when delivered here and passed on to every peer. */
  postChat(message: Uint8Array, nowMs: number): ChatVerdict;
  /** New chat lines, posted here or from peers, in order. */
  takeChat(): ChatLine[];
  /** What to GET from the HTTP origin; a failed GET needs no answer (it is asked again). */
  takeHttpFetches(): HttpFetch[];
  stats(nowMs: number): EngineStats;
  readonly peerCount: number;
  delete(): void;
}

export type PeerRole = 'super-seed' | 'relay' | 'leaf';

/** Scores a peer from what was measured about it: 0-100 and the role it earns. */
export function scorePeer(core: SwarmcastCore, measured: {
  connectedAt: number;
  nowMs: number;
  deliveryBytesPerS?: number;
  rttMs?: number;
  requestsSent?: number;
  requestsServed?: number;
  requestsFailed?: number;
  badPieces?: number;
  device?: DeviceConstraints;
}): { score: number; role: PeerRole };
