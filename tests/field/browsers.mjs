// The programs of the field: the signaling server and coturn in the server namespace,
// and one Chromium process per host namespace, started by playwright-core through a
// generated wrapper (`exec ip netns exec <ns> chromium "$@"`) so the automation pipe
// and every flag pass straight through.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, launchChromium } from '../browser/launch.mjs';
import { SERVER_ADDRESS } from './netns.mjs';
import { startTurn } from './turn.mjs';

const SIGNAL_SERVER = fileURLToPath(new URL('./signal-server.mjs', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/**
 * The signaling server in the server namespace, with coturn beside it when `turn`:
 * every client is then handed the STUN address and a TURN credential of its own.
 * @param {import('./netns.mjs').Field} field
 * @param {{ turn?: boolean }} [options]
 * @returns {Promise<{ url: string, turnLog: () => string }>}
 */
export async function startServers(field, { turn = false } = {}) {
  /** @type {Record<string, unknown>} */
  const options = {};
  let turnLog = () => '';
  if (turn) {
    const { urls, secret, log } = await startTurn(field);
    turnLog = log;
    options.iceServers = [{ urls: `stun:${SERVER_ADDRESS}:3478` }];
    options.turn = { urls, secret, ttlSeconds: 3600 };
  }
  const child = field.spawn(field.serverNs, process.execPath, [SIGNAL_SERVER, JSON.stringify(options), SERVER_ADDRESS]);
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the signaling server did not start in ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
    /** @param {Buffer} data */
    const read = (data) => {
      output += data;
      const listening = /listening (\S+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the signaling server exited (${code}): ${output}`));
    });
  });
  return { url, turnLog };
}

/**
 * A Chromium of its own in `host`'s namespace. Pages come from `serverUrl`, plain
 * HTTP on an address that is not localhost: the flag makes it a secure context, as
 * the site is over HTTPS in the field.
 * @param {import('./netns.mjs').Field} field
 * @param {import('./netns.mjs').Host} host
 * @param {string} serverUrl
 */
export async function launchIn(field, host, serverUrl) {
  const wrapper = join(field.tempDir, `chromium-${host.name}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${host.ns}' '${CHROMIUM}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await launchChromium({ executablePath: wrapper, extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${new URL(serverUrl).origin}`] });
  field.adopt(() => browser.close());
  return browser;
}
