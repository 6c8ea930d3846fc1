// Questions about a media element's buffered TimeRanges (seconds), for the player.

/**
 * @param {TimeRanges} ranges
 * @returns {number | null}
 */
export function bufferedStart(ranges) {
  return ranges.length ? ranges.start(0) : null;
}

/**
 * The end of the last range: the newest media the player holds.
 * @param {TimeRanges} ranges
 * @returns {number | null}
 */
export function bufferedEnd(ranges) {
  return ranges.length ? ranges.end(ranges.length - 1) : null;
}

/**
 * @param {TimeRanges} ranges
 * @param {number} time
 * @returns {boolean}
 */
export function isBuffered(ranges, time) {
  for (let i = 0; i < ranges.length; i++) {
    if (ranges.start(i) <= time && time < ranges.end(i)) return true;
  }
  return false;
}

/**
 * The start of the first range after `time` (past a hole), or null.
 * @param {TimeRanges} ranges
 * @param {number} time
 * @returns {number | null}
 */
export function nextRangeStart(ranges, time) {
  for (let i = 0; i < ranges.length; i++) {
    if (ranges.start(i) > time) return ranges.start(i);
  }
  return null;
}

/**
 * Seconds buffered from `time` on without a hole; a range starting within `epsilon`
 * after `time` counts (the playhead sits a hair before a range after a seek).
 * @param {TimeRanges} ranges
 * @param {number} time
 * @param {number} epsilon
 * @returns {number}
 */
export function bufferedAhead(ranges, time, epsilon) {
  for (let i = 0; i < ranges.length; i++) {
    if (ranges.start(i) <= time + epsilon && time < ranges.end(i)) return ranges.end(i) - time;
  }
  return 0;
}
