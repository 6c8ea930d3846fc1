// Headless Debian Chromium for the end-to-end tests, with the flags measured on this
// kind of machine: fake camera/screen, autoplay, no background throttling
// (several pages share one browser), loopback ICE (CI hosts may only have loopback).
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/server/server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // Host candidates as IP addresses, not mDNS names. And no omnibox popup: this
  // Chromium preloads it (two WebUI pages, in a renderer of its own) for every window,
  // and each page here is a window: with 9 pages in bench:swarm, 9 idle renderers
  // took ~2 % of a core each.
  '--disable-features=WebRtcHideLocalIpsWithMdns,WebUIOmniboxPopup,WebUIOmniboxAimPopup',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--allow-loopback-in-peer-connection',
];

// executablePath: another program that runs Chromium, e.g. a wrapper that starts it
// in a network namespace (tests/field/browsers.mjs); extraArgs go after the flags above.
/** @param {{ executablePath?: string, extraArgs?: string[] }} [options] */
export function launchChromium({ executablePath = CHROMIUM, extraArgs = [] } = {}) {
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS, ...extraArgs] });
}

// One signaling server and one Chromium shared by a test file's tests: started before
// the first, closed after the last. Read .server and .browser inside the tests.
// serverOptions go to startServer (e.g. { origin: true } for the HTTP origin).
export function serverAndBrowser(serverOptions = {}) {
  const session = { server: null, browser: null };
  before(async () => {
    session.server = await startServer({ port: 0, ...serverOptions });
    session.browser = await launchChromium();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

// A browser with a profile on disk, as a person's is: the only kind in which Chromium
// reports the manifest installable (a default context is incognito).
export function launchPersistent(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

// A page whose console errors and uncaught exceptions are collected, so a failing test
// can say what the page said. initScript runs before any of the page's own scripts
// (to instrument or sabotage browser APIs). Service workers are blocked: every page is
// its own context here, and each would precache the whole shell while the test
// measures it; tests/browser/pwa.test.mjs covers the worker.
// What Playwright itself logs in a page when it refuses a service worker.
const BLOCKED_WORKER_NOTICE = 'Service Worker registration blocked by Playwright';

export async function openPage(browser, url, { initScript } = {}) {
  const page = await browser.newPage({ viewport: { width: 480, height: 360 }, serviceWorkers: 'block' });
  if (initScript) await page.addInitScript(initScript);
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.text().startsWith(BLOCKED_WORKER_NOTICE)) return;
    if (message.type() === 'error' || message.type() === 'warning') page.problems.push(`console ${message.type()}: ${message.text()}`);
  });
  if (url) await page.goto(url);
  return page;
}

// Polls `fn` (async, returns a truthy value when done) until it succeeds or time runs out.
export async function waitFor(fn, { timeoutMs = 10_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}
