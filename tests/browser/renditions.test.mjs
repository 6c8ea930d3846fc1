// The broadcaster's renditions over WebCodecs (issue 15): one source encoded as two
// aligned renditions (360p + 180p of the test pattern without grain), each chunk signed
// with its rendition id, the signed rendition list published before the first chunk.
// Chunk k of every rendition starts at the same capture time (checked by the core's
// RenditionAlignment, in Chromium and in Firefox, whose frames come from a <video>
// rather than a track processor); viewers in Chromium and Firefox play the top
// rendition; the broadcaster's stats show each rendition's measured rate and its
// encoder's cost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitFor } from './launch.mjs';
import { mixedEngineSession, openFirefoxPage } from './firefox.mjs';
import { openViewer, sleep, viewerStats, waitPlaying } from './pages.mjs';

const session = mixedEngineSession();
const RUNGS = [{ height: 360, bitrate: 800_000 }, { height: 180, bitrate: 250_000 }];

// Runs in the page: ~5 s of the test pattern through a RenditionPublisher; its events.
async function publishRenditions({ rungs, chunkMs = 1000 }) {
  const { loadCore, RenditionAlignment } = await import('/web/core/index.js');
  const { openTestPattern } = await import('/web/shim/capture.js');
  const { RenditionPublisher } = await import('/web/shim/rendition-publisher.js');
  const core = await loadCore();
  const source = openTestPattern({ width: 640, height: 360, frameRate: 30, noise: false });
  const publisher = new RenditionPublisher(core, { rungs, chunkMs });
  const seen = { ladders: [], inits: [], chunks: [], problems: [], misaligned: [] };
  const topBytes = [];
  const alignment = new RenditionAlignment(core);
  publisher.addEventListener('ladder', ({ detail }) => seen.ladders.push({ ...detail, at: seen.chunks.length }));
  publisher.addEventListener('init', ({ detail }) => {
    seen.inits.push({ rendition: detail.rendition, epoch: detail.epoch, mimeType: detail.mimeType, bytes: detail.bytes.length });
    if (detail.rendition === 0) topBytes.push(detail.bytes);
  });
  publisher.addEventListener('chunk', ({ detail }) => {
    const { rendition, seq, captureMs, durationMs, keyframe, bytes } = detail;
    seen.chunks.push({ rendition, seq, captureMs, durationMs, keyframe, bytes: bytes.length });
    if (rendition === 0) topBytes.push(bytes);
    const error = alignment.check(rendition, { seq, startMs: captureMs });
    if (error) seen.misaligned.push(error.detail);
  });
  for (const type of ['warning', 'error']) publisher.addEventListener(type, ({ detail }) => seen.problems.push(detail));
  if (!(await publisher.start(source.stream))) throw new Error('the publisher could not start');
  // The Opus head the init segments carry is written before the encoder's first
  // output: it must be the one this browser's encoder reports.
  const { opusHead } = await import('/web/shim/opus-head.js');
  const reported = await new Promise((resolve, reject) => {
    const encoder = new AudioEncoder({
      output: (_, metadata) => {
        const d = metadata?.decoderConfig?.description;
        if (d) resolve([...new Uint8Array(ArrayBuffer.isView(d) ? d.buffer : d)]);
      },
      error: reject,
    });
    encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 64_000 });
    encoder.encode(new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1,
      timestamp: 0, data: new Float32Array(960) }));
    encoder.flush().then(() => encoder.close(), reject);
  });
  seen.opusHeads = [reported, [...opusHead(1, 48000)]];
  await new Promise((resolve) => setTimeout(resolve, 5500));
  const stats = publisher.stats();
  await publisher.stop();
  source.stop();
  alignment.close();

  // The top rendition in MSE: with sound, what is buffered is where audio and video both are.
  const video = Object.assign(document.createElement('video'), { muted: true });
  const media = new MediaSource();
  video.src = URL.createObjectURL(media);
  await new Promise((resolve) => media.addEventListener('sourceopen', resolve, { once: true }));
  const buffer = media.addSourceBuffer(seen.inits[0].mimeType);
  for (const bytes of topBytes) {
    await new Promise((resolve, reject) => {
      buffer.addEventListener('updateend', resolve, { once: true });
      buffer.addEventListener('error', reject, { once: true });
      buffer.appendBuffer(bytes);
    });
  }
  const buffered = Array.from({ length: buffer.buffered.length }, (_, i) => [buffer.buffered.start(i), buffer.buffered.end(i)]);
  return { seen, stats, buffered };
}

