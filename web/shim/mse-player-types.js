// The shapes an MsePlayer takes and gives (options, events, stats), declared apart
// from its code: JSDoc types only, nothing at run time.
/** @import { SwarmcastErrorDetail } from './typed-event-target.js' */

/**
 * 'low': as near the live edge as the stream's recent chunks allow; 'smooth': at least
 * smoothLatencyMs behind, a deeper buffer for a busy device or a weak network.
 * @typedef {'low' | 'smooth'} LatencyMode
 */

/** @typedef {'idle' | 'waiting' | 'playing' | 'stalled' | 'ended' | 'failed'} MsePlayerState */

/**
 * @typedef {object} MsePlayerOptions
 * @property {number} [initialLatencyMs] The latency target until chunks have been timed.
 * @property {number} [latencyMarginMs] Kept above the worst recent chunk lateness (capture → appended).
 * @property {number} [latencyWindowMs] How long a late chunk keeps the target up.
 * @property {number} [minLatencyMs]
 * @property {number} [maxLatencyMs]
 * @property {number} [warmupMs] Chunks appended this soon after the first are the join backlog, not timed.
 * @property {number} [seekAboveMs] Further behind the target than this: seek (when buffered) instead of speeding up.
 * @property {number} [maxRateChange] playbackRate stays within 1 ± this.
 * @property {number} [rateGainPerS] playbackRate change per second of latency error.
 * @property {number} [backBufferS] Media kept behind the playhead (s).
 * @property {number} [monitorMs] How often the player checks its playhead.
 * @property {number} [nudgeAfterMs] Stuck this long after 'waiting' with media buffered ahead: nudge the playhead.
 * @property {number} [frozenVideoMs] No new frame this long while the playhead moves: nudge the playhead.
 * @property {LatencyMode} [latencyMode] The mode the player starts in (see MsePlayer.latencyMode). Default 'low'.
 * @property {number} [smoothLatencyMs] The least latency aimed at in the 'smooth' mode (ms).
 */

/**
 * @typedef {object} MsePlayerEvents
 * @property {MsePlayerState} statechange
 * @property {SwarmcastErrorDetail} error type 'append' (fatal): the SourceBuffer refused the media.
 * @property {undefined} autoplay-blocked The browser refused to start playback without a user gesture.
 */

/**
 * @typedef {object} MsePlayerStats
 * @property {MsePlayerState} state
 * @property {number} currentTime
 * @property {number} bufferSeconds
 * @property {number} behindLiveSeconds
 * @property {number | null} latencyMs Glass to glass of the frame on screen.
 * @property {number} targetLatencyMs
 * @property {LatencyMode} latencyMode
 * @property {number} playbackRate
 * @property {number} decodedFrames
 * @property {number} droppedFrames
 * @property {number} stalls
 * @property {number} stalledMs
 * @property {number} nudges Small seeks forward that restarted a pipeline stuck with media buffered.
 * @property {number} holesCrossed Gaps in the buffered media (a hole in the captured video) the audio played
 *   through, the video restarted at their end.
 * @property {number} appendedChunks
 * @property {number} appendedBytes
 * @property {number} initSegments
 * @property {number} queuedOperations
 */

export {};
