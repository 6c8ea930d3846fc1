// The service worker: keeps the app shell (pages, scripts, styles, the wasm core,
// icons, manifest) so the pages load without a network, and never stands between a
// page and live data. Served at /sw.js, so its scope is the whole site.
//  - Shell requests go to the network first, so an update on the server is picked up on
//    the next load; each good answer refreshes the cache. When the network fails (or is
//    slower than NETWORK_TIMEOUT_MS) the cached copy answers.
//  - The shell is precached on install under a versioned name; activating a new
//    version deletes the others. Bump SHELL_VERSION when the list changes.
//  - Everything else passes through untouched: the stream registry and the HTTP chunk
//    origin (/api/...), health, the signaling WebSocket (/signal), other origins, and
//    anything but GET.
const SHELL_VERSION = 19;
const CACHE = `swarmcast-shell-v${SHELL_VERSION}`;
const NETWORK_TIMEOUT_MS = 4000;

// Every /watch/<stream> is the same page.
const WATCH_PAGE = '/watch.html';

// tests/node/pwa.test.mjs checks this list against the files in web/.
const SHELL = [
  '/', '/broadcast', '/debug', WATCH_PAGE, '/manifest.webmanifest',
  '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png',
  '/web/app/style.css', '/web/app/broadcast.js', '/web/app/chat-panel.js', '/web/app/debug.js', '/web/app/home.js', '/web/app/pwa.js', '/web/app/save-clip.js', '/web/app/swarm-dashboard.js', '/web/app/tag-link.js',
  '/web/app/watch.js', '/vendor/uplot/uPlot.iife.min.js', '/vendor/uplot/uPlot.min.css',
  '/web/shim/base64url.js', '/web/shim/broadcaster.js', '/web/shim/buffered-ranges.js', '/web/shim/capture.js', '/web/shim/capture-timeline.js',
  '/web/shim/chat.js', '/web/shim/chat-numbers.js', '/web/shim/clip-buffer.js',
  '/web/shim/clock.js', '/web/shim/compose.js', '/web/shim/device.js', '/web/shim/ebml.js', '/web/shim/encoder-health.js', '/web/shim/features.js', '/web/shim/frame-source.js', '/web/shim/frame-ticker.js', '/web/shim/gap-crossing.js', '/web/shim/index.js', '/web/shim/kept.js',
  '/web/shim/latency-target.js', '/web/shim/listing.js', '/web/shim/live-edge-steering.js', '/web/shim/milestones.js', '/web/shim/mse-player.js', '/web/shim/mse-player-defaults.js', '/web/shim/mse-player-types.js',
  '/web/shim/network-conditions.js', '/web/shim/opus-head.js', '/web/shim/playback-meter.js',
  '/web/shim/origin-client.js', '/web/shim/peer-link.js', '/web/shim/peer-links.js', '/web/shim/recorder.js', '/web/shim/rendition-ladder.js', '/web/shim/rendition-levels.js',
  '/web/shim/rendition-publisher.js', '/web/shim/rendition-session.js', '/web/shim/rendition-track.js', '/web/shim/signaling.js',
  '/web/shim/source-buffer-ops.js', '/web/shim/stall-recovery.js', '/web/shim/stats-report.js', '/web/shim/stream-key.js', '/web/shim/swarm-node.js', '/web/shim/swarm-node-types.js',
  '/web/shim/test-pattern.js', '/web/shim/typed-event-target.js', '/web/shim/viewer.js', '/web/shim/webm-time.js',
  '/web/elements/broadcaster-markup.js', '/web/elements/element-base.js', '/web/elements/icons.js', '/web/elements/player-markup.js',
  '/web/elements/player-view.js', '/web/elements/quality-levels.js', '/web/elements/shared-style.js', '/web/elements/status-veil.js',
  '/web/elements/swarmcast-broadcaster.js', '/web/elements/swarmcast-player.js', '/web/elements/viewer-display.js',
  '/web/core/engine.js', '/web/core/engine-arguments.js', '/web/core/frame-muxer.js', '/web/core/heap.js', '/web/core/index.js', '/web/core/segmenter.js', '/web/core/topology.js', '/web/core/trust.js',
  '/build/wasm/swarmcast.mjs', '/build/wasm/swarmcast.wasm',
];

// Folders whose files belong to the shell even when not listed (cached as they load).
const SHELL_FOLDERS = ['/web/', '/build/wasm/', '/icons/'];

// The cache key a same-origin path is kept under, or null when it is not the shell's.
function shellKey(pathname) {
  if (/^\/watch\/[^/]+$/.test(pathname)) return WATCH_PAGE;
  if (SHELL.includes(pathname) || SHELL_FOLDERS.some((folder) => pathname.startsWith(folder))) return pathname;
  return null;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'reload': the network's copy, not whatever the HTTP cache holds.
    await cache.addAll(SHELL.map((path) => new Request(path, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith('swarmcast-shell-') && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const key = shellKey(url.pathname);
  if (key !== null) event.respondWith(networkFirst(request, key));
});

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(key, response.clone());
    return response;
  });
  // A failure after the timeout has answered is nobody's to handle.
  network.catch(() => {});
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('network timeout')), NETWORK_TIMEOUT_MS));
  try {
    return await Promise.race([network, timeout]);
  } catch {
    // Offline or slow: the cached copy, else wait for (or fail with) the network.
    return (await cache.match(key)) ?? network;
  }
}
