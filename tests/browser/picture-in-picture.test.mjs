// Screen + camera picture-in-picture: two sources drawn into one stream, recorded,
// carried and played like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

test('the corner picture and the main picture both reach the player, each in its place', async () => {
  const page = await openPage(session.browser, `${session.server.url}/`);
  await page.evaluate(async () => {
    const { loadCore } = await import('/web/core/index.js');
    const { openTestPattern } = await import('/web/shim/capture.js');
    const { composePictureInPicture } = await import('/web/shim/compose.js');
    const { ChunkRecorder } = await import('/web/shim/recorder.js');
    const { MsePlayer } = await import('/web/shim/mse-player.js');
    // The corner source: plain red, so it cannot be mistaken for the colour bars.
    const red = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
    const g = red.getContext('2d', { alpha: false });
    const paint = () => { g.fillStyle = '#f00'; g.fillRect(0, 0, 320, 180); };
    paint();
    const timer = setInterval(paint, 66);
    const redStream = red.captureStream(15);
    const corner = { stream: redStream, stop: () => { clearInterval(timer); redStream.getTracks().forEach((t) => t.stop()); } };
    const composed = await composePictureInPicture(openTestPattern({ width: 640, height: 360, frameRate: 15, noise: false }), corner,
      { frameRate: 15 });
    const video = Object.assign(document.createElement('video'), { muted: true });
    document.body.append(video);
    const player = new MsePlayer(video);
    const recorder = new ChunkRecorder(await loadCore(), composed.stream);
    recorder.addEventListener('init', ({ detail }) => player.appendInit(detail.bytes, detail.mimeType));
    recorder.addEventListener('chunk', ({ detail }) => player.appendChunk(detail.bytes, detail.captureMs));
    recorder.start();
    // RGB at (x, y) of the frame the player shows.
    const pixel = (x, y) => {
      const c = Object.assign(document.createElement('canvas'), { width: video.videoWidth, height: video.videoHeight });
      const cg = c.getContext('2d');
      cg.drawImage(video, 0, 0);
      return [...cg.getImageData(x, y, 1, 1).data.slice(0, 3)];
    };
    window.pip = { player, video, inset: composed.inset, tracks: composed.stream.getTracks().map((t) => t.kind).sort(), pixel };
  });

  await waitFor(() => page.evaluate(() => window.pip.player.stats().currentTime > 1), { timeoutMs: 10_000, what: 'playback' });
  const seen = await page.evaluate(() => {
    const { inset, video, pixel, tracks } = window.pip;
    return {
      size: [video.videoWidth, video.videoHeight], inset, tracks,
      insetCentre: pixel(inset.x + inset.width / 2, inset.y + inset.height / 2),
      // The test pattern's first bar (light grey), well clear of the corner.
      mainLeft: pixel(40, 120),
    };
  });
  assert.deepEqual(seen.size, [640, 360], 'the frame takes the main source\'s size');
  assert.deepEqual(seen.tracks, ['audio', 'video'], 'one video track and the mixed audio');
  assert.ok(seen.inset.x > 320 && seen.inset.y > 180 && seen.inset.width === 160, `the corner: ${JSON.stringify(seen.inset)}`);
  const [r, g, b] = seen.insetCentre;
  assert.ok(r > 180 && g < 80 && b < 80, `the corner shows the red source: rgb ${seen.insetCentre}`);
  assert.ok(seen.mainLeft.every((v) => v > 140), `the rest shows the bars: rgb ${seen.mainLeft}`);
  assert.deepEqual(page.problems, []);
});

test('the broadcast page goes live with screen + camera and a viewer plays it', async () => {
  const { page: broadcast, streamId } = await startBroadcast(session.browser, session.server, { source: 'screen-camera' });
  const composed = await broadcast.evaluate(() => window.swarmcast.source.stream.getVideoTracks()[0].getSettings());
  const viewer = await openViewer(session.browser, session.server, streamId);
  const [startedAt] = await waitPlaying([viewer]);
  await sleep(4000);
  const stats = await viewerStats(viewer);
  const { size, rendition } = await viewer.evaluate(() => ({
    size: [window.swarmcast.video.videoWidth, window.swarmcast.video.videoHeight], rendition: window.swarmcast.stats().node.engine.rendition,
  }));
  // The composed frame is the top level; the viewer may play a lower one (its rule may
  // go down on a machine too busy to deliver in time), scaled from the same frame.
  const levels = await broadcast.evaluate(() => window.swarmcast.stats().renditions.map(({ id, width, height }) => ({ id, size: [width, height] })));
  assert.deepEqual(levels[0].size, [composed.width, composed.height], 'the top level is the composed frame');
  assert.deepEqual(size, levels.find((level) => level.id === rendition)?.size, `the viewer shows the composed frame at its level ${rendition}`);
  assert.equal(stats.state, 'playing');
  assert.ok(stats.currentTime - startedAt > 3, `video advanced ${stats.currentTime - startedAt} s`);
  assert.deepEqual(broadcast.problems, []);
  assert.deepEqual(viewer.problems, []);
});
