// The quality selector as a person uses it (issue 15): the broadcast page goes live with
// its default ladder from the 640x360 test pattern (360p + 240p); the watch page's
// <swarmcast-player> offers "Auto" and both levels, names the level Auto plays, takes
// a pick of 240p from its own <select> (in its shadow root), shows it and plays at that
// size, and goes back to Auto and 360p. The broadcaster's dashboard shows the viewer on
// each rendition, the time played on each, and the switches. Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

// What the viewer sees of the selector and the picture, and what its element says.
const shownOf = (page) => page.evaluate(() => {
  const player = document.querySelector('swarmcast-player');
  const select = player.shadowRoot.getElementById('quality');
  return {
    hidden: select.hidden,
    options: [...select.options].map((option) => option.text),
    shown: select.selectedOptions[0]?.text ?? null,
    levels: player.levels.map((level) => level.name),
    level: player.level,
    playing: player.playingLevel,
    videoHeight: player.video.videoHeight,
    rendition: window.swarmcast.stats()?.rendition ?? null,
  };
});

// Waits until what the viewer sees matches `wanted` (a subset of shownOf's fields).
async function waitShown(page, wanted, timeoutMs, what) {
  let last = null;
  try {
    await waitFor(async () => {
      last = await shownOf(page);
      return Object.entries(wanted).every(([key, value]) => JSON.stringify(last[key]) === JSON.stringify(value));
    }, { timeoutMs, what });
  } catch (error) {
    throw new Error(`${/** @type {Error} */ (error).message}; shown: ${JSON.stringify(last)}`);
  }
  return last;
}

const dashboardOf = (page) => page.evaluate(() => ({
  rows: [...document.querySelectorAll('#renditions li')].map((item) => item.textContent),
  switches: document.getElementById('switches').textContent,
  renditions: window.swarmcast.stats().swarm?.renditions ?? null,
}));

test('a viewer picks 240p in the player\'s quality selector, sees it, and goes back to Auto; the dashboard shows it', async () => {
  const { browser, server } = session;
  const broadcast = await startBroadcast(browser, server);
  const viewer = await openViewer(browser, server, broadcast.streamId);
  await waitPlaying([viewer], 30_000);

  // Auto on this unthrottled link plays the top level, and says so.
  const first = await waitShown(viewer, { hidden: false, options: ['Auto · 360p', '360p', '240p'], shown: 'Auto · 360p',
    videoHeight: 360 }, 15_000, 'the selector with Auto on 360p');
  assert.deepEqual({ levels: first.levels, level: first.level, playing: first.playing }, { levels: ['360p', '240p'], level: -1, playing: 0 });
  assert.deepEqual(first.rendition.levels.map((level) => [level.id, level.width, level.height, level.decodable]),
    [[0, 640, 360, true], [1, 426, 240, true]]);
  const was = await viewerStats(viewer);

  await viewer.selectOption('swarmcast-player #quality', { label: '240p' });
  const low = await waitShown(viewer, { shown: '240p', videoHeight: 240, playing: 1 }, 15_000, '240p on screen');
  assert.equal(low.level, 1);
  assert.deepEqual({ choice: low.rendition.choice, current: low.rendition.current }, { choice: 1, current: 1 });
  assert.equal(low.options[0], 'Auto', 'Auto names a level only while it is chosen');

  await viewer.selectOption('swarmcast-player #quality', { label: 'Auto' });
  const back = await waitShown(viewer, { shown: 'Auto · 360p', videoHeight: 360, level: -1, playing: 0 }, 20_000,
    'Auto back on 360p');
  assert.deepEqual({ choice: back.rendition.choice, current: back.rendition.current }, { choice: 'auto', current: 0 });
  const now = await viewerStats(viewer);
  assert.equal(now.state, 'playing');
  assert.equal(now.stalls, was.stalls, `no stall across the switches: ${JSON.stringify({ was, now })}`);

  // The broadcaster's dashboard: the viewer on 360p now, time on both, a switch each way.
  let shown = null;
  await waitFor(async () => {
    shown = await dashboardOf(broadcast.page);
    const byId = shown.renditions?.byId ?? [];
    return byId.length === 2 && byId[0].viewers === 1 && byId[1].playedMs > 0 && shown.renditions.switchesUp >= 1
      && shown.rows[0]?.startsWith('360p: 1 viewer ');  // the page shows the summary a second after it came
  }, { timeoutMs: 15_000, what: `the dashboard to show the viewer's renditions (${JSON.stringify(shown)})` });
  assert.equal(shown.renditions.reporting, 1);
  assert.ok(shown.renditions.switchesDown >= 1, JSON.stringify(shown.renditions));
  assert.match(shown.rows[0], /^360p: 1 viewer · [\d.]+ (s|min) played$/);
  assert.match(shown.rows[1], /^240p: 0 viewers · [\d.]+ (s|min) played$/);
  assert.match(shown.switches, /^Switches of quality: [1-9]\d* down, [1-9]\d* up\.$/);

  for (const page of [broadcast.page, viewer]) assert.deepEqual(page.problems, [], 'no page errors');
});
