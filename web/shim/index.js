// The browser face of swarmcast: what a page needs to broadcast or watch. The pages in
// web/app use exactly this; the classes behind it (SwarmNode, PeerLink, ...) are
// exported for embedders that wire their own UI or transport.
// Errors: constructors and methods throw TypeError (or TrustError, for a stream id that
// is not one) for bad arguments; everything that goes wrong later arrives as an 'error'
// event whose detail is a SwarmcastErrorDetail, where `fatal: true` means the object has
// stopped for good.
export { loadCore } from '../core/index.js';
export { Broadcaster } from './broadcaster.js';
export { Viewer } from './viewer.js';
export { MsePlayer, MSE_PLAYER_DEFAULTS, LATENCY_MODES } from './mse-player.js';
export { ClipBuffer, CLIP_DEFAULTS } from './clip-buffer.js';
export { ChatVoice, CHAT_REACTIONS } from './chat.js';
export { NetworkConditions } from './network-conditions.js';
export { ChunkRecorder, RECORDER_DEFAULTS, recorderMimeType, videoBitsPerSecondFor } from './recorder.js';
export { RenditionPublisher, RENDITION_DEFAULTS } from './rendition-publisher.js';
export { DEFAULT_RUNGS } from './rendition-ladder.js';
export { SwarmNode, SWARM_NODE_DEFAULTS } from './swarm-node.js';
export { PeerLink, PEER_LINK_DEFAULTS } from './peer-link.js';
export { SignalingClient, SIGNALING_DEFAULTS, FINAL_CLOSE_CODES, signalingUrl } from './signaling.js';
export { openCamera, openScreen, openTestPattern } from './capture.js';
export { readTimecode } from './test-pattern.js';
export { composePictureInPicture, openScreenWithCamera, COMPOSE_DEFAULTS } from './compose.js';
export { missingFeatures, unsupportedMessage } from './features.js';
export { loadOrCreateSeed } from './stream-key.js';
export { nowMs } from './clock.js';

// The public types, by the names the declarations give them.
/** @typedef {import('../core/index.js').SwarmcastCore} SwarmcastCore */
/** @typedef {import('./typed-event-target.js').SwarmcastErrorDetail} SwarmcastErrorDetail */
/** @typedef {import('./broadcaster.js').BroadcasterOptions} BroadcasterOptions */
/** @typedef {import('./broadcaster.js').BroadcasterEvents} BroadcasterEvents */
/** @typedef {import('./broadcaster.js').BroadcasterStats} BroadcasterStats */
/** @typedef {import('./listing.js').StreamDescription} StreamDescription */
/** @typedef {import('./viewer.js').ViewerOptions} ViewerOptions */
/** @typedef {import('./viewer.js').ViewerState} ViewerState */
/** @typedef {import('./viewer.js').ViewerEvents} ViewerEvents */
/** @typedef {import('./viewer.js').ViewerStats} ViewerStats */
/** @typedef {import('./mse-player.js').MsePlayerOptions} MsePlayerOptions */
/** @typedef {import('./mse-player.js').LatencyMode} LatencyMode */
/** @typedef {import('./mse-player.js').MsePlayerState} MsePlayerState */
/** @typedef {import('./mse-player.js').MsePlayerEvents} MsePlayerEvents */
/** @typedef {import('./mse-player.js').MsePlayerStats} MsePlayerStats */
/** @typedef {import('./clip-buffer.js').ClipOptions} ClipOptions */
/** @typedef {import('./clip-buffer.js').ClipItem} ClipItem */
/** @typedef {import('./chat.js').ChatMessage} ChatMessage */
/** @typedef {import('./chat.js').ChatReaction} ChatReaction */
/** @typedef {import('./chat.js').ChatResult} ChatResult */
/** @typedef {import('./network-conditions.js').NetworkConditionsOptions} NetworkConditionsOptions */
/** @typedef {import('./recorder.js').RecorderOptions} RecorderOptions */
/** @typedef {import('./recorder.js').ChunkRecorderEvents} ChunkRecorderEvents */
/** @typedef {import('./rendition-publisher.js').RenditionOptions} RenditionOptions */
/** @typedef {import('./rendition-publisher.js').RenditionPublisherEvents} RenditionPublisherEvents */
/** @typedef {import('./rendition-publisher.js').RenditionPublisherStats} RenditionPublisherStats */
/** @typedef {import('./rendition-ladder.js').RenditionRung} RenditionRung */
/** @typedef {import('./swarm-node.js').SwarmNodeOptions} SwarmNodeOptions */
/** @typedef {import('./swarm-node.js').SwarmNodeEvents} SwarmNodeEvents */
/** @typedef {import('./swarm-node.js').SwarmNodeStats} SwarmNodeStats */
/** @typedef {import('./swarm-node.js').SwarmSummary} SwarmSummary */
/** @typedef {import('./peer-link.js').PeerLinkOptions} PeerLinkOptions */
/** @typedef {import('./peer-link.js').PeerLinkEvents} PeerLinkEvents */
/** @typedef {import('./signaling.js').SignalingOptions} SignalingOptions */
/** @typedef {import('./signaling.js').SignalingEvents} SignalingEvents */
/** @typedef {import('./capture.js').CapturedSource} CapturedSource */
/** @typedef {import('./compose.js').ComposeOptions} ComposeOptions */
/** @typedef {import('./compose.js').ComposedSource} ComposedSource */
