// Text encodings for manifests and key files.
/** @param {Uint8Array} bytes */
export const toHex = (bytes) => Buffer.from(bytes).toString('hex');
/** @param {Uint8Array} bytes */
export const toBase64url = (bytes) => Buffer.from(bytes).toString('base64url');

/**
 * Strict: returns null unless `text` is canonical unpadded base64url.
 * @param {unknown} text
 * @returns {Uint8Array | null}
 */
export function fromBase64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  return toBase64url(bytes) === text ? bytes : null;
}

/**
 * @param {unknown} text
 * @returns {Uint8Array | null}
 */
export function fromHex(text) {
  if (typeof text !== 'string' || !/^([0-9a-f]{2})*$/.test(text)) return null;
  return new Uint8Array(Buffer.from(text, 'hex'));
}
