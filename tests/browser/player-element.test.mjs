// <swarmcast-player> as a viewer and an embedder use it: its keyboard shortcuts,
// fullscreen and picture-in-picture, "back to live" after a pause, its attributes and
// properties, its events, what it says about bad input, and that taking it off the
// page closes its peer links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();
// One broadcast for the whole file, started by the first test that needs it.
let broadcastStarted = null;
const liveBroadcast = () => { broadcastStarted ??= startBroadcast(session.browser, session.server); return broadcastStarted; };
// A viewer of the shared broadcast, closed when its test ends, passed or not: one left
// open would still count among the broadcast's viewers in the tests after it.
const watch = async (t, streamId, options) => {
  const viewer = await openViewer(session.browser, session.server, streamId, options);
  t.after(() => viewer.close());
  return viewer;
};

// What the element shows and does, read inside the page.
const look = (page) => page.evaluate(() => {
  const player = document.querySelector('swarmcast-player');
  const shadow = player.shadowRoot;
  return {
    paused: player.video.paused, muted: player.video.muted, mutedAttribute: player.hasAttribute('muted'),
    latencyMode: player.latencyMode, modeShown: shadow.getElementById('latency-mode').value,
    kept: localStorage.getItem('swarmcast.latencyMode'),
    fullscreen: document.fullscreenElement === player,
    pictureInPicture: shadow.pictureInPictureElement === player.video,
    badge: shadow.getElementById('live-badge').textContent,
  };
});

// Collects the element's events in window.seen (from the first one on, when the
// script runs before the page's own).
function recordEvents() {
  window.seen = [];
  const types = ['ready', 'statechange', 'error', 'stats', 'chat', 'listing'];
  new MutationObserver(() => {
    const player = document.querySelector('swarmcast-player');
    if (!player || player.recorded) return;
    player.recorded = true;
    for (const type of types) {
      player.addEventListener(type, ({ detail }) => window.seen.push({ type, detail: type === 'stats' ? { peers: detail.peers } : type === 'ready' ? null : detail }));
    }
  }).observe(document, { childList: true, subtree: true });
}

// Every RTCPeerConnection the page makes, kept so a test can see whether each is closed.
function keepPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.peerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.peerConnections.push(this);
    }
  };
}

test('keyboard: space and k play/pause, m mutes, l switches the latency mode, f fullscreen, p picture-in-picture', async (t) => {
  const broadcast = await liveBroadcast();
  const viewer = await watch(t, broadcast.streamId);
  await waitPlaying([viewer], 15_000);
  await viewer.focus('swarmcast-player');
  const start = await look(viewer);
  assert.deepEqual({ paused: start.paused, muted: start.muted, mode: start.latencyMode, fullscreen: start.fullscreen },
    { paused: false, muted: true, mode: 'low', fullscreen: false });

  await viewer.keyboard.press('k');
  assert.equal((await look(viewer)).paused, true, 'k pauses');
  await viewer.keyboard.press('Space');
  assert.equal((await look(viewer)).paused, false, 'space plays');
  await viewer.keyboard.press(' ');
  assert.equal((await look(viewer)).paused, true, 'space pauses');
  await viewer.keyboard.press('k');

  await viewer.keyboard.press('m');
  let now = await look(viewer);
  assert.deepEqual([now.muted, now.mutedAttribute], [false, false], 'm unmutes, and the attribute follows');
  await viewer.keyboard.press('m');
  now = await look(viewer);
  assert.deepEqual([now.muted, now.mutedAttribute], [true, true], 'm mutes again');

  await viewer.keyboard.press('l');
  now = await look(viewer);
  assert.deepEqual([now.latencyMode, now.modeShown, now.kept], ['smooth', 'smooth', 'smooth'], 'l: smooth, shown and kept');
  assert.equal(await viewer.evaluate(() => window.swarmcast.viewer.latencyMode), 'smooth', 'the viewer itself switched');
  await viewer.keyboard.press('l');
  now = await look(viewer);
  assert.deepEqual([now.latencyMode, now.modeShown, now.kept], ['low', 'low', 'low'], 'l: back to low');

  await viewer.keyboard.press('f');
  await waitFor(async () => (await look(viewer)).fullscreen, { timeoutMs: 3000, what: 'f to make the element fullscreen' });
  await viewer.keyboard.press('f');
  await waitFor(async () => !(await look(viewer)).fullscreen, { timeoutMs: 3000, what: 'f to leave fullscreen' });

  await viewer.keyboard.press('p');
  await waitFor(async () => (await look(viewer)).pictureInPicture, { timeoutMs: 3000, what: 'p to open picture-in-picture' });
  await viewer.keyboard.press('p');
  await waitFor(async () => !(await look(viewer)).pictureInPicture, { timeoutMs: 3000, what: 'p to close picture-in-picture' });

  // Typing in the element's own fields is not a shortcut.
  await viewer.focus('swarmcast-player #latency-mode');
  await viewer.keyboard.press('k');
  assert.equal((await look(viewer)).paused, false, 'k in the latency selector does not pause');
  assert.equal((await viewerStats(viewer)).state, 'playing');
  assert.deepEqual(viewer.problems, []);
});