function checkPublished({ seen, stats, buffered }, { audio, chunkMs = 1000 }) {
  assert.deepEqual(seen.problems, []);
  assert.deepEqual(seen.opusHeads[1], seen.opusHeads[0], 'the written Opus head is the encoder\'s');
  assert.equal(seen.ladders.length, 1, 'one rendition list');
  assert.equal(seen.ladders[0].at, 0, 'the list comes before the first chunk');
  assert.deepEqual(seen.ladders[0].renditions, [
    { id: 0, width: 640, height: 360, bitrate: 800_000 }, { id: 1, width: 320, height: 180, bitrate: 250_000 }]);
  assert.deepEqual(seen.inits.map((i) => [i.rendition, i.epoch]), [[0, 0], [1, 0]]);
  assert.ok(seen.inits.every((i) => i.mimeType === (audio ? 'video/webm; codecs="vp8,opus"' : 'video/webm; codecs="vp8"')),
    JSON.stringify(seen.inits));
  const byRendition = [0, 1].map((r) => seen.chunks.filter((c) => c.rendition === r));
  assert.ok(byRendition[0].length >= 4, `chunks of rendition 0: ${byRendition[0].length}`);
  assert.equal(byRendition[0].length, byRendition[1].length, 'as many chunks in each rendition');
  for (const [k, top] of byRendition[0].entries()) {
    const low = byRendition[1][k];
    assert.equal(top.seq, k);
    assert.equal(low.seq, k);
    assert.equal(low.captureMs, top.captureMs, `chunk ${k} starts at the same capture time in both renditions`);
    // Chunk k opens on the first frame captured at or after k chunks of capture time (a
    // frame late under load moves its boundary by as much, never before), or on the
    // audio packet (20 ms) that frame falls in, and each whole second on a keyframe in
    // both renditions (the default keyframeMs).
    const offset = top.captureMs - byRendition[0][0].captureMs;
    assert.ok(offset >= k * chunkMs - 21 && offset < k * chunkMs + Math.min(250, chunkMs - 50), `chunk ${k} opens ${offset} ms in`);
    if (k % (1000 / chunkMs) === 0) assert.ok(top.keyframe && low.keyframe, `chunk ${k} opens with a keyframe`);
  }
  // Chunks shorter than a group of pictures open on a delta frame (an encoder may still
  // put a keyframe of its own on one).
  const within = byRendition[0].filter((chunk, k) => k % (1000 / chunkMs) !== 0);
  assert.ok(within.filter((chunk) => !chunk.keyframe).length >= within.length / 2, `keyframes: ${byRendition[0].map((c) => c.keyframe)}`);
  assert.deepEqual(seen.misaligned, []);
  // The top rendition's chunks buffer as one range from its start to its last chunk's
  // start and on (where a stopped stream's video ends, a little before its sound).
  const top = seen.chunks.filter((c) => c.rendition === 0);
  const seconds = (top[top.length - 1].captureMs - top[0].captureMs) / 1000;
  assert.equal(buffered.length, 1, JSON.stringify(buffered));
  assert.ok(buffered[0][0] < 0.1 && buffered[0][1] >= seconds - 0.01, `buffered ${JSON.stringify(buffered)} of ${seconds} s`);
  // A frame is skipped for every rendition or for none: each encoder was given the same frames.
  assert.equal(stats.renditions[0].framesIn, stats.renditions[1].framesIn);
  // ~5 s of a 30 fps pattern: Firefox paints and captures it at 15-30 fps on a busy machine.
  assert.ok(stats.renditions[0].framesIn >= 60, `frames encoded: ${JSON.stringify(stats)}`);
}

