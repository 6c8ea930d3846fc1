// Calls `tick` frameRate times a second from a worker's timer: a broadcaster's tab is
// often in the background (the streamer is sharing another window), where the page's
// own timers are slowed to once a second and requestAnimationFrame stops; a worker's
// are not. Returns { stop() }.
export function frameTicker(frameRate, tick) {
  const source = `setInterval(() => postMessage(0), ${1000 / frameRate});`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  worker.onmessage = tick;
  tick();
  return { stop: () => worker.terminate() };
}
