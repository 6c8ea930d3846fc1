// Headless Debian Firefox ESR for the mixed-engine tests, driven over WebDriver BiDi by
// puppeteer-core (playwright-core drives only Playwright's own patched Firefox builds).
// The prefs are the ones measured on this kind of machine: autoplay allowed, host
// candidates as IP addresses on loopback (not obfuscated mDNS names), fake devices
// without a permission prompt. Each launch gets a fresh temporary profile.
import { before, after, test } from 'node:test';
import puppeteer from 'puppeteer-core';
import { launchChromium, openPage } from './launch.mjs';
import { startServer } from '../../tools/server/server.js';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/lib/firefox-esr/firefox-esr';

export const FIREFOX_PREFS = {
  'media.autoplay.default': 0,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.peerconnection.ice.loopback': true,
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
};

export function launchFirefox() {
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, extraPrefsFirefox: FIREFOX_PREFS });
}

// A Firefox page whose console errors and warnings and uncaught exceptions are
// collected in page.problems, as openPage does for Chromium. initScript (a function)
// runs before any of the page's own scripts. Each page gets a window of its own, so
// every page is visible, as Chromium's are under its no-backgrounding flags: a tab
// opened after it would hide it, and Firefox slows a hidden page's timers to about
// one run a second. `tab: true` opens it as a tab of the current window instead (the
// next tab hides it).
export async function openFirefoxPage(browser, url, { initScript, tab = false } = {}) {
  const page = await browser.newPage(tab ? { type: 'tab' } : { type: 'window' });
  await page.setViewport({ width: 480, height: 360 });
  if (initScript) await page.evaluateOnNewDocument(initScript);
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warn') page.problems.push(`console ${message.type()}: ${message.text()}`);
  });
  if (url) await page.goto(url);
  return page;
}

// The broadcast page in Firefox, live from `source` ('test' or 'camera': Firefox's fake
// devices): as startBroadcast (pages.mjs) does in Chromium, through the element's UI.
export async function startFirefoxBroadcast(browser, server, { source = 'test' } = {}) {
  const page = await openFirefoxPage(browser, `${server.url}/broadcast`);
  await page.waitForFunction(() => window.swarmcast && !window.swarmcast.element.shadowRoot.getElementById('go-live').disabled,
    { timeout: 20_000 });
  await page.select('>>> #source', source);
  await page.click('>>> #go-live');
  await page.waitForFunction(() => window.swarmcast.broadcaster.live, { timeout: 20_000 });
  const streamId = await page.evaluate(() => window.swarmcast.broadcaster.streamId);
  return { page, streamId };
}

// A signaling server, a Chromium and a Firefox for a test file's mixed-engine tests:
// started before its first test and closed after its last.
export function mixedEngineSession() {
  const session = { server: null, chromium: null, firefox: null };
  before(async () => {
    session.server = await startServer({ port: 0 });
    session.chromium = await launchChromium();
    session.firefox = await launchFirefox();
  });
  after(async () => {
    await session.firefox?.close();
    await session.chromium?.close();
    await session.server?.close();
  });
  return session;
}

// Two tests, `${engine}: ${title}` for Chromium and for Firefox: each runs pageFunction
// in a blank page of the session's browser of that engine and hands check what it
// returned and the page's problems.
export function testInEachEngine(session, titles, pageFunction, check) {
  test(`Chromium: ${titles.chromium}`, async () => {
    const page = await openPage(session.chromium, `${session.server.url}/`);
    check(await page.evaluate(pageFunction), page.problems);
  });
  test(`Firefox: ${titles.firefox}`, async () => {
    const page = await openFirefoxPage(session.firefox, `${session.server.url}/`);
    check(await page.evaluate(pageFunction), page.problems);
    await page.close();
  });
}
