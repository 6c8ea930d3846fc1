// A viewer's rendition switch in the page (issue 15): a broadcast of two aligned
// renditions (360p + 180p of the test pattern without grain), a viewer switched by hand
// to rendition 1, then back to Auto, which the ABR rule takes to the top one on this
// unthrottled link. Across both switches it plays on: no stall, no chunk skipped, the
// decoded frame size changing 640 → 320 → 640, and every frame's media time following
// the previous one's by about a frame (the new rendition's chunk is placed where it was
// captured: neither a jump back nor forward in time). The viewer in Chromium, then in
// Firefox; the broadcaster in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, waitFor } from './launch.mjs';
import { mixedEngineSession, openFirefoxPage } from './firefox.mjs';
import { goLiveInRenditions, openViewer, sleep, viewerStats, waitPlaying } from './pages.mjs';

const session = mixedEngineSession();
const RUNGS = [{ height: 360, bitrate: 800_000 }, { height: 180, bitrate: 250_000 }];
// A 30 fps source captured on a busy machine: a frame or two late or dropped, never a second.
const MAX_FRAME_STEP_S = 0.25;

// Runs in the page: records every composited frame's media time and size.
function recordFrames() {
  const video = window.swarmcast.video;
  window.frames = [];
  const onFrame = (_, { mediaTime, width, height }) => {
    window.frames.push({ mediaTime, width, height, at: performance.now() });
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

const frameWidth = (viewer) => viewer.evaluate(() => window.frames.at(-1)?.width ?? null);
const renditionStats = (viewer) => viewer.evaluate(() => window.swarmcast.stats().rendition);
// What the ABR rule saw, for a failure's message.
const abrStats = (viewer) => viewer.evaluate(() => {
  const e = window.swarmcast.stats().node?.engine ?? {};
  return { reason: e.abr_reason, linkBytesPerS: e.abr_link_bytes_per_s, bufferMs: e.abr_buffer_ms, rendition: e.rendition };
});
/** Waits for `width` on screen; on a timeout, says what the rule saw. */
async function waitForWidth(viewer, width, timeoutMs, what) {
  try {
    await waitFor(async () => (await frameWidth(viewer)) === width, { timeoutMs, what });
  } catch (error) {
    throw new Error(`${/** @type {Error} */ (error).message}; the rule: ${JSON.stringify(await abrStats(viewer))}`);
  }
}

/** @param {(streamId: string) => Promise<any>} openViewerPage */
async function switchDownAndBack(openViewerPage) {
  const broadcast = await openPage(session.chromium, `${session.server.url}/`);
  let viewer = null;
  try {
    const streamId = await broadcast.evaluate(goLiveInRenditions, RUNGS);
    viewer = await openViewerPage(streamId);
    await waitPlaying([viewer], 30_000);
    await viewer.evaluate(recordFrames);
    // Auto may start lower and go up on this link: the record starts on the top rendition.
    await waitForWidth(viewer, 640, 10_000, 'the top rendition on screen');
    await viewer.evaluate(() => { window.frames = window.frames.slice(-1); });
    const first = await renditionStats(viewer);
    assert.deepEqual({ current: first.current, choice: first.choice, ids: first.ids }, { current: 0, choice: 'auto', ids: [0, 1] });
    // The signed list as the viewer knows it: both levels, and this browser decodes both.
    assert.deepEqual(first.levels.map((level) => [level.id, level.height, level.decodable]), [[0, 360, true], [1, 180, true]]);
    const was = await viewerStats(viewer);

    await viewer.evaluate(() => window.swarmcast.viewer.setRendition(1));
    await waitForWidth(viewer, 320, 15_000, 'rendition 1 on screen');
    const low = await renditionStats(viewer);
    assert.deepEqual({ current: low.current, choice: low.choice }, { current: 1, choice: 1 });
    await sleep(2000);

    await viewer.evaluate(() => window.swarmcast.viewer.setRendition('auto'));
    await waitForWidth(viewer, 640, 20_000, 'Auto back on the top rendition');
    await sleep(2000);
    const now = await viewerStats(viewer);
    const back = await renditionStats(viewer);
    const frames = await viewer.evaluate(() => window.frames);
    const what = JSON.stringify({ was, now, back });

    assert.equal(now.state, 'playing', what);
    assert.equal(now.stalls, was.stalls, `no stall across the switches: ${what}`);
    assert.equal(now.chunksSkipped, 0, what);
    assert.equal(now.holesCrossed, was.holesCrossed, `no gap to jump: ${what}`);
    assert.ok(now.currentTime - was.currentTime > 4, `the playhead went on: ${what}`);
    assert.deepEqual({ current: back.current, choice: back.choice }, { current: 0, choice: 'auto' }, what);
    assert.ok(back.switchesDown >= 1 && back.switchesUp >= 1, what);
    assert.ok(back.msOn[1] > 0 && back.msOn[0] > 0, `time on each rendition: ${what}`);

    // The sizes on screen, in order, each change once: 640 → 320 → 640.
    const sizes = frames.map((f) => f.width).filter((w, i, all) => i === 0 || all[i - 1] !== w);
    assert.deepEqual(sizes, [640, 320, 640]);
    for (const [i, frame] of frames.entries()) {
      if (i === 0) continue;
      const step = frame.mediaTime - frames[i - 1].mediaTime;
      const where = `frame ${i} (${frames[i - 1].width} → ${frame.width}): media time step ${step.toFixed(3)} s`;
      assert.ok(step > 0, `no jump back: ${where}`);
      assert.ok(step < MAX_FRAME_STEP_S, `no jump forward: ${where}`);
    }
    // Media time kept pace with the clock across the whole run: nothing skipped, nothing replayed.
    const mediaS = frames.at(-1).mediaTime - frames[0].mediaTime;
    const wallS = (frames.at(-1).at - frames[0].at) / 1000;
    assert.ok(Math.abs(mediaS - wallS) < 0.5, `media ${mediaS.toFixed(2)} s in ${wallS.toFixed(2)} s`);

    // The clip holds the run since the switch back, with rendition 0's own init segment: a file a video plays.
    const clip = await viewer.evaluate(async () => {
      const blob = window.swarmcast.viewer.clip();
      if (!blob) return null;
      const video = Object.assign(document.createElement('video'), { muted: true, src: URL.createObjectURL(blob) });
      await new Promise((resolve, reject) => { video.onloadeddata = resolve; video.onerror = () => reject(new Error('the clip does not load')); });
      return video.videoWidth;
    });
    assert.equal(clip, 640, 'the clip plays at the top rendition\'s size');

    assert.deepEqual(await broadcast.evaluate(() => window.errors), []);
    for (const page of [broadcast, viewer]) assert.deepEqual(page.problems, [], 'no page errors');
  } finally {
    await viewer?.close();
    await broadcast.close();
  }
}

test('Chromium: a viewer switched by hand to the lower rendition and back to Auto plays on without a stall or a jump', () =>
  switchDownAndBack((streamId) => openViewer(session.chromium, session.server, streamId)));

test('Firefox: the same switches, the same continuity', () =>
  switchDownAndBack((streamId) => openFirefoxPage(session.firefox, `${session.server.url}/watch/${streamId}`)));
