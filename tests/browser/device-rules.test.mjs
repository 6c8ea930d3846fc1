// Mobile data rules that follow the device during the session. The device viewer's page
// runs with controllable fakes of navigator.connection, navigator.getBattery() and
// document.visibilityState; each change is dispatched as the browser would, and what
// its peers then ask of it (pieces requested of it per second, from its engine's
// counters) and what it uploads are compared before and after: on mobile data or a
// low battery they stop asking within a second; from a background tab it serves at a
// reduced rate (at most half the stream's), not none; with the upload setting Off it
// is asked nothing, and that choice is kept across a reload. Every viewer, the device
// included, plays on with no corrupt piece.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

// Runs in the device page before its own scripts: the three APIs, under test control
// (window.fakeDevice), as Chromium would show them on a phone.
function fakeDeviceApis() {
  const connection = Object.assign(new EventTarget(), { type: 'wifi', saveData: false });
  const battery = Object.assign(new EventTarget(), { level: 0.9, charging: false });
  let visibility = 'visible';
  Object.defineProperty(Navigator.prototype, 'connection', { configurable: true, get: () => connection });
  Object.defineProperty(Navigator.prototype, 'getBattery', { configurable: true, value: () => Promise.resolve(battery) });
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => visibility });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => visibility === 'hidden' });
  window.fakeDevice = {
    connection(type, saveData = false) {
      Object.assign(connection, { type, saveData });
      connection.dispatchEvent(new Event('change'));
    },
    battery(level, charging) {
      Object.assign(battery, { level, charging });
      battery.dispatchEvent(new Event('levelchange'));
      battery.dispatchEvent(new Event('chargingchange'));
    },
    visibility(state) {
      visibility = state;
      document.dispatchEvent(new Event('visibilitychange'));
    },
  };
}

// The device viewer's own counters: pieces its peers asked of it, and media it sent.
const counters = (page) => page.evaluate(() => {
  const engine = window.swarmcast.stats()?.node?.engine;
  return { asked: engine?.piece_requests_received ?? 0, sent: engine?.media_bytes_sent ?? 0, at: performance.now() };
});

// What its peers ask of it per second over `ms`, starting `settleMs` after now.
async function rates(page, ms, settleMs = 0) {
  await sleep(settleMs);
  const from = await counters(page);
  await sleep(ms);
  const to = await counters(page);
  const seconds = (to.at - from.at) / 1000;
  return { askedPerS: (to.asked - from.asked) / seconds, sentBytesPerS: (to.sent - from.sent) / seconds };
}

const change = (page, what, ...args) => page.evaluate(([w, a]) => window.fakeDevice[w](...a), [what, args]);
const streamBytesPerS = (page) => page.evaluate(() => {
  const { media_bytes_received: bytes, watched_ms: watched } = window.swarmcast.stats().node.engine;
  return watched > 0 ? (bytes * 1000) / watched : 0;
});

