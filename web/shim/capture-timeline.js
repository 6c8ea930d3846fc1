// MsePlayer's map between media time and capture time, for the latency stats and the
// live-edge policy. Within one recording, media time and capture time advance together
// (capture times are the recorder's start plus the media timestamps), so one chunk's
// signed capture time and its first Cluster Timecode fix the mapping; each chunk renews
// it, which follows a restarted recording at once. A rendition switch is the same case:
// the other rendition's init segment, then its chunks, each placed by capture time,
// so chunk k of the new rendition goes where chunk k of the old one would have.
import { nowMs } from './clock.js';
import { chunkStartMs, timecodeScaleNs } from './webm-time.js';

export class CaptureTimeline {
  /** @type {number | null} */
  #captureBase = null;   // capture time (ms) of media time 0 in the current timeline
  /** @type {number | undefined} */
  #timecodeScaleNs;
  #offsetMs = 0;         // the SourceBuffer's timestampOffset, in ms
  #epochChanged = false; // a later init segment was appended; its first chunk is next

  /**
   * An init segment starts an epoch, or another rendition of it; `later` when one came
   * before it.
   * @param {Uint8Array} initBytes
   * @param {boolean} later
   */
  startEpoch(initBytes, later) {
    this.#epochChanged = later;
    this.#timecodeScaleNs = timecodeScaleNs(initBytes);
  }

  // A new recording (the broadcaster switched source) starts its timestamps at zero
  // again, and another rendition's encoder counts from its own start; shifted by its
  // capture time, it goes on the timeline where it was captured, after what is
  // buffered, and the playhead crosses the switch as it plays.
  /**
   * The SourceBuffer's timestampOffset (s) for the first chunk of a later epoch, or null
   * to leave it as it is.
   * @param {number | null} captureMs
   * @param {Uint8Array} bytes
   * @returns {number | null}
   */
  offsetFor(captureMs, bytes) {
    if (!this.#epochChanged) return null;
    this.#epochChanged = false;
    const startMs = chunkStartMs(bytes, this.#timecodeScaleNs);
    if (captureMs === null || startMs === null || this.#captureBase === null) return null;
    this.#offsetMs = captureMs - this.#captureBase - startMs;
    return this.#offsetMs / 1000;
  }

  /**
   * An appended chunk renews the mapping.
   * @param {number | null} captureMs
   * @param {Uint8Array} bytes
   */
  anchor(captureMs, bytes) {
    if (captureMs === null) return;
    const startMs = chunkStartMs(bytes, this.#timecodeScaleNs);
    if (startMs !== null) this.#captureBase = captureMs - startMs - this.#offsetMs;
  }

  /**
   * When the frame at `mediaSeconds` was captured (shim clock, ms), or null before any
   * chunk with a capture time.
   * @param {number} mediaSeconds
   * @returns {number | null}
   */
  captureMsAt(mediaSeconds) {
    if (this.#captureBase === null) return null;
    return this.#captureBase + mediaSeconds * 1000;
  }

  /**
   * How long ago the frame at `mediaSeconds` was captured (ms), or null.
   * @param {number} mediaSeconds
   * @returns {number | null}
   */
  latencyMsAt(mediaSeconds) {
    const capturedMs = this.captureMsAt(mediaSeconds);
    return capturedMs === null ? null : nowMs() - capturedMs;
  }

  /**
   * The media time (s) of the frame captured at `captureMs`, or null.
   * @param {number} captureMs
   * @returns {number | null}
   */
  mediaTimeAt(captureMs) {
    if (this.#captureBase === null) return null;
    return (captureMs - this.#captureBase) / 1000;
  }
}
