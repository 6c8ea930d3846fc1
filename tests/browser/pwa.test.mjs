// The PWA: an installable manifest with icons, and a service worker that keeps the app
// shell so /broadcast, / and /watch/<id> load with the server gone, while live data
// (/api/...) is never answered from its cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../tools/server/server.js';
import { launchPersistent, waitFor } from './launch.mjs';

let server;
let context;
let profile;
before(async () => {
  server = await startServer({ port: 0, host: '127.0.0.1' });
  profile = await mkdtemp(join(tmpdir(), 'swarmcast-pwa-'));
  context = await launchPersistent(profile);
});
after(async () => {
  await context?.close();
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

test('the manifest is installable, the worker caches the shell, and the pages load offline', async () => {
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${server.url}/broadcast`);
  await page.waitForFunction(() => window.swarmcast && !window.swarmcast.element.shadowRoot.getElementById('go-live').disabled);
  // Ready = installed (the shell precached) and active; then it controls this page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await waitFor(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { what: 'the worker to take control' });

  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, [], 'Chromium finds the manifest installable');
  const { url: manifestUrl } = await cdp.send('Page.getAppManifest');
  assert.match(manifestUrl, /\/manifest\.webmanifest$/);

  const port = server.port;
  await server.close();
  server = null;
  await page.reload();
  await page.waitForFunction(() => window.swarmcast && !window.swarmcast.element.shadowRoot.getElementById('go-live').disabled, null, { timeout: 10_000 });
  assert.equal(await page.textContent('#error'), '', 'the broadcast page started from the cache');
  assert.equal(await page.evaluate(() => fetch('/api/streams').then(() => 'answered', () => 'failed')), 'failed',
    'the stream registry is never served from the cache');

  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('#list-error:not(:empty)');
  assert.match(await page.textContent('#list-error'), /Cannot load the live list/);
  await page.goto(`http://127.0.0.1:${port}/watch/not-a-stream`);
  await page.waitForFunction(() => /Not a stream link/.test(document.querySelector('swarmcast-player').shadowRoot.getElementById('status').textContent));
  assert.deepEqual(problems, []);
});
