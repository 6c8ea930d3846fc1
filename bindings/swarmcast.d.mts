// The module build/wasm/swarmcast.mjs exports: the Embind classes and functions that
// engine_bindings.cpp, segmenter_bindings.cpp, frame_muxer_bindings.cpp and
// trust_bindings.cpp register, as web/core calls them. Emscripten 3.1.6 cannot emit
// this, so it is declared here, once, beside the bindings that define it; the wasm
// build copies it next to its output.
// Bytes go in as (pointer, length) into the wasm heap (web/core/heap.js) and come out
// as fresh Uint8Arrays; ids, times and 64-bit counts cross as numbers (doubles).

/** Bytes from the module: a fresh Uint8Array over an ArrayBuffer of its own. */
export type WasmBytes = Uint8Array<ArrayBuffer>;

/** Emscripten's module options, as web/core passes them. */
export interface CoreOptions {
  /** The .wasm bytes, where the glue cannot fetch them (Node). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where the glue finds a file it needs (the .wasm), from its name and the glue's own folder. */
  locateFile?: (path: string, prefix: string) => string;
  [option: string]: unknown;
}

/** Every Embind object holds C++ memory until delete() frees it. */
interface NativeObject {
  delete(): void;
}

// ------------------------------------------------------------------------------ media

/** A track the init segment declares. */
export interface TrackInfo {
  /** Matroska CodecID, e.g. 'V_VP8', 'A_OPUS'. */
  codecId: string;
  width: number;
  height: number;
  sampleRate: number;
  channels: number;
}

/** The start of an epoch: what a player appends before the chunks of that epoch. */
export interface InitEvent {
  type: 'init';
  epoch: number;
  /** e.g. 'video/webm; codecs="vp8,opus"' */
  mimeType: string;
  /** null when the stream has no video (audio only). */
  video: TrackInfo | null;
  /** null when the stream has no audio. */
  audio: TrackInfo | null;
  bytes: WasmBytes;
}

/** One Cluster of known size: the blocks from one cut (a video keyframe, or a video frame when keyframes are sparse) to the next. */
export interface ChunkEvent {
  type: 'chunk';
  seq: number;
  epoch: number;
  /** Media time the chunk starts at: its Cluster Timecode. */
  startMs: number;
  durationMs: number;
  keyframe: boolean;
  bytes: WasmBytes;
}

/** Something the segmenter could not read; `fatal` ends the stream. */
export interface SegmenterErrorEvent {
  type: 'error';
  code: string;
  /** Byte offset in the pushed stream. */
  position: number;
  detail: string;
  fatal: boolean;
}

export type SegmenterEvent = InitEvent | ChunkEvent | SegmenterErrorEvent;

export interface NativeSegmenter extends NativeObject {
  push(pointer: number, length: number): void;
  finish(): void;
  hasEvent(): boolean;
  nextEvent(): SegmenterEvent | null;
  retainedBytes(): number;
}

export type ClipResult = { bytes: WasmBytes; error?: undefined } | { error: string; position: number };

/** A frame the WebCodecs muxer refused, a spec it cannot write, or renditions out of step. */
export interface MuxErrorEvent {
  type: 'error';
  /** bad_spec, no_such_track, timestamp_out_of_range, out_of_order, boundary_not_keyframe, empty_frame,
   * frame_too_large, chunk_too_large, late_frame, misaligned */
  code: string;
  detail: string;
  /** Only a bad spec is fatal; after a refused video frame, video waits for the next keyframe. */
  fatal: boolean;
}

/** What one push (or finish) of the WebCodecs muxer gives: the chunk it closed, or why it refused the frame. */
export type MuxEvent = ChunkEvent | MuxErrorEvent;

export interface NativeFrameMuxer extends NativeObject {
  /** null, or the bad_spec error that made the muxer inert. */
  error(): MuxErrorEvent | null;
  /** null when error() is not. */
  init(): InitEvent | null;
  push(audio: boolean, timestampUs: number, keyframe: boolean, chunkBoundary: boolean, pointer: number,
    length: number): MuxEvent[];
  finish(): MuxEvent[];
  /** The bytes the last push added to the open chunk. */
  appended(): WasmBytes;
  droppedFrames(): number;
}

