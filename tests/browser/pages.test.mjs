// The pages themselves: the landing page, and the plain sentences a person gets when
// their browser or their link cannot work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitFor } from './launch.mjs';
import { openViewer, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

test('the landing page links to the broadcast page', async () => {
  const page = await openPage(session.browser, `${session.server.url}/`);
  await page.click('a[href="/broadcast"]');
  await page.waitForURL(/\/broadcast$/);
  await page.waitForFunction(() => window.swarmcast);
  const link = await page.inputValue('#share-link');
  assert.match(link, new RegExp(`^${session.server.url}/watch/[A-Za-z0-9_-]{43}$`));
  // The stream id is kept: a reload shows the same share link.
  await page.reload();
  await page.waitForFunction(() => window.swarmcast);
  assert.equal(await page.inputValue('#share-link'), link);
  assert.deepEqual(page.problems, []);
});

test('a session.browser without MediaSource is told so in words', async () => {
  const page = await openPage(session.browser, `${session.server.url}/watch/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    { initScript: () => { delete window.MediaSource; } });
  const text = await waitFor(async () => {
    const status = await page.textContent('#status');
    return /cannot run swarmcast/.test(status) && status;
  }, { what: 'the unsupported-browser message' });
  assert.match(text, /Media Source Extensions/);
});

test('a watch link with a malformed stream id says so', async () => {
  const page = await openPage(session.browser, `${session.server.url}/watch/not-a-stream`);
  await waitFor(async () => /Not a stream link/.test(await page.textContent('#status')), { what: 'the bad-link message' });
});

test('a second tab going live with the same stream key is refused in words', async () => {
  // One context: both tabs share localStorage, hence the stream key.
  const context = await session.browser.newContext();
  try {
    const tabs = [await context.newPage(), await context.newPage()];
    for (const tab of tabs) {
      await tab.goto(`${session.server.url}/broadcast`);
      await tab.waitForFunction(() => window.swarmcast && !window.swarmcast.element.shadowRoot.getElementById('go-live').disabled);
    }
    await tabs[0].click('#go-live');
    await waitFor(() => tabs[0].evaluate(() => window.swarmcast.broadcaster.live), { what: 'the first tab to go live' });
    await tabs[1].click('#go-live');
    const error = await waitFor(async () => tabs[1].textContent('#error'), { what: 'the second tab to be refused' });
    assert.match(error, /already has a broadcaster/);
    assert.equal(await tabs[1].evaluate(() => window.swarmcast.broadcaster.live), false);
  } finally {
    await context.close();
  }
});

for (const source of ['camera', 'screen']) {
  test(`a ${source} broadcast plays for a viewer`, async () => {
    const broadcast = await startBroadcast(session.browser, session.server, { source });
    const viewer = await openViewer(session.browser, session.server, broadcast.streamId);
    const [start] = await waitPlaying([viewer]);
    await waitFor(async () => (await viewerStats(viewer)).currentTime > start + 2, { what: 'the video to advance' });
    assert.ok((await viewerStats(viewer)).decodedFrames > 0);
    assert.deepEqual([...broadcast.page.problems, ...viewer.problems], []);
    await viewer.close();
    await broadcast.page.close();
  });
}
