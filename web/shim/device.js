// What the engine and the server need to know about this device before asking it to
// upload (brief: seed only on unmetered links with battery above ~30 %, much less when
// backgrounded). Every field is a best guess from APIs some browsers lack.
const LOW_BATTERY = 0.3;

/**
 * What is read of the Network Information and Battery Status APIs: some browsers lack
 * them, and so do TypeScript's DOM types.
 * @typedef {object} DeviceApis
 * @property {{ saveData?: boolean, type?: string }} [connection]
 * @property {() => Promise<{ charging: boolean, level: number }>} [getBattery]
 */

/**
 * This device as the engine and the server weigh it.
 * @returns {Promise<import('../core/index.js').DeviceConstraints>}
 */
export async function deviceConstraints() {
  const navigator = /** @type {Navigator & DeviceApis} */ (globalThis.navigator);
  const connection = navigator.connection;
  const metered = Boolean(connection?.saveData || connection?.type === 'cellular');
  let batteryLow = false;
  try {
    const battery = await navigator.getBattery?.();
    if (battery) batteryLow = !battery.charging && battery.level < LOW_BATTERY;
  } catch {
    // No Battery Status API (Firefox, Safari): assume mains power.
  }
  return { metered, batteryLow, hidden: document.visibilityState === 'hidden', uploadBudgetBytesPerS: 0 };
}
