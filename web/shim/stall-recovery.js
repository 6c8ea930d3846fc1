// Gets MsePlayer's video moving again when Chromium's pipeline is stuck. On a busy
// machine the pipeline can underflow with media buffered ahead (its audio renderer runs
// dry when decoding is starved of CPU) and then stay in HAVE_CURRENT_DATA, or keep the
// audio going while the video shows no new frame, until something seeks. Measured in
// the 8-viewer bench (tools/bench/swarm.mjs): stuck 0.5-1 s with 0.7-1.4 s buffered,
// video frozen up to 4 s; without an audio track, no such stall at all. So a stall
// that outlasts nudgeAfterMs with media ahead, and a video that has neither shown nor
// played a frame for frozenVideoMs while the playhead moves, are nudged: a small seek
// forward, which restarts the pipeline (as hls.js nudges its stalls).
import { bufferedAhead } from './buffered-ranges.js';

const NUDGE_S = 0.1;
// A nudge is a seek: the pipeline refills from the last keyframe, which on a busy
// machine takes a few hundred ms and fires 'waiting' again; nudging again meanwhile
// would only restart that refill.
const NUDGE_SPACING_MS = 1000;
const MIN_AHEAD_S = 0.3;     // nudge only onto media that is there
const AHEAD_EPSILON_S = 0.01;

export class StallRecovery {
  #video;
  #options;
  /** @type {number | null} */
  #lastFrameAt = null;  // performance.now() of the last frame composited or played out
  #framesPlayed = 0;    // decoded and not dropped, at the last check
  #lastNudgeAt = -Infinity;
  #landing;
  nudges = 0;

  /**
   * @param {HTMLVideoElement} video
   * @param {{ nudgeAfterMs: number, frozenVideoMs: number }} options MsePlayer's options of those names.
   * @param {() => boolean} playing The player has started and is not closed, failed or ended.
   * @param {(position: number) => number | null} [landing] Where a seek meant for `position` should land
   *   instead (a keyframe: a seek into a long group of pictures decodes all of it), or null for no seek.
   */
  constructor(video, options, playing, landing = (position) => position) {
    this.#video = video;
    this.#options = options;
    this.#landing = landing;
    // The pipeline says it has run dry: if it still has not moved on a little later
    // although media is there, it is stuck.
    video.addEventListener('waiting', () => setTimeout(() => {
      if (playing() && !video.paused && !video.seeking && video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) this.#nudge();
    }, options.nudgeAfterMs));
  }

  // A frame was composited (requestVideoFrameCallback).
  frameShown() {
    this.#lastFrameAt = performance.now();
  }

  // A new epoch, which may have no video: no frame to miss until one is shown.
  reset() {
    this.#lastFrameAt = null;
  }

  // Called while the playhead advances.
  checkFrozen() {
    if (this.#videoFrozen()) this.#nudge();
  }

  // No frame composited, and none played out in time either (an element out of view
  // plays frames nobody composites). Only where frames are reported at all and the
  // page is visible: a background tab may stop its video.
  #videoFrozen() {
    const quality = this.#video.getVideoPlaybackQuality?.();
    if (!quality || this.#lastFrameAt === null || document.visibilityState !== 'visible') return false;
    const played = quality.totalVideoFrames - quality.droppedVideoFrames;
    const lastFrameAt = played !== this.#framesPlayed ? performance.now() : this.#lastFrameAt;
    this.#lastFrameAt = lastFrameAt;
    this.#framesPlayed = played;
    return performance.now() - lastFrameAt >= this.#options.frozenVideoMs;
  }

  #nudge() {
    const video = this.#video;
    const now = performance.now();
    if (now - this.#lastNudgeAt < NUDGE_SPACING_MS) return;
    if (bufferedAhead(video.buffered, video.currentTime, AHEAD_EPSILON_S) < MIN_AHEAD_S) return;
    const to = this.#landing(video.currentTime + NUDGE_S);
    if (to === null) return;
    this.#lastNudgeAt = now;
    this.#lastFrameAt = now;
    this.nudges++;
    video.currentTime = to;
  }
}
