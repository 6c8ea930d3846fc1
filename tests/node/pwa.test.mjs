// The PWA's static half: the service worker's shell list names every file the pages
// load (so an offline load cannot miss one), the manifest points at icons the server
// draws, and the icons are what they claim to be.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { startServer } from '../../tools/server/server.js';
import { ICON_SIZES } from '../../tools/server/icon.js';
import { VENDOR_FILES } from '../../tools/server/static.js';
import { root } from './helpers.mjs';

const sw = readFileSync(join(root, 'web/sw.js'), 'utf8');
const shell = JSON.parse(sw.match(/const SHELL = (\[[^\]]*\]);/)[1]
  .replace(/WATCH_PAGE/g, '"/watch.html"').replace(/'/g, '"').replace(/,\s*\]/, ']'));

let server;
after(() => server?.close());

test('the shell lists every page, script, vendor file and the wasm build, and nothing that does not exist', () => {
  const expected = ['/', '/broadcast', '/watch.html', '/manifest.webmanifest',
    '/build/wasm/swarmcast.mjs', '/build/wasm/swarmcast.wasm'];
  for (const folder of ['web/app', 'web/shim', 'web/core', 'web/elements']) {
    for (const name of readdirSync(join(root, folder))) {
      if (name.endsWith('.js') || name.endsWith('.css')) expected.push(`/${folder}/${name}`);
    }
  }
  for (const [name, files] of Object.entries(VENDOR_FILES)) expected.push(...[...files].map((file) => `/vendor/${name}/${file}`));
  for (const path of expected) assert.ok(shell.includes(path), `sw.js SHELL lacks ${path}`);
  for (const path of shell.filter((p) => p.startsWith('/web/') || p.startsWith('/vendor/'))) {
    assert.ok(expected.includes(path), `sw.js SHELL names ${path}, which is not in web/ or VENDOR_FILES`);
  }
});

test('the manifest names icons the server serves, at their stated sizes', async () => {
  server = await startServer({ port: 0, host: '127.0.0.1', core: await loadCoreForNode() });
  const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
  assert.equal(manifest.start_url, '/');
  assert.equal(manifest.display, 'standalone');
  const pngs = manifest.icons.filter((icon) => icon.type === 'image/png');
  assert.deepEqual(pngs.map((icon) => icon.sizes), ICON_SIZES.map((n) => `${n}x${n}`));
  for (const icon of manifest.icons) {
    assert.ok(shell.includes(icon.src), `the shell caches ${icon.src}`);
    const response = await fetch(server.url + icon.src);
    assert.equal(response.status, 200, icon.src);
    assert.equal(response.headers.get('content-type'), icon.type);
    const body = Buffer.from(await response.arrayBuffer());
    if (icon.type === 'image/svg+xml') {
      assert.match(body.toString(), /^<svg [^>]*viewBox="0 0 512 512"/);
      continue;
    }
    // PNG: signature, IHDR size, and an IDAT that inflates to size rows of RGB.
    assert.deepEqual([...body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [width, height] = [body.readUInt32BE(16), body.readUInt32BE(20)];
    assert.equal(`${width}x${height}`, icon.sizes);
    const idatLength = body.readUInt32BE(33);
    assert.equal(body.toString('latin1', 37, 41), 'IDAT');
    assert.equal(inflateSync(body.subarray(41, 41 + idatLength)).length, height * (1 + width * 3));
  }
  assert.equal((await fetch(`${server.url}/icons/icon-64.png`)).status, 404);
});
