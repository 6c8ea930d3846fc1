// Choices kept across visits in localStorage, where the browser allows it: with site
// data blocked localStorage throws, and the choice then lasts as long as the page.

/**
 * The value kept under `key`, or null when there is none or storage is refused.
 * @param {string} key
 * @returns {string | null}
 */
export function readKept(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * Keeps `value` under `key` when the browser allows it.
 * @param {string} key
 * @param {string} value
 */
export function keep(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not kept; see above.
  }
}
