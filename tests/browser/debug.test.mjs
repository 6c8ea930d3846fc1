// The /debug page: a broadcast and its viewers in one page over real WebRTC, under
// simulated network conditions set from its sliders. A chat line between two in-page
// viewers (one clock) shows the latency applied to every link it crosses; the viewers
// keep playing through latency, jitter and loss; viewers can be added and removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, serverAndBrowser, waitFor } from './launch.mjs';
import { sleep } from './pages.mjs';

const session = serverAndBrowser();

const states = (page) => page.evaluate(() => (window.swarmcast?.viewers() ?? []).map((viewer) => {
  const s = viewer.stats();
  return { state: s.state, time: s.player.currentTime };
}));
const allPlaying = async (page, count) => {
  const now = await states(page);
  return now.length === count && now.every((s) => s.state === 'playing' && s.time > 0) && now;
};
const setSlider = (page, id, value) => page.evaluate(([id, value]) => {
  const slider = document.getElementById(id);
  slider.value = String(value);
  slider.dispatchEvent(new Event('input'));
}, [id, value]);

// From viewer 0 saying a line to viewer 1 hearing it, on the page's one clock.
const chatTransitMs = (page, text) => page.evaluate((text) => new Promise((resolve) => {
  const [from, to] = window.swarmcast.viewers();
  const saidAt = performance.now();
  to.addEventListener('chat', ({ detail }) => { if (detail.text === text) resolve(performance.now() - saidAt); });
  from.chat.say(text);
}), text);

test('the debug page runs a swarm in one page under the network conditions it is set to', async () => {
  const page = await openPage(session.browser, `${session.server.url}/debug?viewers=3`);
  await waitFor(() => allPlaying(page, 3), { timeoutMs: 20_000, what: 'three in-page viewers to play' });
  assert.equal(await page.textContent('#source-numbers').then((text) => /3 watching/.test(text)), true);

  await setSlider(page, 'latency', 400);
  assert.equal(await page.textContent('#latency-out'), '400 ms');
  const transit = await chatTransitMs(page, 'through a slow network');
  assert.ok(transit >= 400, `a line crossed a 400 ms link in ${Math.round(transit)} ms`);

  await setSlider(page, 'latency', 100);
  await setSlider(page, 'jitter', 50);
  await setSlider(page, 'loss', 5);
  assert.deepEqual(await page.evaluate(() => ({ ...window.swarmcast.network, random: undefined })),
    { latencyMs: 100, jitterMs: 50, lossRate: 0.05, random: undefined });
  const before = await states(page);
  await sleep(6000);
  const after = await states(page);
  after.forEach((s, i) => assert.ok(s.time > before[i].time + 3, `viewer ${i} plays on: ${before[i].time} -> ${s.time}`));

  await page.click('#add-viewer');
  await waitFor(() => allPlaying(page, 4), { timeoutMs: 20_000, what: 'the added viewer to play' });
  assert.equal(await page.locator('#tiles .tile').count(), 4);
  await page.click('#remove-viewer');
  assert.equal(await page.locator('#tiles .tile').count(), 3);
  assert.deepEqual(page.problems, []);
});
