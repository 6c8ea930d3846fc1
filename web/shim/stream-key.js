// The broadcaster's stream key: a 32-byte Ed25519 seed kept in localStorage, so the
// stream id (its public key) and the share link stay the same for this browser. Whoever
// holds the seed can publish as this stream; it never leaves the page.
import { randomSeed } from '../core/index.js';
import { fromBase64url, toBase64url } from './base64url.js';

const STORAGE_KEY = 'swarmcast.streamKey';

/**
 * The broadcaster's 32-byte stream key, created once and kept in `storage`.
 * @param {Storage | undefined} [storage]
 * @returns {Uint8Array}
 */
export function loadOrCreateSeed(storage = globalThis.localStorage) {
  const saved = fromBase64url(storage?.getItem(STORAGE_KEY) ?? '');
  if (saved?.length === 32) return saved;
  const seed = randomSeed();
  storage?.setItem(STORAGE_KEY, toBase64url(seed));
  return seed;
}
