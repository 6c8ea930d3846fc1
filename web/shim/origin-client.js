// The server's optional HTTP origin as the shim sees it (docs/SIGNALING.md, "HTTP
// origin"): the broadcaster PUTs each signed init segment and chunk; a viewer GETs
// what its engine asks for (engine.takeHttpFetches). A body is the signed header
// followed by the payload, kept byte for byte, so the viewer's engine verifies it like
// bytes from a peer. Neither side retries here: a lost PUT leaves a gap that peers
// fill, and the engine asks again for a GET that brought nothing.
/** @import { SwarmcastCore, HttpFetch } from '../core/index.js' */

/**
 * What a GET brought: a signed header and its payload (chunk, init), or the index.
 * @typedef {{ header: Uint8Array, payload: Uint8Array } | { chunks: number[] }} OriginAnswer
 */

const ORIGIN_DEFAULTS = Object.freeze({
  maxPutsInFlight: 4,  // a slow origin gets the newest chunks, not a growing queue
  timeoutMs: 5000,
});

/** @param {'chunk' | 'init'} kind */
const routeOf = (kind) => (kind === 'init' ? 'init' : 'chunks');

export class OriginClient {
  #signalingUrl;
  #streamPath;
  #headerSize;
  #options;
  #putsInFlight = 0;

  /**
   * @param {SwarmcastCore} core
   * @param {string | (() => string)} signalingUrl ws(s)://host/signal, or what gives the one in use now (the
   *   signaling connection may move between instances): the origin is http(s)://host/api/streams/<id> of it.
   * @param {string} streamId
   * @param {Partial<typeof ORIGIN_DEFAULTS>} [options]
   */
  constructor(core, signalingUrl, streamId, options = {}) {
    this.#signalingUrl = typeof signalingUrl === 'function' ? signalingUrl : () => signalingUrl;
    this.#streamPath = `/api/streams/${encodeURIComponent(streamId)}`;
    this.#headerSize = core.SIGNED_HEADER_SIZE;
    this.#options = { ...ORIGIN_DEFAULTS, ...options };
  }

  // The instance the signaling is connected to serves the origin too. Throws a
  // TypeError when the URL is none (the callers catch it with the fetch's errors).
  #base() {
    const url = new URL(this.#signalingUrl());
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    return `${url.origin}${this.#streamPath}`;
  }

  /**
   * Broadcaster. Resolves to null once stored, or to a sentence saying why not; never rejects.
   * @param {'chunk' | 'init'} kind
   * @param {number} number The chunk's seq, the init segment's epoch.
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} payload
   * @returns {Promise<string | null>}
   */
  async put(kind, number, signedHeader, payload) {
    const what = `${kind} ${number}`;
    if (this.#putsInFlight >= this.#options.maxPutsInFlight) {
      return `${what} not uploaded: ${this.#putsInFlight} uploads still in flight`;
    }
    this.#putsInFlight++;
    try {
      const body = new Uint8Array(signedHeader.length + payload.length);
      body.set(signedHeader);
      body.set(payload, signedHeader.length);
      const res = await fetch(`${this.#base()}/${routeOf(kind)}/${number}`, {
        method: 'PUT', body, signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      return res.ok ? null : `${what} refused: HTTP ${res.status}`;
    } catch (error) {
      return `${what} not uploaded: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#putsInFlight--;
    }
  }

  /**
   * Viewer: one fetch the engine asked for. Resolves to { header, payload } (chunk,
   * init) or { chunks } (index); null when the origin does not have it (yet) or cannot
   * be reached.
   * @param {HttpFetch} request
   * @returns {Promise<OriginAnswer | null>}
   */
  async get({ kind, number }) {
    const path = kind === 'index' ? 'chunks' : `${routeOf(kind)}/${number}`;
    try {
      const res = await fetch(`${this.#base()}/${path}`, { cache: 'no-store', signal: AbortSignal.timeout(this.#options.timeoutMs) });
      if (!res.ok) return null;
      if (kind === 'index') {
        const { chunks } = /** @type {{ chunks?: unknown }} */ (await res.json());
        const valid = Array.isArray(chunks) && chunks.every((seq) => Number.isSafeInteger(seq) && seq >= 0);
        return valid ? { chunks } : null;
      }
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length <= this.#headerSize) return null;
      return { header: body.subarray(0, this.#headerSize), payload: body.subarray(this.#headerSize) };
    } catch {
      return null;
    }
  }
}
