// Where MsePlayer's playhead should be, and steering it there.
//
// Live-edge policy. A frame captured at C in a chunk that starts at S can only play
// once the whole chunk has been appended, at S + A (A: the chunk's arrival lateness:
// its duration plus the time it took to be cut, signed, carried and appended). Playing at a
// glass-to-glass latency L never stalls as long as L ≥ A for every chunk. So the
// player aims at the worst arrival lateness of the recent chunks plus a margin, and
// steers towards it: a seek for a large error, and (only where maxRateChange allows,
// off by default) a small playbackRate change for a small one. A late chunk raises the
// target at once; the target falls back as the late one leaves the window.
//
// While stalled the playbackRate is left alone: nothing plays, and the latency error it
// would chase is the stall itself; StallRecovery gets a stuck pipeline going again.
import { nowMs } from './clock.js';
import { bufferedEnd, bufferedStart, isBuffered } from './buffered-ranges.js';
import { LatencyTarget } from './latency-target.js';

/** @typedef {import('./mse-player-types.js').LatencyMode} LatencyMode */
/** @typedef {import('./latency-target.js').LatencyTargetOptions} LatencyTargetOptions */
/**
 * MsePlayer's options of the same names (MSE_PLAYER_DEFAULTS says what each means).
 * @typedef {LatencyTargetOptions & { seekAboveMs: number, maxRateChange: number, rateGainPerS: number,
 *   smoothLatencyMs: number }} LiveEdgeOptions
 */

const RATE_DEADBAND_MS = 60;
const MIN_START_AHEAD_S = 0.3;
// A seek decodes every frame from the keyframe before its target. With a keyframe
// every 6-7 s (Firefox's recorder) a seek into the middle of a group of pictures took
// Chromium 2-10 s on a busy 2-core machine, during which the picture stood still. So
// the player seeks at most this far past a keyframe, else to the keyframe itself;
// Chromium's recorder puts one in every chunk (~0.75 s), so its streams never notice.
const MAX_DECODE_AHEAD_S = 1;
const KEYFRAMES_KEPT = 64;

export class LiveEdgeSteering {
  #video;
  #options;
  #timeline;
  #target;
  #playing;
  #play;
  /** @type {LatencyMode | undefined} */
  #mode;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #holdTimer;           // a hold that takes the player back to its target (holdForTarget)
  /** @type {number[]} */
  #keyframes = [];      // media times (s) at which appended chunks start with a keyframe, ascending
  #stopped = false;

  /**
   * @param {HTMLVideoElement} video
   * @param {LiveEdgeOptions} options
   * @param {import('./capture-timeline.js').CaptureTimeline} timeline
   * @param {{ playing: () => boolean, play: () => void }} player whether the player is
   *   in its 'playing' state, and how it plays the video
   */
  constructor(video, options, timeline, { playing, play }) {
    this.#video = video;
    this.#options = options;
    this.#timeline = timeline;
    this.#target = new LatencyTarget(options);
    this.#playing = playing;
    this.#play = play;
  }

  /** @returns {LatencyMode | undefined} undefined until the player sets it */
  get mode() {
    return this.#mode;
  }

