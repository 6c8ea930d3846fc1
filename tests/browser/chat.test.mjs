// The chat through the swarm, as people use it from the pages: a viewer's line reaches
// the other viewers and the broadcaster over the peer links, the broadcaster's line
// carries its badge, reactions travel the same way, a viewer who joins later is
// handed the recent lines by its peers, and a flood is held back in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, startBroadcast, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

const chatOf = (page) => page.evaluate(() => [...document.querySelectorAll('#chat-lines .chat-line')].map((line) => ({
  name: line.querySelector('.chat-name').firstChild.textContent, text: line.querySelector('.chat-text').textContent,
  badge: line.querySelector('.chat-badge') !== null, mine: line.classList.contains('mine'),
})));

async function say(page, name, text) {
  await page.fill('#chat-name', name);
  await page.dispatchEvent('#chat-name', 'change');
  await page.fill('#chat-text', text);
  await page.press('#chat-text', 'Enter');
}

const waitForLine = (page, text, what) =>
  waitFor(async () => (await chatOf(page)).find((line) => line.text === text), { timeoutMs: 8000, what });

test('chat lines and reactions reach every page through the swarm, and a late joiner gets the recent ones', async () => {
  const { browser, server } = session;
  const broadcast = await startBroadcast(browser, server);
  const viewers = [];
  for (let i = 0; i < 3; i++) viewers.push(await openViewer(browser, server, broadcast.streamId));
  await waitPlaying(viewers, 15_000);

  await say(viewers[0], 'Ana', 'hello from the swarm ✨');
  for (const [i, page] of [broadcast.page, ...viewers].entries()) {
    const line = await waitForLine(page, 'hello from the swarm ✨', `page ${i} to get Ana's line`);
    assert.deepEqual(line, { name: 'Ana', text: 'hello from the swarm ✨', badge: false, mine: page === viewers[0] });
  }
  assert.equal(await viewers[0].inputValue('#chat-text'), '', 'the box is cleared once sent');

  await say(broadcast.page, 'Host', 'thanks for watching');
  for (const page of viewers) {
    assert.equal((await waitForLine(page, 'thanks for watching', 'the broadcaster\'s line')).badge, true);
  }
  await viewers[2].click('#chat-reactions button[aria-label="React 🔥"]');
  for (const page of [broadcast.page, viewers[0]]) await waitForLine(page, '🔥', 'the reaction');

  const late = await openViewer(browser, server, broadcast.streamId);
  await waitPlaying([late], 15_000);
  for (const text of ['hello from the swarm ✨', 'thanks for watching', '🔥']) await waitForLine(late, text, `the late joiner to get "${text}"`);

  // Past the burst (8 lines sent in one go, as a script would), the page says why its
  // lines are not sent, and keeps the one refused in the box.
  await say(viewers[1], 'Flo', 'line 0');
  await viewers[1].evaluate(() => {
    for (let n = 1; n < 8; n++) {
      document.getElementById('chat-text').value = `line ${n}`;
      document.getElementById('chat-form').requestSubmit();
    }
  });
  assert.equal(await viewers[1].textContent('#chat-status'), 'Slow down: a line a second.');
  assert.equal(await viewers[1].inputValue('#chat-text'), 'line 7');
  await waitForLine(viewers[0], 'line 4', 'the lines within the burst');
  assert.deepEqual((await chatOf(viewers[1])).filter((line) => line.name === 'Flo').map((line) => line.text),
    ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  for (const page of [broadcast.page, ...viewers, late]) assert.deepEqual(page.problems, []);
});