export interface NativeRenditionAlignment extends NativeObject {
  /** null when chunk `seq` of `rendition` starts where the other renditions' does. */
  check(rendition: number, seq: number, startMs: number): MuxErrorEvent | null;
}

// ------------------------------------------------------------------------------ trust

/** A signing or verification step that failed, by trust::TrustError's name. */
export interface TrustFailure {
  ok: false;
  error: string;
}

export type TrustCheck = { ok: true } | TrustFailure;

/** What a signed header says, once its signature checks against the stream. */
export interface VerifiedHeaderFields {
  ok: true;
  kind: 'init' | 'chunk';
  /** Which of the stream's renditions (qualities): 0 for a stream of one. */
  rendition: number;
  streamId: string;
  epoch: number;
  seq: number;
  /** When the first frame was captured (ms since the epoch, the broadcaster's clock). */
  captureMs: number;
  durationMs: number;
  /** A chunk's first video frame is a keyframe: a player can start with it (always true for init). */
  keyframe: boolean;
  byteLength: number;
  pieceCount: number;
  merkleRoot: WasmBytes;
}

export type VerifiedHeader = VerifiedHeaderFields | TrustFailure;

/** One rendition of a stream's signed list (trust/rendition_ladder.hpp). */
export interface RenditionFields {
  /** 0-7, each once in a list. */
  id: number;
  /** 0 x 0: audio only. */
  width: number;
  height: number;
  /** Bits per second, audio included. */
  bitrate: number;
  /** Frames per second x 1000 (29.97 fps: 29970); 0 for audio only. */
  frameRateMilli: number;
  /** RFC 6381 codecs, e.g. 'vp8,opus'. */
  codecs: string;
}

/** A rendition list's fields, as verified against the stream. */
export interface LadderFields {
  revision: number;
  firstSeq: number;
  /** Highest bitrate first. */
  renditions: RenditionFields[];
}

/** A signed rendition list's fields, once its signature checks against the stream. */
export interface VerifiedLadderFields extends LadderFields {
  ok: true;
}

export type VerifiedLadder = VerifiedLadderFields | TrustFailure;

export interface NativeSigner extends NativeObject {
  streamId(): string;
  publicKey(): WasmBytes;
  sign(kind: number, epoch: number, seq: number, captureMs: number, durationMs: number, keyframe: boolean,
    rendition: number, payload: number, length: number): { ok: true; header: WasmBytes } | TrustFailure;
  signChallenge(nonce: number, length: number): WasmBytes;
  signLadder(revision: number, firstSeq: number, renditions: RenditionFields[]): { ok: true; ladder: WasmBytes } | TrustFailure;
  /** null when a field is outside the wire's limits or the stream id is malformed. */
  signChat(streamId: string, number: number, sentAtMs: number, kind: number, name: string, text: string): WasmBytes | null;
}

export interface NativeVerifier extends NativeObject {
  valid(): boolean;
  verifyHeader(pointer: number, length: number): VerifiedHeader;
  verifyLadder(pointer: number, length: number): VerifiedLadder;
  verifyPiece(kind: number, rendition: number, seqOrEpoch: number, index: number, piece: number, pieceLength: number,
    proof: number, proofLength: number): TrustCheck;
  verifyPayload(kind: number, rendition: number, seqOrEpoch: number, payload: number, length: number): TrustCheck;
}

// ------------------------------------------------------------------------------ swarm

/** The viewer's start and deadlines (value_object EngineTiming); 0 keeps a default. */
export interface EngineTiming {
  targetLatencyMs: number;
  startLeadMs: number;
  playerLeadMs: number;
}