  // A switch forgets the arrival lateness measured so far: the engine fetched against
  // the other mode's deadlines.
  /** @param {LatencyMode} mode */
  set mode(mode) {
    if (this.#mode !== undefined && mode !== this.#mode) this.#target.forget(nowMs());
    this.#mode = mode;
    this.#target.floorMs = mode === 'smooth' ? this.#options.smoothLatencyMs : this.#options.minLatencyMs;
    if (this.#holdTimer !== undefined) this.#endHold();
    // Only the smooth mode holds back: in 'low' the target just forgotten is the
    // initial one, often above the latency reached, and a pause there would answer a
    // viewer's ask for less latency with a stop.
    if (mode === 'smooth') this.holdForTarget();
  }

  /** @returns {number} the latency aimed at now (ms) */
  get targetMs() {
    return this.#target.ms;
  }

  /** @returns {number} the latency aimed at before any chunk is timed (ms) */
  get initialMs() {
    return this.#target.initialMs;
  }

  /**
   * A chunk whose first frame was captured at captureMs has been appended.
   * @param {number} captureMs
   */
  noteArrival(captureMs) {
    this.#target.noteArrival(captureMs, nowMs());
  }

  /**
   * An appended chunk starts with a keyframe at `mediaSeconds`.
   * @param {number} mediaSeconds
   */
  noteKeyframe(mediaSeconds) {
    const keyframes = this.#keyframes;
    if (keyframes.length && mediaSeconds <= keyframes[keyframes.length - 1]) {
      // A restarted recording's timeline: what came before no longer orders with it.
      if (mediaSeconds < keyframes[keyframes.length - 1]) keyframes.length = 0;
      else return;
    }
    keyframes.push(mediaSeconds);
    if (keyframes.length > KEYFRAMES_KEPT) keyframes.shift();
  }

  // Where StallRecovery's small seek forward to `position` should land: there if that
  // is cheap (#cheapSeek), else the next keyframe if it is buffered, else nowhere (null):
  // a nudge into a long group of pictures held the picture for seconds.
  /**
   * @param {number} position
   * @returns {number | null}
   */
  nudgeLanding(position) {
    if (this.#cheapSeek(position) === position) return position;
    const next = this.#keyframes.find((at) => at > position);
    return next !== undefined && isBuffered(this.#video.buffered, next) ? next : null;
  }

  // Where a seek towards `position` should land: there when a keyframe is at most
  // MAX_DECODE_AHEAD_S before it (or none is known), else that keyframe.
  /**
   * @param {number} position
   * @returns {number}
   */
  #cheapSeek(position) {
    let keyframe = null;
    for (const at of this.#keyframes) if (at <= position + 1e-3) keyframe = at;
    return keyframe === null || position - keyframe <= MAX_DECODE_AHEAD_S ? position : keyframe;
  }

  // Where playback starts, or goes back to live: at the target latency if that much is
  // buffered, else as close to it as leaves a little media to play while the next
  // chunk comes. Null with nothing buffered.
  /** @returns {number | null} */
  livePosition() {
    const start = bufferedStart(this.#video.buffered);
    const edge = bufferedEnd(this.#video.buffered);
    if (start === null || edge === null) return null;
    const wanted = this.#targetPosition() ?? edge;
    return this.#cheapSeek(Math.max(start, Math.min(wanted, edge - MIN_START_AHEAD_S)));
  }

  /**
   * Each monitor tick while playback runs.
   * @param {boolean} stalled
   */
  steer(stalled) {
    if (!stalled) this.#follow();
    if (this.#mode === 'smooth') this.holdForTarget();
  }

  // Playing further than seekAboveMs nearer the live edge than the target (the smooth
  // mode's, just chosen): pause for the difference, then play on from there.
  holdForTarget() {
    const latency = this.#playheadLatencyMs();
    if (latency === null || this.#holdTimer !== undefined || !this.#playing() || this.#video.paused) return;
    const shortMs = this.targetMs - latency;
    if (shortMs <= this.#options.seekAboveMs) return;
    this.#video.pause();
    this.#holdTimer = setTimeout(() => this.#endHold(), shortMs);
    // Played meanwhile from the controls: the hold is over, and a pause after that is
    // the viewer's to keep.
    this.#video.addEventListener('play', () => {
      clearTimeout(this.#holdTimer);
      this.#holdTimer = undefined;
    }, { once: true });
  }

  stop() {
    this.#stopped = true;
    clearTimeout(this.#holdTimer);
  }

  #endHold() {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    if (!this.#stopped) this.#play();
  }

  #follow() {
    const video = this.#video;
    // A seek still in flight: the decoder is working up to it from the keyframe before
    // it, and with a keyframe only every 6-7 s (Firefox's recorder) that outlasted the
    // ~1 s in which the target ran seekAboveMs ahead again, so each seek restarted the
    // last and a viewer stayed on no frame for 15 s.
    if (video.seeking) return;
    const latency = this.#playheadLatencyMs();
    if (latency === null) return;
    const { seekAboveMs, maxRateChange, rateGainPerS } = this.#options;
    const errorMs = latency - this.targetMs;
    const target = this.#targetPosition();
    const edge = bufferedEnd(video.buffered);
    const seekTo = target === null ? null : this.#cheapSeek(target);
    if (seekTo !== null && edge !== null && errorMs > seekAboveMs && isBuffered(video.buffered, seekTo)
      && seekTo < edge - MIN_START_AHEAD_S && seekTo - video.currentTime > seekAboveMs / 1000) {
      video.currentTime = seekTo;
      video.playbackRate = 1;
      return;
    }
    let rate = 1;
    if (Math.abs(errorMs) > RATE_DEADBAND_MS) {
      rate = 1 + Math.max(-maxRateChange, Math.min(maxRateChange, (errorMs / 1000) * rateGainPerS));
      rate = Math.round(rate * 100) / 100;
    }
    if (video.playbackRate !== rate) video.playbackRate = rate;
  }

  // Only asked once playback has begun (following it, or holding in the 'playing'
  // state): before that the playhead's media time means nothing.
  /** @returns {number | null} */
  #playheadLatencyMs() {
    return this.#timeline.latencyMsAt(this.#video.currentTime);
  }

  /**
   * Where the playhead would be at the target latency (media seconds), or null.
   * @returns {number | null}
   */
  #targetPosition() {
    return this.#timeline.mediaTimeAt(nowMs() - this.targetMs);
  }
}
