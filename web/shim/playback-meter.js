// What MsePlayer measures of its playback for its stats: the stalls (how many, how
// long), and the glass-to-glass latency of the frame the viewer actually sees.

export class PlaybackMeter {
  #video;
  #timeline;
  #frameShown;
  /** @type {number | null} */
  #stalledSince = null;
  #stalledMs = 0;
  #framePending = false; // a frame sample (sampleFrame) is waiting for the next frame
  #stopped = false;
  stalls = 0;
  /** @type {number | null} */
  shownLatencyMs = null;

  /**
   * @param {HTMLVideoElement} video
   * @param {import('./capture-timeline.js').CaptureTimeline} timeline
   * @param {() => void} frameShown called for each frame sampled
   */
  constructor(video, timeline, frameShown) {
    this.#video = video;
    this.#timeline = timeline;
    this.#frameShown = frameShown;
  }

  // The playhead is stuck after playback began; a stall already running goes on.
  stalled() {
    if (this.#stalledSince !== null) return;
    this.#stalledSince = performance.now();
    this.stalls++;
  }

  // The playhead moved: a stall, if one was running, is over.
  advanced() {
    if (this.#stalledSince === null) return;
    this.#stalledMs += performance.now() - this.#stalledSince;
    this.#stalledSince = null;
  }

  /** @returns {number} the time stalled so far, the stall running now included (ms) */
  get stalledMs() {
    return this.#stalledMs + (this.#stalledSince === null ? 0 : performance.now() - this.#stalledSince);
  }

  // requestVideoFrameCallback reports a frame as it is composited, with its media time:
  // the latency of what the viewer actually sees. The first frame is waited for (it
  // ends startup); after it, one frame per monitor tick is sampled, not every frame: a
  // pending callback makes the page run its rendering steps for the next frame, which
  // a playing video otherwise leaves to the compositor (measured: a viewer's main
  // thread busy 12-14 % with a callback on every frame, 8 % without). Without it,
  // 'playing' is the nearest sign of a first frame.
  sampleFrame() {
    if (this.#framePending) return;
    this.#framePending = true;
    this.#video.requestVideoFrameCallback((_, { expectedDisplayTime, mediaTime }) => {
      this.#framePending = false;
      if (this.#stopped) return;
      this.#frameShown();
      const capturedMs = this.#timeline.captureMsAt(mediaTime);
      if (capturedMs !== null) this.shownLatencyMs = performance.timeOrigin + expectedDisplayTime - capturedMs;
    });
  }

  stop() {
    this.#stopped = true;
  }
}