test('peers stop asking a metered or low-battery viewer, a hidden one serves less, and none once it chooses Off', async () => {
  const { browser, server } = session;
  const broadcast = await startBroadcast(browser, server);
  // The device joins first: the broadcaster stripes every chunk across its viewers, so
  // each holds pieces the others ask it for.
  const device = await openViewer(browser, server, broadcast.streamId, { initScript: fakeDeviceApis });
  await waitPlaying([device], 15_000);
  const others = [await openViewer(browser, server, broadcast.streamId), await openViewer(browser, server, broadcast.streamId)];
  await waitPlaying(others, 15_000);

  const measured = {};
  measured.visible = await rates(device, 4000, 2000);
  assert.ok(measured.visible.askedPerS > 0, `its peers ask it for pieces at first: ${JSON.stringify(measured.visible)}`);

  await change(device, 'connection', 'cellular');
  measured.metered = await rates(device, 4000, 1000);
  await change(device, 'connection', 'wifi');
  measured.backOnWifi = await rates(device, 4000, 2000);

  await change(device, 'visibility', 'hidden');
  measured.hidden = await rates(device, 6000, 1000);
  await change(device, 'visibility', 'visible');

  await change(device, 'battery', 0.2, false);
  measured.batteryLow = await rates(device, 4000, 1000);
  await change(device, 'battery', 0.2, true);
  measured.charging = await rates(device, 4000, 2000);

  const stream = await streamBytesPerS(device);
  console.log(JSON.stringify({ deviceRules: { streamBytesPerS: Math.round(stream), ...measured } }));
  assert.equal(measured.metered.askedPerS, 0, 'metered: nothing asked of it a second on');
  assert.equal(measured.metered.sentBytesPerS, 0);
  assert.equal(measured.batteryLow.askedPerS, 0, 'battery low: nothing asked of it a second on');
  assert.ok(measured.backOnWifi.askedPerS > 0, 'asked again back on Wi-Fi');
  assert.ok(measured.charging.askedPerS > 0, 'asked again once charging');
  assert.ok(measured.hidden.askedPerS > 0 && measured.hidden.sentBytesPerS > 0, 'hidden: still serving');
  // The hidden rate is half the stream's; a one-second burst on top of it at most.
  assert.ok(measured.hidden.sentBytesPerS <= 0.5 * stream * 1.25,
    `hidden: uploads ${Math.round(measured.hidden.sentBytesPerS)} B/s, over half the stream's ${Math.round(stream)} B/s`);

  // The viewer's own choice: Off, from the player's controls.
  await device.selectOption('#upload', 'off');
  measured.off = await rates(device, 4000, 1000);
  assert.equal(measured.off.askedPerS, 0, 'Off: nothing asked of it');

  // Every viewer plays on (under load a viewer may be between a stall and its recovery
  // at any one moment: its picture advancing is what counts), and nothing was corrupt.
  const pages = [device, ...others];
  const before = await Promise.all(pages.map(viewerStats));
  await sleep(3000);
  const after = await Promise.all(pages.map(viewerStats));
  after.forEach((s, i) => {
    assert.ok(s.currentTime > before[i].currentTime + 1, `viewer ${i} plays on: ${before[i].currentTime} -> ${s.currentTime}`);
    assert.equal(s.badPieces, 0, 'no corrupt piece anywhere');
    assert.equal(s.bans, 0);
    assert.equal(s.chunksSkipped, 0, `viewer ${i} gave no chunk up`);
  });

  // The next visit starts with Off: shown, kept, and its peers ask it nothing.
  await device.reload();
  await waitPlaying([device], 15_000);
  const kept = await device.evaluate(() => ({
    setting: document.querySelector('swarmcast-player').upload,
    shown: document.querySelector('swarmcast-player').shadowRoot.getElementById('upload').value,
    stored: localStorage.getItem('swarmcast.upload'),
  }));
  assert.deepEqual(kept, { setting: 'off', shown: 'off', stored: 'off' });
  measured.offAfterReload = await rates(device, 4000, 1000);
  console.log(JSON.stringify({ deviceRules: { off: measured.off, offAfterReload: measured.offAfterReload } }));
  assert.equal(measured.offAfterReload.askedPerS, 0);
  for (const page of [broadcast.page, device, ...others]) assert.deepEqual(page.problems, []);
});

test('a bad upload value is an error event, not a throw; a cap in kbit/s is taken', async () => {
  const { browser, server } = session;
  const page = await openViewer(browser, server, 'not-a-stream-but-the-element-still-answers');
  const outcome = await page.evaluate(() => {
    const player = document.querySelector('swarmcast-player');
    const errors = [];
    player.addEventListener('error', ({ detail }) => errors.push(detail));
    player.upload = 'lots';
    player.setAttribute('upload', '-5');
    const afterBad = player.upload;
    player.upload = 750;
    return { errors, afterBad, capped: player.upload, shown: player.shadowRoot.getElementById('upload').value };
  });
  assert.deepEqual(outcome.errors.filter((e) => e.type === 'input' && /upload/.test(e.detail)).map((e) => e.fatal), [false, false]);
  assert.equal(outcome.afterBad, 'auto');
  assert.equal(outcome.capped, 750);
  assert.equal(outcome.shown, '750');
});
