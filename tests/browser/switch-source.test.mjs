// Switching source while live (camera to screen and back): the recorder restarts on
// the new stream, the segmenter opens a new epoch, and players cross into it at the
// next chunk without a stall that lasts, on a timeline that keeps glass-to-glass sane.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

test('a recorder switched to another stream goes on in a new epoch, and the player plays across', async () => {
  const page = await openPage(session.browser, `${session.server.url}/`);
  await page.evaluate(async () => {
    const { loadCore } = await import('/web/core/index.js');
    const { openTestPattern } = await import('/web/shim/capture.js');
    const { ChunkRecorder } = await import('/web/shim/recorder.js');
    const { MsePlayer } = await import('/web/shim/mse-player.js');
    const core = await loadCore();
    const first = openTestPattern({ width: 320, height: 180, frameRate: 15 });
    const video = Object.assign(document.createElement('video'), { muted: true });
    document.body.append(video);
    const player = new MsePlayer(video);
    const recorder = new ChunkRecorder(core, first.stream);
    const seen = { inits: [], chunks: [], errors: [] };
    recorder.addEventListener('init', ({ detail }) => {
      seen.inits.push({ epoch: detail.epoch, captureMs: detail.captureMs });
      player.appendInit(detail.bytes, detail.mimeType);
    });
    recorder.addEventListener('chunk', ({ detail }) => {
      seen.chunks.push({ epoch: detail.epoch, seq: detail.seq, captureMs: detail.captureMs, durationMs: detail.durationMs });
      player.appendChunk(detail.bytes, detail.captureMs);
    });
    recorder.addEventListener('error', ({ detail }) => seen.errors.push(detail));
    player.addEventListener('error', ({ detail }) => seen.errors.push(detail));
    recorder.start();
    const switchTo = async (width, height) => {
      const next = openTestPattern({ width, height, frameRate: 15 });
      await recorder.switchStream(next.stream);
      first.stop();
      return performance.timeOrigin + performance.now();
    };
    window.loopback = { seen, player, video, switchTo };
  });

  await waitFor(() => page.evaluate(() => window.loopback.player.stats().currentTime > 0), { timeoutMs: 8000, what: 'playback to start' });
  await sleep(2500);
  const before = await page.evaluate(() => ({ stats: window.loopback.player.stats(), width: window.loopback.video.videoWidth }));
  const switchedAt = await page.evaluate(() => window.loopback.switchTo(240, 136));
  await sleep(5000);
  const after = await page.evaluate(() => ({
    stats: window.loopback.player.stats(), width: window.loopback.video.videoWidth, seen: window.loopback.seen,
  }));

  assert.deepEqual(after.seen.errors, [], 'no recorder, segmenter or player errors');
  assert.equal(before.width, 320);
  assert.deepEqual(after.seen.inits.map((i) => i.epoch), [0, 1], 'one init segment per recording');
  assert.ok(after.seen.inits[1].captureMs >= switchedAt - 1000, 'the new recording is stamped from its own start');
  const seqs = after.seen.chunks.map((c) => c.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'the chunk sequence goes on across the switch');
  const firstOfNew = after.seen.chunks.findIndex((c) => c.epoch === 1);
  assert.ok(firstOfNew > 0 && after.seen.chunks.length - firstOfNew >= 3, `chunks after the switch: ${after.seen.chunks.length - firstOfNew}`);
  // Capture times run on across the switch: the old recording's last chunk is stamped
  // by the old recording's start, the new one's by its own.
  for (let i = 1; i < after.seen.chunks.length; i++) {
    const [a, b] = [after.seen.chunks[i - 1], after.seen.chunks[i]];
    assert.ok(b.captureMs >= a.captureMs + a.durationMs - 50, `chunk ${b.seq} captured at ${b.captureMs}, before chunk ${a.seq} ended`);
  }
  assert.equal(after.width, 240, 'the player shows the new source');
  assert.equal(after.stats.state, 'playing');
  assert.ok(after.stats.currentTime - before.stats.currentTime > 3.5, `video advanced ${after.stats.currentTime - before.stats.currentTime} s`);
  assert.ok(after.stats.latencyMs > 0 && after.stats.latencyMs < 4000, `glass to glass after the switch: ${after.stats.latencyMs} ms`);
  assert.ok(after.stats.stalls - before.stats.stalls <= 1, `the switch cost ${after.stats.stalls - before.stats.stalls} stalls`);
  assert.deepEqual(page.problems, []);
});

test('the broadcast page switches a live stream from the test pattern to the camera; a viewer follows', async () => {
  const { page: broadcast, streamId } = await startBroadcast(session.browser, session.server);
  const viewer = await openViewer(session.browser, session.server, streamId);
  await waitPlaying([viewer]);
  const width = () => viewer.evaluate(() => window.swarmcast.video.videoWidth);
  assert.equal(await width(), 640);
  const before = await viewerStats(viewer);

  await broadcast.selectOption('#source', 'camera');  // Chromium's fake camera
  await waitFor(async () => (await width()) !== 640, { timeoutMs: 8000, what: 'the viewer to show the camera' });
  await sleep(4000);
  const after = await viewerStats(viewer);
  assert.equal(after.state, 'playing');
  assert.ok(after.currentTime - before.currentTime > 5, `video advanced ${after.currentTime - before.currentTime} s`);
  assert.ok(after.decodedFrames > before.decodedFrames + 60, `decoded ${after.decodedFrames - before.decodedFrames} frames`);
  assert.equal(after.chunksSkipped, 0);
  const shown = await broadcast.evaluate(() => {
    const $ = (id) => window.swarmcast.element.shadowRoot.getElementById(id);
    return {
      value: $('source').value, error: $('error').textContent,
      live: window.swarmcast.broadcaster.live, previewing: $('preview').srcObject === window.swarmcast.source.stream,
    };
  });
  assert.deepEqual(shown, { value: 'camera', error: '', live: true, previewing: true });
  assert.deepEqual(broadcast.problems, []);
  assert.deepEqual(viewer.problems, []);
});
