// The HTTP fallback in the browser: with the server's origin on, the broadcaster PUTs
// every signed chunk, and a viewer none of whose peer links can ever open (as behind a
// firewall that drops all UDP) still plays, every byte from the origin and verified by
// its engine, and its stats overlay says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

// Peer connections that never get past their descriptions: no link ever opens.
function blockPeerLinks() {
  window.blockedLinks = 0;
  const Real = RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    constructor(...args) {
      super(...args);
      window.blockedLinks++;
    }
    setLocalDescription() { return new Promise(() => {}); }
    setRemoteDescription() { return new Promise(() => {}); }
  };
}

const session = serverAndBrowser({ origin: true });

test('a viewer whose peer links cannot open plays from the HTTP origin', async () => {
  const broadcast = await startBroadcast(session.browser, session.server);
  const viewer = await openViewer(session.browser, session.server, broadcast.streamId, { initScript: blockPeerLinks });
  const [start] = await waitPlaying([viewer], 15_000);
  const stats = await waitFor(async () => {
    const s = await viewerStats(viewer);
    return s.currentTime - start >= 5 && s;
  }, { timeoutMs: 15_000, intervalMs: 250, what: 'the viewer to advance 5 s' });
  const http = await viewer.evaluate(() => window.swarmcast.stats().node.engine.media_bytes_from_http);
  console.log(JSON.stringify({ httpFallback: { startupMs: stats.startupMs, stalls: stats.stalls, received: stats.received, http,
    glassToGlassMs: Math.round(stats.latencyMs) } }));

  assert.ok(await viewer.evaluate(() => window.blockedLinks) > 0, 'the viewer tried to link to peers');
  assert.equal(stats.peers, 0);
  assert.ok(stats.received > 0);
  assert.equal(http, stats.received, 'every verified byte came from the origin');
  assert.equal(stats.badPieces, 0);
  await waitFor(async () => !(await viewer.isHidden('#o-http-row')), { what: 'the overlay to show the share from HTTP' });
  assert.equal(await viewer.textContent('#o-http'), '100 %');
  assert.equal(await viewer.textContent('#o-share'), '0 %');
  for (const page of [broadcast.page, viewer]) assert.deepEqual(page.problems, []);
});
