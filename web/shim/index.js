// The browser face of swarmcast: what a page needs to broadcast or watch. The pages in
// web/app use exactly this; the classes behind it (SwarmNode, PeerLink, ...) are
// exported for embedders that wire their own UI or transport.
export { loadCore } from '../core/index.js';
export { Broadcaster } from './broadcaster.js';
export { Viewer } from './viewer.js';
export { MsePlayer, MSE_PLAYER_DEFAULTS, LATENCY_MODES } from './mse-player.js';
export { ClipBuffer, CLIP_DEFAULTS } from './clip-buffer.js';
export { ChatVoice, CHAT_REACTIONS } from './chat.js';
export { NetworkConditions } from './network-conditions.js';
export { ChunkRecorder, RECORDER_DEFAULTS, recorderMimeType, videoBitsPerSecondFor } from './recorder.js';
export { SwarmNode, SWARM_NODE_DEFAULTS } from './swarm-node.js';
export { PeerLink, PEER_LINK_DEFAULTS } from './peer-link.js';
export { SignalingClient, SIGNALING_DEFAULTS, FINAL_CLOSE_CODES, signalingUrl } from './signaling.js';
export { openCamera, openScreen, openTestPattern } from './capture.js';
export { readTimecode } from './test-pattern.js';
export { composePictureInPicture, openScreenWithCamera, COMPOSE_DEFAULTS } from './compose.js';
export { missingFeatures, unsupportedMessage } from './features.js';
export { loadOrCreateSeed } from './stream-key.js';
export { nowMs } from './clock.js';