test('Chromium: two renditions from a track processor, chunk k of each at the same capture time', async () => {
  const page = await openPage(session.chromium, `${session.server.url}/`);
  checkPublished(await page.evaluate(publishRenditions, { rungs: RUNGS }), { audio: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('Chromium: 250 ms chunks, a keyframe every fourth, aligned and buffered as one range', async () => {
  const page = await openPage(session.chromium, `${session.server.url}/`);
  checkPublished(await page.evaluate(publishRenditions, { rungs: RUNGS, chunkMs: 250 }), { audio: true, chunkMs: 250 });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('Chromium without a track processor: frames from a <video>, sound from an AudioWorklet, aligned the same way', async () => {
  const page = await openPage(session.chromium, `${session.server.url}/`,
    { initScript: () => { delete window.MediaStreamTrackProcessor; } });
  assert.equal(await page.evaluate(() => 'MediaStreamTrackProcessor' in window), false);
  checkPublished(await page.evaluate(publishRenditions, { rungs: RUNGS }), { audio: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('Firefox: two renditions from a <video> and its frame callbacks, aligned the same way', async () => {
  const page = await openFirefoxPage(session.firefox, `${session.server.url}/`);
  // A headless Firefox runs no AudioContext: the test pattern is silent there.
  checkPublished(await page.evaluate(publishRenditions, { rungs: RUNGS }), { audio: false });
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Each chunk's last video frame says how long it lasts (a BlockDuration): without it
// Firefox took the gap before a chunk opening on a delta frame for a break and dropped
// that chunk up to the next keyframe (holes in 2 runs of 2; one range in 3 of 3 with it).
test('Firefox: 250 ms chunks, a keyframe every fourth, aligned and buffered as one range', async () => {
  const page = await openFirefoxPage(session.firefox, `${session.server.url}/`);
  checkPublished(await page.evaluate(publishRenditions, { rungs: RUNGS, chunkMs: 250 }), { audio: false, chunkMs: 250 });
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Runs in the page: a Broadcaster live from the grain-free test pattern with `rungs`.
async function goLive({ rungs, keepUp = {} }) {
  const { loadCore, Broadcaster, openTestPattern } = await import('/web/shim/index.js');
  const core = await loadCore();
  const source = openTestPattern({ width: 640, height: 360, frameRate: 30, noise: false });
  const broadcaster = new Broadcaster({ core, seed: crypto.getRandomValues(new Uint8Array(32)),
    signalingUrl: `${location.origin.replace(/^http/, 'ws')}/signal`, renditions: { rungs, keepUp } });
  window.ladders = [];
  broadcaster.addEventListener('published', ({ detail }) => {
    const { ladderRevision, renditions } = broadcaster.stats();
    if (ladderRevision !== window.ladders[window.ladders.length - 1]?.revision) {
      window.ladders.push({ revision: ladderRevision, ids: renditions.map((r) => r.id), beforeSeq: detail.seq });
    }
  });
  window.published = [];
  window.errors = [];
  broadcaster.addEventListener('published', ({ detail }) => window.published.push([detail.kind, detail.rendition, detail.seq]));
  broadcaster.addEventListener('error', ({ detail }) => window.errors.push(detail));
  await broadcaster.goLive(source.stream);
  window.broadcaster = broadcaster;
  return broadcaster.streamId;
}

test('a broadcast of two renditions is watched on its top one in Chromium and in Firefox; its stats show both', async () => {
  const broadcast = await openPage(session.chromium, `${session.server.url}/`);
  const viewers = [];
  try {
    const streamId = await broadcast.evaluate(goLive, { rungs: RUNGS });
    viewers.push(await openViewer(session.chromium, session.server, streamId));
    viewers.push(await openFirefoxPage(session.firefox, `${session.server.url}/watch/${streamId}`));
    await waitPlaying(viewers, 30_000);
    await sleep(1000);
    const was = await Promise.all(viewers.map(viewerStats));
    await sleep(5000);
    const now = await Promise.all(viewers.map(viewerStats));
    const widths = await Promise.all(viewers.map((v) => v.evaluate(() => window.swarmcast.video.videoWidth)));
    for (const [i, stats] of now.entries()) {
      const what = `viewer ${i}: ${JSON.stringify({ was: was[i], now: stats })}`;
      assert.equal(stats.state, 'playing', what);
      assert.ok(stats.currentTime - was[i].currentTime >= 5 * 0.85, `the playhead kept up: ${what}`);
      assert.ok(stats.decodedFrames - was[i].decodedFrames >= 5 * 15, `frames decoded: ${what}`);
      assert.equal(stats.chunksSkipped, 0, what);
    }
    assert.deepEqual(widths, [640, 640], 'both viewers play the top rendition');

    await waitFor(() => broadcast.evaluate(() => window.broadcaster.stats().renditions.every((r) => r.chunks >= 3)),
      { what: 'three chunks of each rendition' });
    const { stats, published, errors } = await broadcast.evaluate(() =>
      ({ stats: window.broadcaster.stats(), published: window.published, errors: window.errors }));
    assert.deepEqual(errors, []);
    assert.equal(stats.encoding, 'webcodecs');
    assert.equal(stats.ladderRevision, 1);
    assert.deepEqual(stats.renditions.map((r) => [r.id, r.width, r.height]), [[0, 640, 360], [1, 320, 180]]);
    for (const r of stats.renditions) {
      assert.ok(r.measuredBitsPerS > 10_000 && r.measuredBitsPerS < 3 * r.bitrate, `rendition ${r.id}: ${JSON.stringify(r)}`);
      assert.ok(r.encodeMsPerFrame > 0 && r.encoderCpuShare > 0 && r.encoderCpuShare < 1, `rendition ${r.id}: ${JSON.stringify(r)}`);
    }
    assert.ok(stats.renditions[0].measuredBitsPerS > stats.renditions[1].measuredBitsPerS, 'the top rendition costs more bits');
    assert.ok(stats.encoderCpuShare >= stats.renditions[0].encoderCpuShare);
    // Each rendition's init segment, then its chunks, each signed with its rendition id.
    for (const r of [0, 1]) {
      const items = published.filter((p) => p[1] === r);
      assert.deepEqual(items[0], ['init', r, 0]);
      assert.ok(items.filter((p) => p[0] === 'chunk').length >= 3, `chunks of rendition ${r}`);
    }
    assert.ok(stats.producedChunks >= 3 && stats.producedBytes > 0);
    for (const page of [broadcast, ...viewers]) assert.deepEqual(page.problems, [], 'no page errors');
  } finally {
    for (const page of viewers) await page.close();
    await broadcast.close();
  }
});

test('an encoder that does not keep up costs the lowest rendition: a new signed list, the top one plays on', async () => {
  const broadcast = await openPage(session.chromium, `${session.server.url}/`);
  try {
    // No encoder gives back 1.5 frames per captured frame: every window is behind.
    const streamId = await broadcast.evaluate(goLive, { rungs: RUNGS, keepUp: { windowMs: 1000, minShare: 1.5, strikes: 2 } });
    const viewer = await openViewer(session.chromium, session.server, streamId);
    await waitFor(() => broadcast.evaluate(() => window.broadcaster.stats().ladderRevision === 2), { timeoutMs: 15_000, what: 'the second list' });
    await waitPlaying([viewer], 15_000);
    const was = await viewerStats(viewer);
    await sleep(3000);
    const now = await viewerStats(viewer);
    const { stats, published, errors, ladders } = await broadcast.evaluate(() =>
      ({ stats: window.broadcaster.stats(), published: window.published, errors: window.errors, ladders: window.ladders }));
    assert.deepEqual(errors, [], 'the engine took both lists');
    assert.deepEqual(stats.renditions.map((r) => r.id), [0], 'rendition 1 dropped, and only it');
    assert.equal(stats.ladderRevision, 2);
    const low = published.filter((p) => p[0] === 'chunk' && p[1] === 1).map((p) => p[2]);
    const lastLow = Math.max(...low);
    // Rendition 1's open chunk is finished when it goes: its chunks run on to the drop without a hole.
    assert.deepEqual(low, low.map((_, i) => i), `rendition 1's chunks: ${low}`);
    const top = published.filter((p) => p[0] === 'chunk' && p[1] === 0).map((p) => p[2]);
    assert.ok(top.some((seq) => seq > lastLow + 1), `rendition 0 goes on past rendition 1's last chunk ${lastLow}: ${top}`);
    assert.deepEqual(ladders.map((l) => l.ids), [[0, 1], [0]], JSON.stringify(ladders));
    assert.ok(now.currentTime - was.currentTime > 3 * 0.85, `the viewer plays on: ${JSON.stringify(now)}`);
    assert.equal(await viewer.evaluate(() => window.swarmcast.video.videoWidth), 640);
    assert.deepEqual(viewer.problems, []);
    await viewer.close();
  } finally {
    await broadcast.close();
  }
});

test('Firefox: a hidden broadcaster tab keeps encoding at the source frame rate', async () => {
  const page = await openFirefoxPage(session.firefox, `${session.server.url}/`, { tab: true });
  const other = [];
  try {
    await page.evaluate(async (rungs) => {
      const { loadCore } = await import('/web/core/index.js');
      const { openTestPattern } = await import('/web/shim/capture.js');
      const { RenditionPublisher } = await import('/web/shim/rendition-publisher.js');
      const source = openTestPattern({ width: 640, height: 360, frameRate: 30, noise: false });
      const publisher = new RenditionPublisher(await loadCore(), { rungs });
      window.chunks = [];
      publisher.addEventListener('chunk', ({ detail }) => window.chunks.push([detail.rendition, detail.seq, detail.durationMs]));
      await publisher.start(source.stream);
      window.publisher = publisher;
    }, RUNGS);
    await sleep(2000);
    // Frame callbacks run about once a second in a hidden Firefox tab; the next tab hides this one.
    other.push(await openFirefoxPage(session.firefox, `${session.server.url}/`, { tab: true }));
    const snap = () => page.evaluate(() => ({ hidden: document.hidden, captured: window.publisher.stats().framesCaptured,
      chunks: window.chunks.length }));
    await sleep(1000);
    const was = await snap();
    await sleep(5000);
    const now = await snap();
    assert.ok(was.hidden && now.hidden, 'the broadcaster tab is hidden');
    assert.ok(now.captured - was.captured >= 5 * 15, `frames captured while hidden: ${now.captured - was.captured} in 5 s`);
    assert.ok(now.chunks - was.chunks >= 2 * 4, `chunks while hidden: ${now.chunks - was.chunks}`);
    assert.deepEqual(page.problems, []);
  } finally {
    for (const p of other) await p.close();
    await page.close();
  }
});

test('a source switch starts a new epoch: new init segments, the sequence going on, a list for the new source', async () => {
  const page = await openPage(session.chromium, `${session.server.url}/`);
  const seen = await page.evaluate(async (rungs) => {
    const { loadCore } = await import('/web/core/index.js');
    const { openTestPattern } = await import('/web/shim/capture.js');
    const { RenditionPublisher } = await import('/web/shim/rendition-publisher.js');
    const first = openTestPattern({ width: 640, height: 360, frameRate: 30, noise: false });
    const publisher = new RenditionPublisher(await loadCore(), { rungs });
    const events = { ladders: [], inits: [], chunks: [], problems: [] };
    publisher.addEventListener('ladder', ({ detail }) => events.ladders.push({ revision: detail.revision, firstSeq: detail.firstSeq,
      sizes: detail.renditions.map((r) => [r.id, r.width, r.height]), afterChunks: events.chunks.length }));
    publisher.addEventListener('init', ({ detail }) => events.inits.push([detail.rendition, detail.epoch]));
    publisher.addEventListener('chunk', ({ detail }) => events.chunks.push([detail.rendition, detail.epoch, detail.seq]));
    for (const type of ['warning', 'error']) publisher.addEventListener(type, ({ detail }) => events.problems.push(detail));
    await publisher.start(first.stream);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    // A smaller source: the 360p rung no longer fits.
    const second = openTestPattern({ width: 320, height: 180, frameRate: 30, noise: false });
    await publisher.switchStream(second.stream);
    first.stop();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    await publisher.stop();
    second.stop();
    return events;
  }, RUNGS);
  assert.deepEqual(seen.problems, []);
  assert.deepEqual(seen.inits, [[0, 0], [1, 0], [0, 1]]);
  const top = seen.chunks.filter((c) => c[0] === 0);
  assert.deepEqual(top.map((c) => c[2]), top.map((_, i) => i), 'rendition 0 numbers its chunks on across the switch');
  const firstOfNew = top.find((c) => c[1] === 1);
  assert.ok(firstOfNew && top.filter((c) => c[1] === 1).length >= 2, JSON.stringify(top));
  const low = seen.chunks.filter((c) => c[0] === 1);
  assert.ok(low.every((c) => c[1] === 0 && c[2] < firstOfNew[2]), `rendition 1 ends with the first source: ${JSON.stringify(low)}`);
  assert.deepEqual(seen.ladders.map(({ afterChunks, ...l }) => l), [
    { revision: 1, firstSeq: 0, sizes: [[0, 640, 360], [1, 320, 180]] },
    { revision: 2, firstSeq: firstOfNew[2], sizes: [[0, 320, 180]] }]);
  // Each list comes before the first chunk it speaks for.
  assert.ok(seen.chunks.slice(0, seen.ladders[1].afterChunks).every((c) => c[1] === 0));
  assert.deepEqual(page.problems, []);
  await page.close();
});
