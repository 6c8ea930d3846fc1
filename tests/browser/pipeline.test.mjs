// The browser media path without any network: the test pattern is recorded by
// MediaRecorder, cut by the wasm segmenter and played by MsePlayer in the same page.
// Proves capture, segmenting and MSE playback before any swarm is involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitFor } from './launch.mjs';

const session = serverAndBrowser();

test('test pattern → MediaRecorder → Segmenter → MsePlayer plays locally', async () => {
  const page = await openPage(session.browser, `${session.server.url}/`);
  await page.evaluate(async () => {
    const { loadCore } = await import('/web/core/index.js');
    const { openTestPattern } = await import('/web/shim/capture.js');
    const { ChunkRecorder } = await import('/web/shim/recorder.js');
    const { MsePlayer } = await import('/web/shim/mse-player.js');
    const core = await loadCore();
    const source = openTestPattern({ width: 320, height: 180, frameRate: 15 });
    const video = Object.assign(document.createElement('video'), { muted: true });
    document.body.append(video);
    const player = new MsePlayer(video);
    // A second player misses chunk 2, as a viewer does when the engine skips a chunk.
    const gappyVideo = Object.assign(document.createElement('video'), { muted: true });
    document.body.append(gappyVideo);
    const gappy = new MsePlayer(gappyVideo);
    const recorder = new ChunkRecorder(core, source.stream);
    const seen = { inits: 0, chunks: 0, errors: [], keyframes: 0, durations: [] };
    recorder.addEventListener('init', ({ detail }) => {
      seen.inits++;
      player.appendInit(detail.bytes, detail.mimeType);
      gappy.appendInit(detail.bytes, detail.mimeType);
    });
    recorder.addEventListener('chunk', ({ detail }) => {
      seen.chunks++;
      if (detail.keyframe) seen.keyframes++;
      seen.durations.push(detail.durationMs);
      player.appendChunk(detail.bytes, detail.captureMs);
      if (detail.seq !== 2) gappy.appendChunk(detail.bytes, detail.captureMs);
    });
    recorder.addEventListener('error', ({ detail }) => seen.errors.push(detail));
    player.addEventListener('error', ({ detail }) => seen.errors.push(detail));
    gappy.addEventListener('error', ({ detail }) => seen.errors.push(detail));
    recorder.start();
    window.loopback = { seen, player, gappy };
  });

  const started = await waitFor(() => page.evaluate(() => window.loopback.player.stats().currentTime > 0 && window.loopback.player.stats()),
    { timeoutMs: 8000, what: 'playback to start' });
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const { seen, stats, gappy } = await page.evaluate(() =>
    ({ seen: window.loopback.seen, stats: window.loopback.player.stats(), gappy: window.loopback.gappy.stats() }));
  assert.deepEqual(seen.errors, [], 'no segmenter or player errors');
  assert.equal(seen.inits, 1);
  assert.ok(seen.chunks >= 4, `chunks: ${seen.chunks}`);
  assert.equal(seen.keyframes, seen.chunks, 'every chunk starts at a keyframe');
  assert.ok(seen.durations.every((ms) => ms > 500 && ms < 1600), `chunk durations ${seen.durations}`);
  assert.ok(stats.currentTime - started.currentTime > 3.5, `video advanced ${stats.currentTime - started.currentTime} s`);
  assert.ok(stats.decodedFrames > 40, `decoded frames: ${stats.decodedFrames}`);
  assert.equal(stats.state, 'playing');
  assert.ok(stats.latencyMs > 0 && stats.latencyMs < 4000, `glass to glass ${stats.latencyMs} ms`);
  // The gap is jumped: the second player is past it and still playing.
  assert.ok(gappy.currentTime > 3.5, `the gappy player is at ${gappy.currentTime} s`);
  assert.equal(gappy.state, 'playing');
  assert.ok(gappy.stalls <= 1, `the gap cost ${gappy.stalls} stalls`);
  assert.deepEqual(page.problems, []);
});
