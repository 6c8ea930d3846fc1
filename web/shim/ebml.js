// The two EBML number forms the player's WebM reader (webm-time.js) needs: the
// variable-length integer that prefixes every element id and size, and the big-endian
// unsigned integer of an element's data.

/**
 * @param {number | undefined} first the vint's first byte
 * @returns {number} the length of the variable-length integer it starts (0: none)
 */
export function vintLength(first) {
  return first === undefined || first === 0 ? 0 : Math.clz32(first) - 23;
}

/**
 * An EBML variable-length size at `at`: { value, length }, or null past the end.
 * @param {Uint8Array} bytes
 * @param {number} at
 * @returns {{ value: number, length: number } | null}
 */
export function readVint(bytes, at) {
  const length = vintLength(bytes[at]);
  if (length === 0 || at + length > bytes.length) return null;
  let value = bytes[at] & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + bytes[at + i];
  return { value, length };
}

/**
 * @param {Uint8Array} bytes
 * @param {number} at
 * @param {number} length
 * @returns {number}
 */
export function readUint(bytes, at, length) {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + bytes[at + i];
  return value;
}
