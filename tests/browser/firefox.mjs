// Headless Debian Firefox ESR for the mixed-engine tests, driven over WebDriver BiDi by
// puppeteer-core (playwright-core drives only Playwright's own patched Firefox builds).
// The prefs are the ones measured on this kind of machine: autoplay allowed, host
// candidates as IP addresses on loopback (not obfuscated mDNS names), fake devices
// without a permission prompt. Each launch gets a fresh temporary profile.
import puppeteer from 'puppeteer-core';

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
