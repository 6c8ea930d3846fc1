// Moves MsePlayer's playhead over the holes in its buffered media: a hole left by a
// skipped chunk, where playback would wait forever, and a hole in the video alone, which
// the audio plays through while the video freezes.
import { isBuffered, nextRangeStart } from './buffered-ranges.js';

export class GapCrossing {
  #video;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #holeTimer;
  holesCrossed = 0;      // gaps in the buffered media the audio played through (crossHole)

  /** @param {HTMLVideoElement} video */
  constructor(video) {
    this.#video = video;
  }

  // A hole in the video alone leaves a gap in `buffered` that the audio plays through:
  // the broadcaster's capture skipped frames (its page starved of CPU), so MSE drops
  // the frames after the skip up to the next keyframe. The video then stays on its
  // last frame for good, even past the gap, until something seeks (measured in this
  // Chromium: a 0.6 s capture hole, the video frozen from there to the end, 3 s on,
  // with readyState HAVE_ENOUGH_DATA all along). So once the playhead is in such a gap,
  // a seek to the gap's end is set for when the audio gets there: the video restarts
  // with the stream, 1 s sooner than the frozen-video nudge would restart it. Jumping
  // the gap at once would cut the freeze short but take the gap off the buffer ahead,
  // and every later chunk would come that much nearer to a stall.
  crossHole() {
    const { buffered, currentTime, seeking, playbackRate } = this.#video;
    if (this.#holeTimer !== undefined || seeking || isBuffered(buffered, currentTime)) return;
    const end = nextRangeStart(buffered, currentTime);
    if (end === null) return;
    this.holesCrossed++;
    this.#holeTimer = setTimeout(() => {
      this.#holeTimer = undefined;
      const video = this.#video;
      if (video.paused || video.seeking) return;
      video.currentTime = Math.max(video.currentTime, end);
    }, ((end - currentTime) / playbackRate) * 1000);
  }

  // A skipped chunk leaves a hole; playback waits at its start forever unless moved on.
  jumpGap() {
    const next = nextRangeStart(this.#video.buffered, this.#video.currentTime);
    if (next !== null) this.#video.currentTime = next + 0.01;
  }

  stop() {
    clearTimeout(this.#holeTimer);
  }
}
