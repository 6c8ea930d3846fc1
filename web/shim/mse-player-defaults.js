// MsePlayer's defaults, each with what it is for (and, where it was tuned, the
// measurement that chose it), and its latency modes.

/** @type {Readonly<Required<import('./mse-player-types.js').MsePlayerOptions>>} */
export const MSE_PLAYER_DEFAULTS = Object.freeze({
  initialLatencyMs: 1800,  // the target until chunks have been timed
  latencyMarginMs: 500,    // above the worst recent arrival lateness: decode, jitter
                           // (bench:swarm, 8 viewers: with 250 continuity was 0.976-0.995
                           // over four runs, with 500 0.995-0.996; glass-to-glass p95
                           // 2.0-2.1 s instead of 1.9-2.2)
  latencyWindowMs: 20_000, // how long a late chunk keeps the target up
  minLatencyMs: 500,
  maxLatencyMs: 10_000,
  warmupMs: 3000,          // chunks appended this soon after the first are the join
                           // backlog: their lateness says nothing about the swarm
  seekAboveMs: 700,        // further behind the target than this: jump (if buffered)
  maxRateChange: 0,        // playbackRate stays within 1 ± this: 0, as a changed rate
                           // makes Chromium time-stretch the audio, whose renderer then
                           // runs dry on a busy machine and holds the video (bench:swarm,
                           // 8 viewers, four runs each: with ±0.1, 7-16 nudges and
                           // continuity 0.989-0.996; with 0, 0-7 nudges and 0.995-1)
  rateGainPerS: 0.1,       // playbackRate change per second of latency error
  backBufferS: 20,         // media kept behind the playhead
  monitorMs: 200,
  nudgeAfterMs: 120,       // stuck this long with media ahead: nudge (stall-recovery.js).
                           // Underflows that ended by themselves took 10-90 ms (the
                           // next append ended them); stuck ones lasted until the
                           // nudge. bench:swarm, 8 viewers, three runs each: with 250,
                           // each nudged stall froze the video 265-320 ms and
                           // continuity was 0.994-0.9994; with 120, 0.999-1
  frozenVideoMs: 1000,     // no new frame this long while playing: nudge
  latencyMode: /** @type {import('./mse-player-types.js').LatencyMode} */ ('low'),  // or 'smooth': see MsePlayer#latencyMode
  smoothLatencyMs: 6000,   // the least latency aimed at in the smooth mode
});

/** @type {readonly import('./mse-player-types.js').LatencyMode[]} */
export const LATENCY_MODES = Object.freeze(['low', 'smooth']);
