// <swarmcast-broadcaster> as an embedder uses it on a page of their own: its share
// link under a watch URL of theirs, going live from the test pattern with the events
// it dispatches on the way, the title and tags, stopping, what it says about a bad
// signaling URL, and that taking it off the page ends the broadcast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

// The home page (no broadcaster of its own) with a <swarmcast-broadcaster> added, its
// events collected in window.seen.
async function pageWithBroadcaster(attributes = {}) {
  const page = await openPage(session.browser, `${session.server.url}/`);
  await page.evaluate(async (attributes) => {
    await import('/web/index.js');
    const element = document.createElement('swarmcast-broadcaster');
    window.seen = [];
    for (const type of ['ready', 'statechange', 'live', 'ended', 'error', 'viewers', 'swarm', 'chat']) {
      element.addEventListener(type, ({ detail }) => window.seen.push({ type, detail: type === 'ready' || type === 'swarm' ? null : detail }));
    }
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    document.body.prepend(element);
  }, attributes);
  return page;
}

const seen = (page, type) => page.evaluate((type) => window.seen.filter((event) => event.type === type).map((event) => event.detail), type);
const element = (page, read) => page.evaluate(read);

test('goes live from the test pattern with the share link under its watch-url, describes the stream, and stops', async () => {
  const page = await pageWithBroadcaster({ 'watch-url': 'https://example.test/w/' });
  await waitFor(async () => (await seen(page, 'ready')).length === 1, { what: 'the element to be ready' });
  const ready = await element(page, () => {
    const el = document.querySelector('swarmcast-broadcaster');
    return { streamId: el.streamId, shareLink: el.shareLink, shown: el.shadowRoot.getElementById('share-link').value, watchUrl: el.watchUrl };
  });
  assert.match(ready.streamId, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(ready.shareLink, `https://example.test/w/${ready.streamId}`);
  assert.equal(ready.shown, ready.shareLink);
  assert.equal(ready.watchUrl, 'https://example.test/w/');

  await page.selectOption('swarmcast-broadcaster #source', 'test');
  await page.click('swarmcast-broadcaster #go-live');
  await waitFor(async () => (await seen(page, 'live')).length === 1, { what: 'the live event' });
  assert.deepEqual(await seen(page, 'live'), [{ streamId: ready.streamId }]);
  assert.deepEqual(await seen(page, 'statechange'), ['previewing', 'going-live', 'live']);
  assert.ok(await page.isVisible('swarmcast-broadcaster #live-badge'));
  assert.ok(await page.isDisabled('swarmcast-broadcaster #go-live'));

  await page.fill('swarmcast-broadcaster #title', '  Late   jazz ');
  await page.dispatchEvent('swarmcast-broadcaster #title', 'change');
  await page.fill('swarmcast-broadcaster #tags', 'Live Music, jazz');
  await page.dispatchEvent('swarmcast-broadcaster #tags', 'change');
  assert.deepEqual(await element(page, () => document.querySelector('swarmcast-broadcaster').broadcaster.description),
    { title: 'Late jazz', tags: ['live-music', 'jazz'] });
  assert.equal(await page.inputValue('swarmcast-broadcaster #tags'), 'live-music, jazz', 'the tags as the list shows them');
  const listed = await waitFor(async () => {
    const streams = await (await fetch(`${session.server.url}/api/streams`)).json();
    return streams.find((stream) => stream.streamId === ready.streamId && stream.title === 'Late jazz');
  }, { what: 'the server to list the title' });
  assert.deepEqual(listed.tags, ['live-music', 'jazz']);

  const viewer = await openViewer(session.browser, session.server, ready.streamId);
  await waitPlaying([viewer], 15_000);
  await waitFor(async () => (await seen(page, 'viewers')).includes(1), { what: 'a viewers event counting the viewer' });
  assert.match(await page.textContent('swarmcast-broadcaster #viewers'), /^1 watching$/);

  await page.click('swarmcast-broadcaster #stop');
  await waitFor(async () => (await seen(page, 'ended')).length === 1, { what: 'the ended event' });
  assert.equal(await element(page, () => document.querySelector('swarmcast-broadcaster').broadcaster.live), false);
  assert.ok(await page.isEnabled('swarmcast-broadcaster #go-live'), 'ready to go live again');
  await waitFor(async () => /ended/.test(await viewer.textContent('swarmcast-player #status')), { what: 'the viewer to see the end' });
  assert.deepEqual(await seen(page, 'error'), []);
  assert.deepEqual(page.problems, []);
  await viewer.close();
  await page.close();
});

// An attribute the element cannot start with: its one error event says it in `detail`,
// the element shows the same words, and no broadcaster is made.
async function refusedAttribute(attributes, detail) {
  const page = await pageWithBroadcaster(attributes);
  const [error] = await waitFor(async () => {
    const errors = await seen(page, 'error');
    return errors.length > 0 && errors;
  }, { what: 'the error event' });
  assert.deepEqual(error, { type: 'input', detail, fatal: true });
  assert.equal(await page.textContent('swarmcast-broadcaster #status'), error.detail);
  assert.ok(await page.isDisabled('swarmcast-broadcaster #go-live'));
  assert.deepEqual(await seen(page, 'ready'), [], 'no broadcaster made');
  assert.deepEqual(page.problems.filter((problem) => problem.startsWith('pageerror')), []);
  await page.close();
}

test('a signaling URL that is not ws(s) is said in the element and dispatched as an error', async () => {
  await refusedAttribute({ signaling: 'http://example.test/signal' },
    'signaling "http://example.test/signal" is not a ws: or wss: URL');
});

test('a chunk-ms the chunk clock cannot keep is said in the element and dispatched as an error', async () => {
  await refusedAttribute({ 'chunk-ms': '40' }, 'chunk-ms "40": chunkMs must be a whole number of ms from 100 to 10000, not 40');
});

test('taking the element off the page ends its broadcast and releases the source', async () => {
  const page = await pageWithBroadcaster();
  await waitFor(async () => (await seen(page, 'ready')).length === 1, { what: 'the element to be ready' });
  await page.click('swarmcast-broadcaster #go-live');
  await waitFor(async () => (await seen(page, 'live')).length === 1, { what: 'the live event' });
  const after = await page.evaluate(async () => {
    const el = document.querySelector('swarmcast-broadcaster');
    const { broadcaster, source } = el;
    el.remove();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { live: broadcaster.live, tracks: source.stream.getTracks().map((track) => track.readyState), element: el.broadcaster };
  });
  assert.equal(after.live, false);
  assert.ok(after.tracks.length > 0 && after.tracks.every((state) => state === 'ended'), `tracks: ${after.tracks}`);
  assert.equal(after.element, null);
  assert.deepEqual(page.problems, []);
  await page.close();
});