test('a viewer paused far behind live gets "Back to live", which takes it back near the live edge', async (t) => {
  const broadcast = await liveBroadcast();
  const viewer = await watch(t, broadcast.streamId);
  await waitPlaying([viewer], 15_000);
  await sleep(2000);
  const live = await viewerStats(viewer);
  assert.equal((await look(viewer)).badge, 'LIVE');

  await viewer.click('swarmcast-player #play');
  await waitFor(async () => (await look(viewer)).badge === 'Back to live', { timeoutMs: 8000, what: 'the badge to offer back to live' });
  await sleep(2000);
  const behind = await viewerStats(viewer);
  assert.ok(behind.latencyMs > live.latencyMs + 3000, `paused, the latency grows: ${live.latencyMs} -> ${behind.latencyMs} ms`);

  await viewer.click('swarmcast-player #live-badge');
  await waitFor(async () => (await viewerStats(viewer)).latencyMs < 4000, { timeoutMs: 5000, what: 'the latency to drop' });
  await sleep(1500);
  const back = await viewerStats(viewer);
  assert.equal(back.state, 'playing');
  assert.ok(back.latencyMs < behind.latencyMs - 3000, `back near live: ${behind.latencyMs} -> ${back.latencyMs} ms`);
  assert.equal((await look(viewer)).badge, 'LIVE');
  assert.deepEqual(viewer.problems, []);
});

test('attributes reflect as properties, events come from the element, and a new stream restarts it', async (t) => {
  const broadcast = await liveBroadcast();
  const viewer = await watch(t, broadcast.streamId, { initScript: recordEvents });
  await waitPlaying([viewer], 15_000);
  await sleep(1500);
  const seen = await viewer.evaluate(() => window.seen);
  assert.equal(seen[0].type, 'ready');
  const states = seen.filter((event) => event.type === 'statechange').map((event) => event.detail);
  assert.ok(states.includes('playing'), `statechange events: ${states}`);
  const stats = seen.filter((event) => event.type === 'stats');
  assert.ok(stats.length >= 1 && stats.at(-1).detail.peers >= 1, `stats events: ${JSON.stringify(stats)}`);
  assert.deepEqual(seen.filter((event) => event.type === 'error'), []);

  const reflected = await viewer.evaluate(() => {
    const player = document.querySelector('swarmcast-player');
    // The stream's levels (its default ladder: 360p and 240p), read before the signaling
    // change below restarts the viewer, which starts again knowing none.
    const out = { levels: player.levels.map((level) => level.name), qualityHidden: player.shadowRoot.getElementById('quality').hidden };
    player.latencyMode = 'smooth';
    out.modeAttribute = player.getAttribute('latency-mode');
    out.viewerMode = player.viewer.latencyMode;
    player.setAttribute('latency-mode', 'low');
    out.modeProperty = player.latencyMode;
    try {
      player.latencyMode = 'fast';
    } catch (error) {
      out.badMode = error.name;
    }
    player.muted = false;
    out.mutedAttribute = player.hasAttribute('muted');
    out.videoMuted = player.video.muted;
    player.setAttribute('muted', '');
    out.mutedProperty = player.muted;
    player.stats = false;
    out.statsAttribute = player.hasAttribute('stats');
    out.signaling = player.signaling;
    player.signaling = player.signaling;
    out.signalingAttribute = player.getAttribute('signaling');
    out.stream = player.stream === player.getAttribute('stream');
    return out;
  });
  assert.deepEqual(reflected, {
    modeAttribute: 'smooth', viewerMode: 'smooth', modeProperty: 'low', badMode: 'TypeError', mutedAttribute: false, videoMuted: false,
    mutedProperty: true, statsAttribute: false, signaling: `${session.server.url.replace('http', 'ws')}/signal`,
    signalingAttribute: `${session.server.url.replace('http', 'ws')}/signal`, stream: true, levels: ['360p', '240p'], qualityHidden: false,
  });
  assert.ok(await viewer.isHidden('swarmcast-player #overlay'), 'stats off: no overlay');

  // Themed from the page: a part, and a custom property that inherits into the shadow root.
  const themed = await viewer.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = 'swarmcast-player::part(play-button) { color: rgb(1, 2, 3); } swarmcast-player { --swarmcast-live: rgb(4, 5, 6); }';
    document.head.append(style);
    const shadow = document.querySelector('swarmcast-player').shadowRoot;
    return [getComputedStyle(shadow.getElementById('play')).color, getComputedStyle(shadow.getElementById('live-badge')).backgroundColor];
  });
  assert.deepEqual(themed, ['rgb(1, 2, 3)', 'rgb(4, 5, 6)']);

  // A phone's width: nothing wider than the page, every control at least 44 px square.
  await viewer.setViewportSize({ width: 375, height: 700 });
  const phone = await viewer.evaluate(() => {
    const shadow = document.querySelector('swarmcast-player').shadowRoot;
    const small = [...shadow.querySelectorAll('.bar button:not([hidden]), .bar select:not([hidden])')]
      .map((control) => control.getBoundingClientRect()).filter(({ width, height }) => width < 44 || height < 44);
    return { overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth, small: small.length };
  });
  assert.deepEqual(phone, { overflow: 0, small: 0 });

  // Another stream id (nobody broadcasts it): a new viewer, waiting for its broadcaster.
  const restarted = await viewer.evaluate(async () => {
    const { StreamSigner, loadCore } = await import('/web/core/index.js');
    const player = document.querySelector('swarmcast-player');
    const before = player.viewer;
    const signer = new StreamSigner(await loadCore());
    player.stream = signer.streamId;
    return { same: player.viewer === before };
  });
  assert.equal(restarted.same, false, 'a new Viewer');
  await waitFor(async () => (await viewerStats(viewer))?.state === 'waiting', { what: 'the new stream to wait for its broadcaster' });
  assert.match(await viewer.textContent('swarmcast-player #status'), /Waiting for the broadcaster/);
  assert.deepEqual(viewer.problems, []);
});

