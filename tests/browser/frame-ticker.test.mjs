// The frame ticker that paints the test pattern and the picture-in-picture canvas: it
// keeps its rate from a worker, and a page that was busy gets one frame to paint, not
// the burst of ticks that queued up meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage } from './launch.mjs';

const session = serverAndBrowser();

test('the frame ticker keeps its rate and does not burst after a busy page', async () => {
  const page = await openPage(session.browser, `${session.server.url}/`);
  const { inOneSecond, afterBlock } = await page.evaluate(async () => {
    const { frameTicker } = await import('/web/shim/frame-ticker.js');
    let ticks = 0;
    const ticker = frameTicker(30, () => { ticks++; });
    const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    await wait(200);
    const atStart = ticks;
    await wait(1000);
    const inOneSecond = ticks - atStart;
    const beforeBlock = ticks;
    const until = performance.now() + 500;
    while (performance.now() < until);  // the page busy: the worker's ticks queue up
    await wait(20);
    const afterBlock = ticks - beforeBlock;
    ticker.stop();
    return { inOneSecond, afterBlock };
  });
  assert.ok(inOneSecond >= 25 && inOneSecond <= 31, `ticks in one second: ${inOneSecond}`);
  assert.ok(afterBlock <= 2, `ticks right after a 500 ms block: ${afterBlock} (15 queued)`);
  assert.deepEqual(page.problems, []);
});

test('on a page whose Content-Security-Policy refuses blob: workers, the ticker runs from the page\'s own timer', async () => {
  const page = await openPage(session.browser);
  const url = `${session.server.url}/strict-csp`;
  await page.route(url, (route) => route.fulfill({
    contentType: 'text/html', body: '<!doctype html><title>strict</title>',
    headers: { 'Content-Security-Policy': "worker-src 'none'" },
  }));
  await page.goto(url);
  const inOneSecond = await page.evaluate(async () => {
    const { frameTicker } = await import('/web/shim/frame-ticker.js');
    let ticks = 0;
    const ticker = frameTicker(30, () => { ticks++; });
    const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    await wait(200);
    const atStart = ticks;
    await wait(1000);
    ticker.stop();
    return ticks - atStart;
  });
  assert.ok(page.problems.some((problem) => problem.includes('worker-src')), `the worker was refused: ${page.problems}`);
  assert.ok(inOneSecond >= 25 && inOneSecond <= 31, `ticks in one second: ${inOneSecond}`);
});