export interface OutgoingMessage {
  /** The peer to send it to. */
  to: number;
  bytes: WasmBytes;
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
  /** A chunk whose first video frame is a keyframe (signed): seeking to its start decodes nothing before it. */
  keyframe: boolean;
  /**
   * Its rendition (an id of the stream's signed list; 0 for a stream of one). A switch
   * hands the new rendition's init segment, then its chunks from the next seq on.
   */
  rendition: number;
  bytes: WasmBytes;
}

/** A GET for the HTTP origin: a chunk (number = seq), an init segment (number = epoch), or the index. */
export interface HttpFetch {
  kind: 'chunk' | 'init' | 'index';
  number: number;
  /** The chunk's or init segment's rendition. */
  rendition: number;
}

/** Why the ABR rule chose the rendition it did (src/swarm/abr_rule.hpp). */
export type AbrReason = 'steady' | 'start' | 'up' | 'held' | 'down' | 'panic' | 'manual' | 'unavailable' | 'only_choice' |
  'nothing_decodable';

export type ChatKind = 'text' | 'reaction';

/** A chat line a SwarmEngine delivered. */
export interface ChatLine {
  /** The signer's key in base64url: the stream id for the broadcaster. */
  author: string;
  number: number;
  sentAtMs: number;
  kind: ChatKind;
  name: string;
  text: string;
  /** Relays it crossed to get here. */
  hops: number;
}

/** What the engine did with a posted chat line. */
export type ChatVerdict = 'new' | 'duplicate' | 'forged' | 'flooding' | 'too_far' | 'malformed';

export type PeerRole = 'super-seed' | 'relay' | 'leaf';

/**
 * The engine's counters: Engine::stats_report() (src/swarm/engine_stats.cpp), in
 * snake_case as the simulator prints them.
 */
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
  /** Pieces peers asked of this engine. */
  piece_requests_received: number;
  /** Of those, sent (a broadcaster's pushed stripes count too). */
  piece_requests_served: number;
  /** Of those, refused or dropped. */
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
  /** The rendition played now. */
  rendition: number;
  /** The viewer's fixed choice of rendition; null: Auto. */
  abr_manual: number | null;
  abr_reason: AbrReason;
  /** What the rule saw last: media ahead in the player, in ms. */
  abr_buffer_ms: number;
  /** The link's smoothed rate while fetching; null before one was measured. */
  abr_link_bytes_per_s: number | null;
  switches_up: number;
  switches_down: number;
  /** Media played in each rendition of the stream, in ms. */
  [msOnRendition: `ms_on_rendition_${number}`]: number;
  /** The chunk the player waits for next (null before a start is chosen). */
  next_chunk_seq: number | null;
  /** Its pieces, those held and those asked for (null while its header is unknown). */
  next_chunk_pieces: number | null;
  next_chunk_pieces_held: number | null;
  next_chunk_pieces_asked: number | null;
}

export interface NativeEngine extends NativeObject {
  connect(peer: number, nowMs: number): void;
  disconnect(peer: number, nowMs: number): void;
  onMessage(peer: number, pointer: number, length: number, nowMs: number): void;
  setBufferedAmount(peer: number, amount: number): void;
  publishInit(header: number, headerLength: number, init: number, initLength: number, nowMs: number): boolean;
  publishChunk(header: number, headerLength: number, payload: number, payloadLength: number, nowMs: number): boolean;
  publishLadder(ladder: number, length: number, nowMs: number): boolean;
  /** The newest verified rendition list; null before one. */
  ladder(): LadderFields | null;
  onHttpChunk(header: number, headerLength: number, payload: number, payloadLength: number, nowMs: number): boolean;
  onHttpIndex(chunks: number[], nowMs: number): void;
  takeHttpFetches(): HttpFetch[];
  setTargetLatency(ms: number, nowMs: number): void;
  /** `uploadChoice`: 0 auto, 1 off, 2 cap (the cap in uploadBudgetBytesPerS). */
  setDevice(metered: boolean, batteryLow: boolean, hidden: boolean, uploadBudgetBytesPerS: number, uploadChoice: number,
    nowMs: number): void;
  /** A rendition id, or -1 for Auto. */
  setRenditionChoice(rendition: number): void;
  setUndecodable(renditions: number[]): void;
  tick(nowMs: number): void;
  takeOutbox(): OutgoingMessage[];
  takePlayable(): PlayableItem[];
  takeDisconnects(): number[];
  postChat(pointer: number, length: number, nowMs: number): ChatVerdict;
  takeChat(): ChatLine[];
  stats(nowMs: number): EngineStats;
  peerCount(): number;
}

