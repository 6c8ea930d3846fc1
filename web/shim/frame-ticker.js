/**
 * Calls `tick` frameRate times a second from a worker's timer: a broadcaster's tab is
 * often in the background (the streamer is sharing another window), and so is many a
 * viewer's, whose peers wait on its answers; there the page's own timers are slowed to
 * about once a second and requestAnimationFrame stops; a worker's are not.
 * @param {number} frameRate
 * @param {() => void} tick
 * @returns {{ stop(): void }}
 */
export function frameTicker(frameRate, tick) {
  const intervalMs = 1000 / frameRate;
  const source = `setInterval(() => postMessage(0), ${intervalMs});`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  let last = -Infinity;
  const onTick = () => {
    // The worker ticks on while the page is busy, and its ticks then arrive back to
    // back (16 after a 500 ms block): one frame is enough, the rest would be painted
    // for the capture to drop, on a page already short of time.
    const now = performance.now();
    if (now - last < intervalMs / 2) return;
    last = now;
    tick();
  };
  // A page whose Content-Security-Policy refuses blob: workers gets an 'error' event
  // and no ticks (Chromium and Firefox alike): its own timer then, slowed while the
  // page is hidden, rather than none.
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let fallback;
  worker.addEventListener('error', () => {
    fallback ??= setInterval(onTick, intervalMs);
  });
  worker.onmessage = onTick;
  onTick();
  return {
    stop: () => {
      worker.terminate();
      clearInterval(fallback);
    },
  };
}
