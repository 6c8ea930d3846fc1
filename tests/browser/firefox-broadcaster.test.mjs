// A Firefox broadcaster: the broadcast page in Debian's Firefox ESR (test pattern, or
// the camera through Firefox's fake devices), watched by Chromium viewers. Firefox's
// MediaRecorder ignores the keyframe interval it is asked for (a keyframe every 6-7 s,
// a Cluster every ~1 s): every chunk it publishes says in its signed header whether it
// starts at a keyframe, and the viewers start only on one that does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { openPage } from './launch.mjs';
import { mixedEngineSession, startFirefoxBroadcast } from './firefox.mjs';
import { sleep, viewerStats, waitPlaying } from './pages.mjs';

// Measured after a settling time, over a window long enough that one hiccup of a busy
// machine does not decide it. Keeping up is judged on the capture clock (the latency
// grows by at most 15 % of the window), not on media time: beside a busy loop, Firefox's
// recording of its fake camera ran slower than the clock (a viewer's playhead advanced
// 7.9 s of media in 12 s, with no stall, while its latency fell from 7.6 to 5.4 s).
const SETTLE_MS = 3000;
const WATCH_MS = 12_000;

const session = mixedEngineSession();

// ms until the broadcaster has published its first chunk.
async function firstChunkMs(page) {
  const since = Date.now();
  await page.waitForFunction(() => window.swarmcast.stats().producedChunks > 0, { timeout: 30_000, polling: 50 });
  return Date.now() - since;
}

// Frames a second the viewers must decode at least, where a frozen picture decodes
// none: the test pattern is drawn at 30 (Firefox records it at 15-30 on a busy machine);
// Firefox's fake camera makes ~8, and beside a busy loop its recording gave 3.9.
const MIN_FPS = { test: 10, camera: 2 };

// Seeking into the middle of one of Firefox's long groups of pictures makes the viewer
// decode from the keyframe before it: a join may take a few seconds more than with
// Chromium's ~1 s ones.
const PLAYING_WITHIN_MS = 40_000;

for (const source of ['test', 'camera']) {
  test(`a Firefox broadcaster (${source}) is watched by two Chromium viewers`, async () => {
    const { page: broadcast, streamId } = await startFirefoxBroadcast(session.firefox, session.server, { source });
    const viewers = [];
    try {
      // A tone a headless Firefox cannot play held its recorder's output back ~10 s.
      const firstMs = await firstChunkMs(broadcast);
      assert.ok(firstMs < 5000, `the first chunk came ${firstMs} ms after going live`);
      for (let i = 0; i < 2; i++) viewers.push(await openPage(session.chromium, `${session.server.url}/watch/${streamId}`));
      await waitPlaying(viewers, PLAYING_WITHIN_MS);
      await sleep(SETTLE_MS);
      const was = await Promise.all(viewers.map(viewerStats));
      await sleep(WATCH_MS);
      const now = await Promise.all(viewers.map(viewerStats));
      for (const [i, stats] of now.entries()) {
        const what = `viewer ${i}: ${JSON.stringify({ was: was[i], now: stats, loadavg: os.loadavg() })}`;
        assert.equal(stats.state, 'playing', what);
        assert.ok(stats.decodedFrames - was[i].decodedFrames >= (WATCH_MS / 1000) * MIN_FPS[source], `frames decoded: ${what}`);
        assert.ok(stats.latencyMs - was[i].latencyMs <= WATCH_MS * 0.15, `kept up with live: ${what}`);
        assert.equal(stats.chunksSkipped, 0, what);
      }
      for (const page of [broadcast, ...viewers]) assert.deepEqual(page.problems, [], 'no page errors');
    } finally {
      for (const page of viewers) await page.close();
      await broadcast.close();
    }
  });
}
