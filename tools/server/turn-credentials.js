// TURN credentials minted per client, in the TURN REST scheme coturn checks with
// use-auth-secret / static-auth-secret: the username is "<expiry>:<name>" (expiry in
// Unix seconds) and the password base64(HMAC-SHA1(secret, username)). The TURN server
// needs no list of users, a credential stops working by itself, and the secret never
// leaves this server.
import { createHmac } from 'node:crypto';

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

/**
 * A TURN server whose credentials the signaling server mints for each client.
 * @typedef {object} TurnOptions
 * @property {string | string[]} urls its turn:/turns: URL(s), e.g. 'turn:turn.example.org:3478'
 * @property {string} secret its static-auth-secret
 * @property {number} [ttlSeconds] how long a minted credential lasts (default 86400)
 */

/**
 * @typedef {object} ResolvedTurn
 * @property {string[]} urls
 * @property {string} secret
 * @property {number} ttlSeconds
 */

/**
 * Checks createServer's `turn` option; a TypeError names the wrong field.
 * @param {unknown} turn
 * @returns {ResolvedTurn}
 */
export function checkTurn(turn) {
  if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) {
    throw new TypeError("turn must be an object like { urls: 'turn:…', secret: '…' }");
  }
  const { urls, secret, ttlSeconds = DEFAULT_TTL_SECONDS, ...rest } = /** @type {Record<string, unknown>} */ (turn);
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new TypeError(`turn.${unknown} is not a turn option (known: urls, secret, ttlSeconds)`);
  const urlList = Array.isArray(urls) ? urls : [urls];
  if (urlList.length === 0 || !urlList.every((url) => typeof url === 'string' && /^turns?:[^\s]+$/.test(url))) {
    throw new TypeError('turn.urls must be a turn:/turns: URL or a list of them');
  }
  if (typeof secret !== 'string' || secret === '') throw new TypeError('turn.secret must be a non-empty string');
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new TypeError('turn.ttlSeconds must be a whole number of seconds ≥ 1');
  }
  return { urls: /** @type {string[]} */ (urlList), secret, ttlSeconds };
}

/**
 * The TURN server as one client gets it, with a credential of its own.
 * @param {ResolvedTurn} turn
 * @param {string} name who the credential is for (it shows in the TURN server's log)
 * @param {number} nowMs
 * @returns {{ urls: string[], username: string, credential: string }}
 */
export function mintTurnServer(turn, name, nowMs) {
  const username = `${Math.floor(nowMs / 1000) + turn.ttlSeconds}:${name}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential };
}
