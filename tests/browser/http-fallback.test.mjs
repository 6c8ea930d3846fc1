// The HTTP fallback in the browser: with the server's origin on, the broadcaster PUTs
// every signed chunk, and a viewer none of whose peer links can ever open (as behind a
// firewall that drops all UDP) still plays, every byte from the origin and verified by
// its engine, and its stats overlay says so. With two renditions, the broadcaster
// uploads both and the viewer gets the one it plays: switched by hand to the lower one,
// its picture shrinks, still every byte from the origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, serverAndBrowser, waitFor } from './launch.mjs';
import { goLiveInRenditions, openViewer, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

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

const RUNGS = [{ height: 360, bitrate: 800_000 }, { height: 180, bitrate: 250_000 }];

const frameWidth = (viewer) => viewer.evaluate(() => window.swarmcast.video.videoWidth);
const fromHttp = (viewer) => viewer.evaluate(() => {
  const e = window.swarmcast.stats().node.engine;
  return { http: e.media_bytes_from_http, received: e.media_bytes_received, rendition: e.rendition };
});

test('two renditions: the origin serves a viewer no peer reaches the rendition it plays', async () => {
  const broadcast = await openPage(session.browser, `${session.server.url}/`);
  const streamId = await broadcast.evaluate(goLiveInRenditions, RUNGS);
  const viewer = await openViewer(session.browser, session.server, streamId, { initScript: blockPeerLinks });
  await waitPlaying([viewer], 20_000);
  await waitFor(async () => (await frameWidth(viewer)) === 640, { timeoutMs: 10_000, what: 'the top rendition on screen' });
  assert.deepEqual((await viewer.evaluate(() => window.swarmcast.stats().rendition)).ids, [0, 1], 'the list came with the index');
  await viewer.evaluate(() => window.swarmcast.viewer.setRendition(1));
  await waitFor(async () => (await frameWidth(viewer)) === 320, { timeoutMs: 15_000, what: 'rendition 1 on screen' });
  const before = await fromHttp(viewer);
  const start = (await viewerStats(viewer)).currentTime;
  try {
    await waitFor(async () => (await viewerStats(viewer)).currentTime - start >= 3, { timeoutMs: 10_000, what: '3 s more of rendition 1' });
  } catch (error) {
    const engine = await viewer.evaluate(() => window.swarmcast.stats().node.engine);
    throw new Error(`${/** @type {Error} */ (error).message}; the viewer: ${JSON.stringify({ player: await viewerStats(viewer), engine })}`);
  }
  const after = await fromHttp(viewer);
  const stats = await viewerStats(viewer);
  console.log(JSON.stringify({ httpFallbackRenditions: { before, after, stalls: stats.stalls } }));

  assert.equal(after.rendition, 1);
  assert.ok(after.received > before.received, 'rendition 1 kept coming');
  assert.equal(after.http, after.received, 'every verified byte came from the origin');
  assert.equal(stats.peers, 0);
  assert.equal(stats.stalls, 0);
  assert.equal(stats.chunksSkipped, 0);
  assert.deepEqual(await broadcast.evaluate(() => window.errors), [], 'every upload of either rendition was stored');
  assert.deepEqual(viewer.problems, []);
});
