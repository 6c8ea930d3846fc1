// What the engine and the server need to know about this device before asking it to
// upload, kept current for the whole session: seed only on unmetered links with battery
// above 30 % (or charging), much less from a background tab, and never more than the
// viewer's own upload setting allows. Every field is a best guess from APIs some
// browsers lack (Firefox and Safari have neither the Network Information nor the
// Battery Status API): what is missing is taken as "not metered", "mains power".
/** @import { DeviceConstraints } from '../core/index.js' */

const LOW_BATTERY = 0.3;
// A cap beyond any uplink (1 Gbit/s), and within what the wire's budget field holds.
export const MAX_UPLOAD_KBPS = 1_000_000;

/**
 * The device as read now.
 * @typedef {object} DeviceState
 * @property {boolean} metered On cellular data, or the user asked to save data.
 * @property {boolean} batteryLow Below 30 % and not charging.
 * @property {boolean} hidden The page is in a background tab, or the screen is off.
 */

/**
 * The viewer's upload setting: 'auto' (the device rules), 'off' (no upload at all), or
 * a cap in kbit/s (a whole number from 1 to MAX_UPLOAD_KBPS), which wins over the
 * device rules.
 * @typedef {'auto' | 'off' | number} UploadSetting
 */

/**
 * What is read of the Network Information and Battery Status APIs: some browsers lack
 * them, and so do TypeScript's DOM types.
 * @typedef {object} BatteryLike
 * @property {boolean} charging
 * @property {number} level 0..1
 * @property {(type: string, listener: () => void) => void} addEventListener
 * @property {(type: string, listener: () => void) => void} removeEventListener
 * @typedef {object} DeviceApis
 * @property {EventTarget & { saveData?: boolean, type?: string }} [connection]
 * @property {() => Promise<BatteryLike>} [getBattery]
 */

const BATTERY_EVENTS = ['levelchange', 'chargingchange'];

/**
 * Watches the device for the whole session: a change of network (`navigator.connection`
 * 'change'), of battery ('levelchange', 'chargingchange') or of visibility
 * ('visibilitychange') calls `onChange` with the new state, only when it differs.
 */
export class DeviceWatch {
  #onChange;
  /** @type {BatteryLike | null} */
  #battery = null;
  /** @type {DeviceState} */
  #state = { metered: false, batteryLow: false, hidden: false };
  #stopped = false;
  #listener = () => this.#update();

  /** @param {(state: DeviceState) => void} onChange */
  constructor(onChange) {
    this.#onChange = onChange;
  }

  /** @returns {DeviceState} */
  get state() {
    return this.#state;
  }

  /**
   * Reads the device and starts watching it; resolves with the state read.
   * @returns {Promise<DeviceState>}
   */
  async start() {
    const navigator = /** @type {Navigator & DeviceApis} */ (globalThis.navigator);
    if (this.#stopped) return this.#state;
    navigator.connection?.addEventListener?.('change', this.#listener);
    document.addEventListener('visibilitychange', this.#listener);
    try {
      const battery = await navigator.getBattery?.();
      if (battery && !this.#stopped) {
        this.#battery = battery;
        for (const type of BATTERY_EVENTS) battery.addEventListener(type, this.#listener);
      }
    } catch {
      // No Battery Status API (or refused): mains power, as above.
    }
    this.#state = this.#read();
    return this.#state;
  }

  stop() {
    this.#stopped = true;
    const navigator = /** @type {Navigator & DeviceApis} */ (globalThis.navigator);
    navigator.connection?.removeEventListener?.('change', this.#listener);
    document.removeEventListener('visibilitychange', this.#listener);
    for (const type of BATTERY_EVENTS) this.#battery?.removeEventListener(type, this.#listener);
    this.#battery = null;
  }

  /** @returns {DeviceState} */
  #read() {
    const connection = /** @type {Navigator & DeviceApis} */ (globalThis.navigator).connection;
    const battery = this.#battery;
    return {
      metered: Boolean(connection?.saveData || connection?.type === 'cellular'),
      batteryLow: battery ? !battery.charging && battery.level < LOW_BATTERY : false,
      hidden: document.visibilityState === 'hidden',
    };
  }

  #update() {
    if (this.#stopped) return;
    const next = this.#read();
    const now = this.#state;
    if (next.metered === now.metered && next.batteryLow === now.batteryLow && next.hidden === now.hidden) return;
    this.#state = next;
    this.#onChange(next);
  }
}

/**
 * This device as the engine and the server weigh it, read once (the broadcaster's: the
 * source keeps serving whatever its device says).
 * @returns {Promise<DeviceConstraints>}
 */
export async function deviceConstraints() {
  const watch = new DeviceWatch(() => {});
  const state = await watch.start();
  watch.stop();
  return uploadConstraints(state, 'auto');
}

/**
 * The engine's constraints for a device state under the viewer's upload setting.
 * @param {DeviceState} state
 * @param {UploadSetting} setting
 * @returns {DeviceConstraints}
 */
export function uploadConstraints(state, setting) {
  const capped = typeof setting === 'number';
  return {
    ...state,
    uploadChoice: capped ? 'cap' : setting,
    // kbit/s to bytes/s.
    uploadBudgetBytesPerS: capped ? Math.round(setting * 125) : 0,
  };
}

/**
 * An upload setting from an attribute, a stored choice or a property: 'auto', 'off', or
 * a whole number of kbit/s (as a number or its decimal text) from 1 to MAX_UPLOAD_KBPS.
 * Null for anything else.
 * @param {unknown} value
 * @returns {UploadSetting | null}
 */
export function parseUploadSetting(value) {
  if (value === 'auto' || value === 'off') return value;
  const kbps = typeof value === 'string' && /^[0-9]{1,7}$/.test(value) ? Number(value) : value;
  return typeof kbps === 'number' && Number.isInteger(kbps) && kbps >= 1 && kbps <= MAX_UPLOAD_KBPS ? kbps : null;
}
