// What the live list (GET /api/streams, the / page) shows of a broadcast: its title,
// its tags, and a thumbnail of the picture refreshed every few seconds. The server
// keeps them only while the broadcaster is connected, so they are sent again after
// every (re)connection.
import { toBase64url } from './base64url.js';

/**
 * The title and tags the live list shows; tags as an array, or one comma-separated string.
 * @typedef {object} StreamDescription
 * @property {string} [title]
 * @property {string[] | string} [tags]
 */

/**
 * A description as kept and sent: the title trimmed to 80 characters, the tags
 * normalised (normalizeTags).
 * @typedef {{ title: string, tags: string[] }} Listing
 */

/**
 * A message for the signaling server; false when it was not sent (not connected).
 * @typedef {(message: { type: 'describe', title: string, tags: string[] } | { type: 'thumbnail', jpeg: string }) => boolean} SendListing
 */

/**
 * @typedef {object} ListingOptions
 * @property {number} [thumbnailIntervalMs] How often a thumbnail is sent while live.
 * @property {number} [minThumbnailGapMs] The least time between two thumbnails.
 * @property {number} [thumbnailWidth] In pixels; the height keeps the picture's shape.
 * @property {number} [thumbnailQuality] JPEG quality, 0-1.
 * @property {number} [thumbnailMaxBytes] A larger picture is sent smaller.
 */

/** @type {Readonly<Required<ListingOptions>>} */
export const LISTING_DEFAULTS = Object.freeze({
  thumbnailIntervalMs: 10_000,
  minThumbnailGapMs: 6_000,     // the server takes at most one per 5 s
  thumbnailWidth: 320,
  thumbnailQuality: 0.7,
  thumbnailMaxBytes: 40 * 1024, // the server's limit: a larger picture is sent smaller
});

const MAX_TITLE = 80;
const MAX_TAGS = 5;
const MAX_TAG = 24;

/**
 * "Live Music, jazz  ,Late night!" → ['live-music', 'jazz', 'late-night']: what the
 * server accepts (lowercase letters, digits and inner hyphens), at most five, no repeats.
 * @param {unknown} input an array of words, or one comma-separated string
 * @returns {string[]}
 */
export function normalizeTags(input) {
  const words = Array.isArray(input) ? input : String(input ?? '').split(',');
  const tags = words
    // Trimmed of hyphens after the cut too, so a cut never leaves one at the end.
    .map((word) => String(word).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, MAX_TAG).replace(/-+$/, ''))
    .filter(Boolean);
  return [...new Set(tags)].slice(0, MAX_TAGS);
}

/**
 * Whitespace runs made one space, trimmed, at most 80 characters.
 * @param {unknown} input
 * @returns {string}
 */
export function normalizeTitle(input) {
  return String(input ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE);
}

export class StreamListing {
  #send;
  #options;
  /** @type {HTMLVideoElement | null} */
  #video = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #timer = undefined;
  #lastThumbnailAt = -Infinity;
  /** @type {Listing} */
  #description = { title: '', tags: [] };

  /**
   * @param {SendListing} send delivers a signaling message
   * @param {ListingOptions} [options]
   */
  constructor(send, options = {}) {
    this.#send = send;
    this.#options = { ...LISTING_DEFAULTS, ...options };
  }

  /** @returns {Listing} */
  get description() {
    return { ...this.#description, tags: [...this.#description.tags] };
  }

  /** @param {StreamDescription} [description] */
  describe({ title = '', tags = [] } = {}) {
    this.#description = { title: normalizeTitle(title), tags: normalizeTags(tags) };
    this.announce();
  }

  // Sends the description and a fresh thumbnail; call after each welcome.
  announce() {
    this.#send({ type: 'describe', ...this.#description });
    this.#sendThumbnail();
  }

  /**
   * Thumbnails from `stream` (replacing any earlier one) from now on.
   * @param {MediaStream} stream
   */
  watch(stream) {
    const video = this.#video ?? Object.assign(document.createElement('video'), { muted: true, playsInline: true });
    this.#video = video;
    video.srcObject = stream;
    video.play().catch(() => {});
    // The list shows the new picture as soon as there is one.
    video.addEventListener('loadeddata', () => this.#sendThumbnail(), { once: true });
    this.#timer ??= setInterval(() => this.#sendThumbnail(), this.#options.thumbnailIntervalMs);
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#video) this.#video.srcObject = null;
    this.#video = null;
  }

  async #sendThumbnail() {
    const previous = this.#lastThumbnailAt;
    if (performance.now() - previous < this.#options.minThumbnailGapMs) return;
    // Taken before the picture is made: a second call meanwhile (a welcome while the
    // periodic one encodes) would send a second thumbnail, refused as too soon.
    this.#lastThumbnailAt = performance.now();
    const jpeg = await this.#snapshot();
    if (!jpeg || !this.#send({ type: 'thumbnail', jpeg: toBase64url(jpeg) })) this.#lastThumbnailAt = previous;
  }

  /**
   * The current frame as a JPEG no larger than the server takes, or null (no picture yet).
   * @returns {Promise<Uint8Array | null>}
   */
  async #snapshot() {
    const video = this.#video;
    if (!video?.videoWidth) return null;
    const { thumbnailWidth, thumbnailQuality, thumbnailMaxBytes } = this.#options;
    for (let width = thumbnailWidth; width >= 80; width = Math.round(width / 2)) {
      const canvas = new OffscreenCanvas(width, Math.max(2, Math.round((width * video.videoHeight) / video.videoWidth)));
      // A new canvas always has a 2D context to give.
      /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d')).drawImage(video, 0, 0, canvas.width, canvas.height);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: thumbnailQuality });
      if (blob.size <= thumbnailMaxBytes) return new Uint8Array(await blob.arrayBuffer());
    }
    return null;
  }
}
