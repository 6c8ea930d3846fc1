// The Clip button: a viewer and the broadcaster each save the last seconds of the
// stream as a WebM file, which ffmpeg decodes cleanly from a keyframe at time 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { serverAndBrowser } from './launch.mjs';
import { openViewer, sleep, startBroadcast, waitPlaying } from './pages.mjs';
import { ffmpegErrors, firstVideoFrameIsKey, startTimeS, tempDir, videoFrameCount } from '../node/helpers.mjs';

const session = serverAndBrowser();

// Clicks the page's Clip button and keeps the download; returns its name and path.
async function saveClip(page, dir) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#clip')]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path };
}

function assertPlayableFrom0(path, minSeconds) {
  assert.equal(ffmpegErrors(path), '', path);
  assert.ok(firstVideoFrameIsKey(path), `${path} starts with a keyframe`);
  const startS = startTimeS(path);
  assert.ok(Math.abs(startS) < 0.1, `${path} starts at ${startS} s`);
  const frames = videoFrameCount(path);
  assert.ok(frames >= minSeconds * 20, `${path}: ${frames} frames`);
}

test('a viewer and the broadcaster save the last seconds as a WebM file that plays from 0', async () => {
  const { browser, server } = session;
  const dir = tempDir('clips');
  const broadcast = await startBroadcast(browser, server, {
    beforeLive: async (page) => {
      await page.click('#clip');
      assert.match(await page.textContent('#clip-status'), /^Nothing to clip yet/);
    },
  });
  const viewer = await openViewer(browser, server, broadcast.streamId);
  await waitPlaying([viewer], 15_000);
  await sleep(8000);

  const watched = await saveClip(viewer, dir);
  assert.match(watched.name, new RegExp(`^swarmcast-${broadcast.streamId.slice(0, 8)}-\\d{8}-\\d{6}\\.webm$`));
  assertPlayableFrom0(watched.path, 6);
  const broadcasted = await saveClip(broadcast.page, dir);
  assertPlayableFrom0(broadcasted.path, 8);
  assert.equal(await viewer.textContent('#clip-status'), '');
  assert.equal(await broadcast.page.textContent('#clip-status'), '', 'the saved clip cleared the earlier message');
  for (const page of [broadcast.page, viewer]) assert.deepEqual(page.problems, []);
});
