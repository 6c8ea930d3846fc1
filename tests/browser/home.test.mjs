// The landing page's live list: empty at first, then each live stream with its viewer
// count and a link to watch it, kept current without a reload; the watch page's line
// with the stream's title, tags and audience.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitFor } from './launch.mjs';
import { openViewer, startBroadcast } from './pages.mjs';

const session = serverAndBrowser();

const listed = (page) => page.$$eval('#streams .stream', (items) => items.map((item) => ({
  streamId: item.dataset.streamId, href: item.querySelector('a').getAttribute('href'),
  viewers: item.querySelector('.viewers').textContent,
})));

const described = (page) => page.$$eval('#streams .stream', (items) => items.map((item) => ({
  title: item.querySelector('.title').textContent,
  tags: [...item.querySelectorAll('.tag')].map((tag) => [tag.textContent, tag.getAttribute('href')]),
  thumbnail: item.querySelector('img.thumbnail')?.naturalWidth ?? 0,
})));

test('/ lists live streams with viewer counts, refreshed while open', async () => {
  const home = await openPage(session.browser, `${session.server.url}/`);
  await home.waitForFunction(() => !document.getElementById('empty').hidden);
  assert.deepEqual(await listed(home), []);

  const broadcast = await startBroadcast(session.browser, session.server);
  const [stream] = await waitFor(async () => (await listed(home)).length === 1 && listed(home),
    { timeoutMs: 8000, what: 'the stream to be listed' });
  assert.deepEqual(stream, { streamId: broadcast.streamId, href: `/watch/${broadcast.streamId}`, viewers: '0 watching' });
  assert.equal(await home.isHidden('#empty'), true);

  const viewer = await openViewer(session.browser, session.server, broadcast.streamId);
  await waitFor(async () => (await listed(home))[0]?.viewers === '1 watching', { timeoutMs: 8000, what: 'the viewer to be counted' });

  await broadcast.page.click('#stop');
  await home.waitForFunction(() => !document.getElementById('empty').hidden, null, { timeout: 8000 });
  assert.deepEqual(await listed(home), []);

  await home.click('#empty a, .button');
  assert.match(home.url(), /\/broadcast$/);
  for (const page of [home, broadcast.page, viewer]) assert.deepEqual(page.problems, []);
});

test('/ shows each stream\'s title, tags and a picture of it; a tag lists only its streams', async () => {
  const broadcast = await startBroadcast(session.browser, session.server, {
    beforeLive: async (page) => {
      await page.fill('#title', '  Bars   and tone ');
      await page.dispatchEvent('#title', 'change');
      await page.fill('#tags', 'Test Pattern, calibration,,');
      await page.dispatchEvent('#tags', 'change');
    },
  });
  assert.equal(await broadcast.page.inputValue('#tags'), 'test-pattern, calibration', 'the tags as the list will show them');
  const home = await openPage(session.browser, `${session.server.url}/`);
  const [shown] = await waitFor(async () => {
    const streams = await described(home);
    return streams.length === 1 && streams[0].thumbnail > 0 && streams;
  }, { timeoutMs: 10_000, what: 'the stream to be listed with its picture' });
  assert.deepEqual(shown, {
    title: 'Bars and tone',
    tags: [['#test-pattern', '/?tag=test-pattern'], ['#calibration', '/?tag=calibration']],
    thumbnail: 320,
  });

  const tagged = await openPage(session.browser, `${session.server.url}/?tag=calibration`);
  await waitFor(async () => (await listed(tagged)).length === 1, { timeoutMs: 8000, what: 'the tagged stream' });
  assert.equal(await tagged.isVisible('#filter'), true);
  assert.equal(await home.isVisible('#filter'), false, 'no filter line on the whole list');
  const other = await openPage(session.browser, `${session.server.url}/?tag=cooking`);
  await other.waitForFunction(() => !document.getElementById('empty').hidden);
  assert.deepEqual(await listed(other), []);

  // The watch page says what it is watching, and with how many others.
  const viewer = await openViewer(session.browser, session.server, broadcast.streamId);
  const about = () => viewer.evaluate(() => ({
    title: document.getElementById('stream-title').textContent, page: document.title,
    tags: [...document.querySelectorAll('#stream-tags .tag')].map((tag) => [tag.textContent, tag.getAttribute('href')]),
    watching: document.getElementById('watching').textContent,
  }));
  assert.deepEqual(await waitFor(async () => { const shown = await about(); return shown.watching && shown.title && shown; },
    { timeoutMs: 10_000, what: 'the watch page to show the title and the audience' }), {
    title: 'Bars and tone', page: 'Bars and tone · swarmcast',
    tags: [['#test-pattern', '/?tag=test-pattern'], ['#calibration', '/?tag=calibration']], watching: '1 watching',
  });

  await broadcast.page.click('#stop');
  for (const page of [home, tagged, other, broadcast.page, viewer]) assert.deepEqual(page.problems, []);
});