// ----------------------------------------------------------------------------- module

/** The loaded wasm module. */
export interface SwarmcastModule {
  HEAPU8: Uint8Array<ArrayBuffer>;
  /** 0 when the heap cannot grow that far. */
  _malloc(size: number): number;
  _free(pointer: number): void;

  Segmenter: new (targetDurationMs: number, maxDurationMs: number, maxChunkBytes: number, maxElementBytes: number) => NativeSegmenter;
  /** The init segment then the clusters, back to back at `pointer`. */
  makeClip(pointer: number, initLength: number, clustersLength: number): ClipResult;
  /** No audio track when `channels` is 0; the OpusHead lies at (opusHead, opusHeadLength). */
  FrameMuxer: new (videoCodec: string, width: number, height: number, sampleRate: number, channels: number,
    opusHead: number, opusHeadLength: number, epoch: number, firstSeq: number, maxFrameBytes: number,
    maxChunkBytes: number) => NativeFrameMuxer;
  RenditionAlignment: new (toleranceMs: number, window: number) => NativeRenditionAlignment;

  /** Bytes per piece of a chunk (16 KiB). */
  readonly PIECE_SIZE: number;
  /** Bytes of a signed header (164). */
  readonly SIGNED_HEADER_SIZE: number;
  /** `seed`: 32 bytes in the heap. */
  Signer: new (seed: number) => NativeSigner;
  Verifier: new (streamId: string) => NativeVerifier;
  /** null when `index` is not a piece of the payload. */
  pieceProof(payload: number, length: number, index: number): WasmBytes | null;
  /** null when `index` is out of range or the list is not whole 32-byte hashes. */
  proofFromHashes(hashes: number, length: number, index: number): WasmBytes | null;
  pieceHashes(payload: number, length: number): WasmBytes;
  sha256(pointer: number, length: number): WasmBytes;
  /** null for an empty payload. */
  merkleRoot(payload: number, length: number): WasmBytes | null;
  /** `signature`: 64 bytes in the heap. */
  verifyChallenge(streamId: string, nonce: number, length: number, signature: number): boolean;

  /** `streamKey`: 32 bytes in the heap. */
  Engine: new (self: number, broadcaster: boolean, streamKey: number, metered: boolean, batteryLow: boolean,
    hidden: boolean, uploadBudgetBytesPerS: number, uploadChoice: number, httpOrigin: boolean,
    timing: EngineTiming) => NativeEngine;
  scorePeer(connectedAt: number, nowMs: number, deliveryBytesPerS: number, rttMs: number, requestsSent: number,
    requestsServed: number, requestsFailed: number, badPieces: number, metered: boolean, batteryLow: boolean,
    hidden: boolean, uploadBudgetBytesPerS: number, uploadChoice: number): { score: number; role: PeerRole };
  /** A stream id's 32 key bytes; null when it is not a stream id. */
  streamKeyOf(streamId: string): WasmBytes | null;
  /**
   * Peer selection: `pointer` holds `count` swarm::Candidate records (32 bytes each),
   * then `skips` peer ids as uint64s, as web/core/topology.js lays them out. The chosen
   * peer ids, best first.
   */
  choosePeers(pointer: number, count: number, skips: number, seeker: number, seekerUpLinks: number,
    peersPerAnswer: number, broadcasterLinks: number, viewerLinks: number): number[];
  /** Bytes of the wasm heap that malloc has handed out and not had back. */
  heapBytesInUse(): number;
}

/** Compiles and instantiates the wasm; rejects when it cannot. */
export default function createSwarmcastCore(options?: CoreOptions): Promise<SwarmcastModule>;
