// Relay-only peers through a real TURN server: coturn on loopback (tools/server/coturn.js,
// the module `npm start -- --turn` uses), the signaling server minting each client a
// credential for it, and a broadcaster and 3 viewers that all open their peer links
// with iceTransportPolicy 'relay' (the pages' ?relay-only). They must play as the
// others do, every open link's selected candidate pair must be a relay one (read from
// the browser's own getStats(), and as the product reports it), the broadcaster's
// dashboard must show all of its swarm's links through TURN, and coturn must have
// granted the allocations and relayed the media.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoturn } from '../../tools/server/coturn.js';
import { startServer } from '../../tools/server/server.js';
import { processRunning as running } from '../node/helpers.mjs';
import { RECORD_PEER_CONNECTIONS, selectedPairs } from '../field/measure.mjs';
import { launchChromium, waitFor } from './launch.mjs';
import { installFrameProbe, takeFrameProbe } from './measure.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const VIEWERS = 3;
const WINDOW_MS = 15_000;
const RELAY_ONLY = { query: '?relay-only', initScript: RECORD_PEER_CONNECTIONS };

const session = { coturn: null, server: null, browser: null };

before(async () => {
  session.coturn = await startCoturn();
  session.server = await startServer({ port: 0, host: '127.0.0.1', turn: session.coturn.turn });
  session.browser = await launchChromium();
});
after(async () => {
  await session.browser?.close();
  await session.server?.close();
  await session.coturn?.stop();
});

test('a broadcaster and 3 viewers on relay-only links play through coturn', { timeout: 120_000 }, async () => {
  const { browser, server, coturn } = session;
  const broadcast = await startBroadcast(browser, server, RELAY_ONLY);
  const viewers = [];
  for (let i = 0; i < VIEWERS; i++) viewers.push(await openViewer(browser, server, broadcast.streamId, RELAY_ONLY));
  const startTimes = await waitPlaying(viewers, 20_000);
  const startups = (await Promise.all(viewers.map(viewerStats))).map((s) => s.startupMs);

  // Continuity over a window, as the other browser tests measure it: the player's own
  // stalled time, and frames that stayed on screen too long, whichever is larger.
  await Promise.all(viewers.map(installFrameProbe));
  await Promise.all(viewers.map(takeFrameProbe));
  const first = await Promise.all(viewers.map(viewerStats));
  const startedAt = Date.now();
  await sleep(WINDOW_MS);
  const probes = await Promise.all(viewers.map(takeFrameProbe));
  const last = await Promise.all(viewers.map(viewerStats));
  const windowMs = Date.now() - startedAt;
  const continuity = last.map((s, i) => 1 - Math.max(s.stalledMs - first[i].stalledMs, probes[i].freezeMs) / windowMs);

  // Every open link, from outside the product (the browser's own candidate pairs) and
  // as the product reports it (PeerLink.relayed, after the stats interval re-read it).
  const pairs = (await Promise.all([broadcast.page, ...viewers].map(selectedPairs))).flat();
  const links = (await Promise.all([broadcast.page, ...viewers].map((page) => page.evaluate(
    () => window.swarmcast.stats().node.links.filter((link) => link.open).map((link) => link.relayed),
  )))).flat();
  // The broadcaster's view: the server's summary of what every member reports, and the dashboard.
  const shown = await waitFor(() => broadcast.page.evaluate(() => {
    const { swarm } = window.swarmcast.stats();
    return swarm?.links.open > 0 && swarm.links.relayed === swarm.links.open
      && { links: swarm.links, text: document.getElementById('n-relayed').textContent };
  }), { timeoutMs: 10_000, what: 'the summary to count every link as relayed' });
  const allocations = coturn.allocations();
  const peerIds = await Promise.all([broadcast.page, ...viewers].map((page) => page.evaluate(() => window.swarmcast.stats().node.peerId)));
  console.log(JSON.stringify({ turnRelay: {
    startupMs: startups, continuity: continuity.map((c) => +c.toFixed(4)), advancedS: last.map((s, i) => +(s.currentTime - startTimes[i]).toFixed(1)),
    pairs: pairs.length, summaryLinks: shown.links, allocations: allocations.length,
    fromPeers: last.map((s) => +(1 - s.fromSource / s.received).toFixed(2)),
  } }));

  last.forEach((s, i) => assert.ok(s.currentTime - startTimes[i] > 10, `viewer ${i} advanced ${s.currentTime - startTimes[i]} s`));
  continuity.forEach((c, i) => assert.ok(c >= 0.98, `viewer ${i} continuity ${c}`));
  assert.ok(pairs.length >= VIEWERS * 2, `${pairs.length} connected links (each counted at both ends)`);
  for (const pair of pairs) assert.deepEqual(pair, { local: 'relay', remote: 'relay' });
  assert.equal(links.length, pairs.length, 'the product reports as many open links as the browser has connected');
  assert.ok(links.every((relayed) => relayed === true), `the links report relayed: ${links}`);
  assert.equal(shown.text, '100 %');
  // coturn granted each page's credential (the username names the peer id).
  for (const peerId of peerIds) {
    assert.ok(allocations.some((username) => username.endsWith(`:peer${peerId}`)), `no allocation for peer ${peerId}: ${allocations}`);
  }
  for (const page of [broadcast.page, ...viewers]) assert.deepEqual(page.problems, []);

  // The media went through coturn: as each page closes its connections, coturn logs
  // what each allocation relayed; what it received from peers covers at least every
  // media byte the viewers got (plus DTLS, SCTP and the protocol's own messages).
  const mediaReceived = (await Promise.all(viewers.map(viewerStats))).reduce((sum, s) => sum + s.received, 0);
  await Promise.all([broadcast.page, ...viewers].map((page) => page.close()));
  const relayedBytes = () => [...coturn.log().matchAll(/peer usage: .*?, rb=(\d+),/g)].reduce((sum, [, rb]) => sum + Number(rb), 0);
  await waitFor(() => relayedBytes() >= mediaReceived, { timeoutMs: 10_000,
    what: `coturn to report relaying the ${mediaReceived} media bytes (so far ${relayedBytes()})` });
  console.log(JSON.stringify({ turnRelayBytes: { mediaReceived, relayedBytes: relayedBytes() } }));
});

test('coturn is stopped with its session, and stop() may be called again', async () => {
  const { coturn } = session;
  assert.ok(running(coturn.pid), 'running while in use');
  await coturn.stop();
  assert.equal(running(coturn.pid), false);
  await coturn.stop();
});
