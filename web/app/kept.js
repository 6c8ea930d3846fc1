// Choices kept across visits in localStorage, where the browser allows it: with site
// data blocked localStorage throws, and the choice then lasts as long as the page.
export function readKept(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function keep(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not kept; see above.
  }
}
