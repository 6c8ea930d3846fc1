// What JS hands the swarm engine, checked at the edge. Peer ids, times and counts cross
// into the wasm as plain numbers that the C++ side takes as given (a peer id is a
// uint64 there), so a wrong one throws a TypeError naming it here instead.
import { TrustError } from './trust.js';
/** @import { SwarmcastCore } from './index.js' */
/** @import { DeviceConstraints } from './engine.js' */

const DEVICE_DEFAULTS = Object.freeze({
  metered: false, batteryLow: false, hidden: false, uploadBudgetBytesPerS: 0, uploadChoice: 'auto',
});
// swarm::UploadChoice's values in the core.
const UPLOAD_CHOICES = Object.freeze({ auto: 0, off: 1, cap: 2 });
const UINT32_MAX = 0xffffffff;

/**
 * @param {unknown} id
 * @returns {number}
 */
export function peerId(id, what = 'a peer id') {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new TypeError(`${what} is a non-negative integer, not ${String(id)}`);
  return id;
}

/**
 * @param {unknown} ms
 * @returns {number}
 */
export function time(ms, what = 'nowMs') {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TypeError(`${what} is a finite number of ms, not ${String(ms)}`);
  }
  return ms;
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {Uint8Array}
 */
export function bytes(value, what) {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  return value;
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {number}
 */
export function count(value, what) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new TypeError(`${what} is an integer in 0..2^32-1, not ${String(value)}`);
  }
  return value;
}

/**
 * @param {DeviceConstraints} [options]
 * @returns {[boolean, boolean, boolean, number, number]}
 */
export function device(options = {}) {
  const d = { ...DEVICE_DEFAULTS, ...options };
  const budget = count(d.uploadBudgetBytesPerS, 'device.uploadBudgetBytesPerS');
  const choice = Object.hasOwn(UPLOAD_CHOICES, d.uploadChoice) ? UPLOAD_CHOICES[d.uploadChoice] : undefined;
  if (choice === undefined) throw new TypeError(`device.uploadChoice is 'auto', 'off' or 'cap', not ${String(d.uploadChoice)}`);
  return [Boolean(d.metered), Boolean(d.batteryLow), Boolean(d.hidden), budget, choice];
}

/**
 * A Uint8Array(32) public key, or a stream id (its base64url text) decoded by the core.
 * @param {SwarmcastCore} core
 * @param {unknown} key
 * @returns {Uint8Array}
 */
export function streamKey(core, key) {
  if (typeof key === 'string') {
    const decoded = core.streamKeyOf(key);
    if (!decoded) throw new TrustError('bad_stream_id', `not a stream id: ${key}`);
    return decoded;
  }
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new TypeError('streamKey is a 32-byte Uint8Array or a stream id');
  }
  return key;
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {asserts value is number}
 */
export function milliseconds(value, name) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 60_000) {
    throw new TypeError(`${name} must be an integer from 0 to 60000, not ${String(value)}`);
  }
}
