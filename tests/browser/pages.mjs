// The broadcast and watch pages as the end-to-end tests drive them: through the UI
// where a person would click, and through window.swarmcast for the numbers.
import { openPage, waitFor } from './launch.mjs';

// source: 'test' | 'camera' | 'screen' (Chromium's fake devices);
// beforeLive(page): runs once the page is ready, before Go live is clicked.
// initScript: as openPage's. query: the page URL's, e.g. '?relay-only'.
export async function startBroadcast(browser, server, { source = 'test', beforeLive, initScript, query = '' } = {}) {
  const page = await openPage(browser, `${server.url}/broadcast${query}`, { initScript });
  await page.waitForFunction(() => window.swarmcast && !window.swarmcast.element.shadowRoot.getElementById('go-live').disabled);
  await beforeLive?.(page);
  await page.selectOption('#source', source);
  await page.click('#go-live');
  await waitFor(() => page.evaluate(() => window.swarmcast.broadcaster.live), { what: 'the broadcast to go live' });
  const streamId = await page.evaluate(() => window.swarmcast.broadcaster.streamId);
  return { page, streamId };
}

// options: openPage's, and query: the page URL's, e.g. '?relay-only'.
export function openViewer(browser, server, streamId, { query = '', ...options } = {}) {
  return openPage(browser, `${server.url}/watch/${streamId}${query}`, options);
}

export function viewerStats(page) {
  return page.evaluate(() => {
    const s = window.swarmcast?.stats();
    if (!s) return null;
    const e = s.node?.engine ?? {};
    return {
      state: s.state, peerId: s.peerId, peers: s.peers, startupMs: s.startupMs, startupPhases: s.startupPhases,
      currentTime: s.player.currentTime, decodedFrames: s.player.decodedFrames, droppedFrames: s.player.droppedFrames,
      bufferSeconds: s.player.bufferSeconds, targetLatencyMs: s.player.targetLatencyMs, playbackRate: s.player.playbackRate,
      stalls: s.player.stalls, stalledMs: s.player.stalledMs, nudges: s.player.nudges, holesCrossed: s.player.holesCrossed, behindLiveSeconds: s.player.behindLiveSeconds,
      controlSent: e.control_bytes_sent ?? 0, latencyP95Ms: e.latency_p95_ms ?? null, received: e.media_bytes_received ?? 0, fromSource: e.media_bytes_from_source ?? 0,
      sent: e.media_bytes_sent ?? 0, badPieces: e.bad_pieces ?? 0, bans: e.bans ?? 0, latencyMs: s.latencyMs, handoverLatencyMs: e.latency_p50_ms ?? null,
      chunksPlayed: e.chunks_played ?? 0, chunksSkipped: e.chunks_skipped ?? 0,
      msOnRendition: /** @type {Record<number, number>} */ (s.rendition?.msOn ?? {}),
    };
  });
}

/**
 * Seconds of media each viewer played on each rendition between two samples (of
 * viewerStats or the field's engineCounters), by id.
 * @param {{ msOnRendition: Record<number, number> }[]} first
 * @param {{ msOnRendition: Record<number, number> }[]} last
 * @returns {Record<string, number>[]}
 */
export function secondsOnRenditions(first, last) {
  return last.map((s, i) => Object.fromEntries(Object.entries(s.msOnRendition)
    .map(([id, ms]) => [id, +((ms - (first[i].msOnRendition[Number(id)] ?? 0)) / 1000).toFixed(1)])));
}

export function broadcasterStats(page) {
  return page.evaluate(() => {
    const s = window.swarmcast.stats();
    return { viewers: s.viewers, produced: s.producedBytes, sent: s.mediaBytesSent, factor: s.sourceUploadFactor,
      // Bytes produced of each rendition, by id (WebCodecs; empty with MediaRecorder).
      producedOf: Object.fromEntries(s.renditions.map((r) => [r.id, r.bytes])),
      peers: s.node?.engine?.peers ?? 0, peerId: s.node?.peerId, controlSent: s.node?.engine?.control_bytes_sent ?? 0 };
  });
}

// Runs in the page: a Broadcaster live from the grain-free 640x360 test pattern in
// `rungs` ([{ height, bitrate }], highest first); the stream id. Its error events
// collect in window.errors.
export async function goLiveInRenditions(rungs) {
  const { loadCore, Broadcaster, openTestPattern } = await import('/web/shim/index.js');
  const core = await loadCore();
  const source = openTestPattern({ width: 640, height: 360, frameRate: 30, noise: false });
  const broadcaster = new Broadcaster({ core, seed: crypto.getRandomValues(new Uint8Array(32)),
    signalingUrl: `${location.origin.replace(/^http/, 'ws')}/signal`, renditions: { rungs } });
  window.errors = [];
  broadcaster.addEventListener('error', ({ detail }) => window.errors.push(detail));
  await broadcaster.goLive(source.stream);
  window.broadcaster = broadcaster;
  return broadcaster.streamId;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits until every viewer is playing; returns their currentTime at that moment.
export async function waitPlaying(viewers, timeoutMs = 10_000) {
  const stats = await waitFor(async () => {
    const all = await Promise.all(viewers.map(viewerStats));
    return all.every((s) => s?.state === 'playing' && s.currentTime > 0) && all;
  }, { timeoutMs, what: 'every viewer to play' });
  return stats.map((s) => s.currentTime);
}
