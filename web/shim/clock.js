/**
 * Wall-clock ms, monotonic within the page: the one clock the shim hands the engine.
 * Chunk capture times are stamped with it by the broadcaster and latency is measured
 * against it by viewers, so both ends must read wall-clock milliseconds;
 * performance.now() keeps it monotonic within a page.
 * @returns {number}
 */
export const nowMs = () => Math.floor(performance.timeOrigin + performance.now());