// A page with no player of its own (the home page), where the test puts some.
async function pageWithoutPlayer() {
  const page = await openPage(session.browser, `${session.server.url}/`);
  await page.evaluate(() => import('/web/index.js'));
  return page;
}

// Adds a player with `attributes`; resolves with the first error it dispatches and what it shows.
const firstError = (page, attributes) => page.evaluate((attributes) => new Promise((resolve) => {
  const player = document.createElement('swarmcast-player');
  player.addEventListener('error', ({ detail }) => resolve({
    detail, shown: player.shadowRoot.getElementById('status').textContent, viewer: player.viewer === null ? null : 'a viewer',
  }), { once: true });
  for (const [name, value] of Object.entries(attributes)) player.setAttribute(name, value);
  document.body.append(player);
}), attributes);

test('bad input: a stream that is not a stream id, a signaling URL that is not ws(s), a server that does not answer', async () => {
  const page = await pageWithoutPlayer();
  const badStream = await firstError(page, { stream: 'not-a-stream' });
  assert.equal(badStream.detail.type, 'input');
  assert.equal(badStream.detail.fatal, true);
  assert.match(badStream.detail.detail, /not-a-stream/);
  assert.match(badStream.shown, /^Not a stream link/);
  assert.equal(badStream.viewer, null);

  const { streamId } = await liveBroadcast();
  const badUrl = await firstError(page, { stream: streamId, signaling: 'https://example.test/signal' });
  assert.deepEqual(badUrl.detail, { type: 'input', detail: 'signaling "https://example.test/signal" is not a ws: or wss: URL', fatal: true });
  assert.equal(badUrl.shown, badUrl.detail.detail);
  const notUrl = await firstError(page, { stream: streamId, signaling: 'no url at all' });
  assert.equal(notUrl.detail.type, 'input');

  // Port 9 (discard): nothing listens there, so the socket is refused again and again.
  const noServer = await firstError(page, { stream: streamId, signaling: 'ws://127.0.0.1:9/signal' });
  assert.deepEqual(noServer.detail, { type: 'signaling', detail: 'no answer from the signaling server at ws://127.0.0.1:9/signal; still trying', fatal: false });
  assert.match(noServer.shown, /Cannot reach the server/);
  assert.equal(noServer.viewer, 'a viewer', 'still trying');

  assert.deepEqual(page.problems.filter((problem) => problem.startsWith('pageerror')), [], 'no uncaught exception');
  await page.close();
});

test('taking the player off the page stops its viewer and closes its peer links', async (t) => {
  const broadcast = await liveBroadcast();
  const viewer = await watch(t, broadcast.streamId, { initScript: keepPeerConnections });
  await waitPlaying([viewer], 15_000);
  const open = await viewer.evaluate(() => window.peerConnections.filter((pc) => pc.signalingState !== 'closed').length);
  assert.ok(open >= 1, `peer links while playing: ${open}`);
  const viewersOf = () => broadcast.page.evaluate(() => window.swarmcast.stats().viewers);
  await waitFor(async () => (await viewersOf()) >= 1, { what: 'the broadcaster to count the viewer' });

  await viewer.evaluate(() => document.querySelector('swarmcast-player').remove());
  const after = await viewer.evaluate(() => ({
    open: window.peerConnections.filter((pc) => pc.signalingState !== 'closed').length,
    viewer: document.querySelector('swarmcast-player') === null && window.swarmcast.viewer,
  }));
  assert.deepEqual(after, { open: 0, viewer: null });
  await waitFor(async () => (await viewersOf()) === 0, { what: 'the server to let the viewer go' });
  assert.deepEqual(viewer.problems, []);
});

test('the package imports under Node, where there is no DOM: nothing thrown, the elements exported but not defined', async () => {
  const entry = await import('../../web/index.js');
  assert.equal(typeof entry.SwarmcastPlayer, 'function');
  assert.equal(typeof entry.SwarmcastBroadcaster, 'function');
  assert.equal(typeof entry.Viewer, 'function');
  assert.equal(globalThis.customElements, undefined);
});
