// The whole product in one browser: a broadcaster on /broadcast with the test pattern,
// viewers on /watch/<id>, the signaling server from tools/server. The numbers come
// from the pages' own stats (window.swarmcast) and the engines' counters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { broadcasterStats, openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();
let broadcast;
const viewers = [];

test('4 viewers each play 20 s of the stream, mostly carried by each other', async () => {
  // The first viewer arrives before the broadcaster goes live and is told to wait.
  broadcast = await startBroadcast(session.browser, session.server, {
    beforeLive: async (page) => {
      const streamId = await page.evaluate(() => window.swarmcast.broadcaster.streamId);
      const early = await openViewer(session.browser, session.server, streamId);
      viewers.push(early);
      await waitFor(async () => (await viewerStats(early))?.state === 'waiting', { what: 'the early viewer to wait' });
      assert.match(await early.textContent('#status'), /waiting for the broadcaster/i);
    },
  });
  for (let i = 1; i < 4; i++) viewers.push(await openViewer(session.browser, session.server, broadcast.streamId));
  const startTimes = await waitPlaying(viewers);
  const startFrames = (await Promise.all(viewers.map(viewerStats))).map((s) => s.decodedFrames);
  const played = await waitFor(async () => {
    const all = await Promise.all(viewers.map(viewerStats));
    return all.every((s, i) => s.currentTime - startTimes[i] >= 20) && all;
  }, { timeoutMs: 35_000, intervalMs: 500, what: 'every viewer to advance 20 s' });

  const source = await broadcasterStats(broadcast.page);
  const received = played.reduce((sum, s) => sum + s.received, 0);
  const offload = 1 - source.sent / received;
  console.log(JSON.stringify({ offload, sourceUploadFactor: source.factor, viewers: played.map((s) => ({
    advancedS: +(s.currentTime).toFixed(1), frames: s.decodedFrames, glassToGlassMs: Math.round(s.latencyMs), startupMs: s.startupMs,
    stalls: s.stalls, skipped: s.chunksSkipped, shareFromPeers: +(1 - s.fromSource / s.received).toFixed(2) })) }));
  played.forEach((s, i) => {
    assert.ok(s.decodedFrames - startFrames[i] >= 20 * 15, `viewer ${i} decoded ${s.decodedFrames - startFrames[i]} frames in 20 s`);
    assert.ok(s.latencyMs > 0 && s.latencyMs < 5000, `viewer ${i} shows frames ${s.latencyMs} ms after capture`);
  });
  assert.equal(source.viewers, 4);
  assert.ok(offload >= 0.5, `offload ${offload.toFixed(2)}: the source sent ${source.sent} of ${received} bytes viewers received`);
  for (const page of [broadcast.page, ...viewers]) assert.deepEqual(page.problems, []);
});

test('a viewer joining late plays within 2 s', async () => {
  const late = await openViewer(session.browser, session.server, broadcast.streamId);
  viewers.push(late);
  const stats = await waitFor(async () => {
    const s = await viewerStats(late);
    return s?.startupMs !== null && s?.state === 'playing' && s;
  }, { timeoutMs: 10_000, what: 'the late viewer to play' });
  console.log(JSON.stringify({ lateJoin: { startupMs: stats.startupMs } }));
  assert.ok(stats.startupMs <= 2000, `startup took ${stats.startupMs} ms`);
});

test('closing the busiest relay leaves every other viewer playing (each recovers within 3 s)', async () => {
  const before = await Promise.all(viewers.map(viewerStats));
  const busiest = before.reduce((best, s, i) => (s.sent > before[best].sent ? i : best), 0);
  assert.ok(before[busiest].sent > 0, 'some viewer relays');
  const [gone] = viewers.splice(busiest, 1);
  await gone.close();

  // Longest run of samples in which a viewer's video did not advance.
  const longestStallMs = viewers.map(() => 0);
  const runMs = viewers.map(() => 0);
  let last = before.filter((_, i) => i !== busiest).map((s) => s.currentTime);
  const firstTimes = last;
  const sampleMs = 250;
  for (let t = 0; t < 8000; t += sampleMs) {
    await sleep(sampleMs);
    const now = (await Promise.all(viewers.map(viewerStats))).map((s) => s.currentTime);
    now.forEach((time, i) => {
      runMs[i] = time > last[i] + 0.01 ? 0 : runMs[i] + sampleMs;
      longestStallMs[i] = Math.max(longestStallMs[i], runMs[i]);
    });
    last = now;
  }
  console.log(JSON.stringify({ afterRelayLeft: { longestStallMs, advancedS: last.map((t, i) => +(t - firstTimes[i]).toFixed(1)) } }));
  longestStallMs.forEach((ms, i) => assert.ok(ms < 3000, `viewer ${i} stood still for ${ms} ms`));
  last.forEach((time, i) => assert.ok(time - firstTimes[i] >= 5, `viewer ${i} advanced only ${time - firstTimes[i]} s in 8 s`));
});

test('when the broadcaster stops, every viewer plays out its buffer and shows the end', async () => {
  await broadcast.page.click('#stop');
  await waitFor(async () => (await Promise.all(viewers.map(viewerStats))).every((s) => s.state === 'ended'),
    { timeoutMs: 10_000, what: 'every viewer to reach the end' });
  for (const page of viewers) assert.match(await page.textContent('#status'), /ended/);
});
