// The npm package as a web developer gets it: `npm pack` (its prepack builds the wasm
// and the declarations), the tarball installed into a copy of examples/vite-embed with
// Vite (never a path into this repository), `vite build`, the example's own server.js
// serving dist/ with swarmcast/server attached to it, and then in Chromium: the
// example's broadcast page goes live with the test pattern and its player page plays
// it, frames decoded and time advancing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { launchChromium, openPage, waitFor } from './launch.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The Vite the repository's own install put in the npm cache, so the install below
// needs no network when the cache is warm.
const viteVersion = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages['node_modules/vite'].version;

// Runs a command; on failure, the error says what it printed.
async function run(command, args, cwd) {
  try {
    await promisify(execFile)(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${error.stdout}\n${error.stderr}`);
  }
}

// Starts the example's server.js on a free port; resolves with its URL.
function startSite(site) {
  const server = spawn(process.execPath, ['server.js'], { cwd: site, env: { ...process.env, PORT: '0' } });
  let output = '';
  const url = new Promise((resolve, reject) => {
    server.stdout.on('data', (data) => {
      output += data;
      const found = output.match(/http:\/\/\S+\//);
      if (found) resolve(found[0]);
    });
    server.stderr.on('data', (data) => { output += data; });
    server.on('exit', (code) => reject(new Error(`server.js exited (${code}): ${output}`)));
  });
  return { server, url };
}

// What the example's player shows: decoded frames and the playback position.
function playback(page) {
  return page.evaluate(() => {
    const video = document.querySelector('swarmcast-player')?.shadowRoot?.querySelector('video');
    return video ? { frames: video.getVideoPlaybackQuality().totalVideoFrames, time: video.currentTime } : null;
  });
}

test('the packed tarball, installed into the Vite example and built, plays the test pattern', { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'swarmcast-package-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  await run('npm', ['pack', '--pack-destination', work], root);
  const tarball = join(work, `${pkg.name}-${pkg.version}.tgz`);
  const site = join(work, 'site');
  cpSync(join(root, 'examples/vite-embed'), site, { recursive: true, filter: (path) => !/[/\\](node_modules|dist)$/.test(path) });
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `vite@${viteVersion}`], site);
  assert.ok(!lstatSync(join(site, 'node_modules', pkg.name)).isSymbolicLink(), 'the package is a copy from the tarball, not a link');
  await run('npx', ['--no', 'vite', 'build'], site);

  const { server, url: siteUrl } = startSite(site);
  t.after(() => server.kill());
  const url = await siteUrl;
  const browser = await launchChromium();
  t.after(() => browser.close());

  const broadcastPage = await openPage(browser, `${url}broadcast.html`);
  await broadcastPage.locator('swarmcast-broadcaster #source').selectOption('test');
  await broadcastPage.locator('swarmcast-broadcaster #go-live').click();
  const shareLink = await waitFor(() => broadcastPage.locator('swarmcast-broadcaster #share-link').inputValue(),
    { timeoutMs: 20_000, what: 'the share link of the live stream' });
  assert.ok(shareLink.startsWith(`${url}?stream=`), shareLink);

  const watchPage = await openPage(browser, shareLink);
  const first = await waitFor(async () => {
    const now = await playback(watchPage);
    return now && now.frames > 0 && now.time > 0 ? now : null;
  }, { timeoutMs: 30_000, what: `decoded frames in the example's player (page said: ${watchPage.problems.join('; ')})` });
  const later = await waitFor(async () => {
    const now = await playback(watchPage);
    return now && now.frames > first.frames + 10 && now.time > first.time + 1 ? now : null;
  }, { timeoutMs: 15_000, what: 'the player to keep decoding frames and advancing' });
  assert.ok(later.time > first.time);
  const crashes = [...broadcastPage.problems, ...watchPage.problems].filter((problem) => problem.startsWith('pageerror'));
  assert.deepEqual(crashes, []);
});
