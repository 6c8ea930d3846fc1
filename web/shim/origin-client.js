// The server's optional HTTP origin as the shim sees it (docs/SIGNALING.md, "HTTP
// origin"): the broadcaster PUTs the stream's signed rendition list and each signed
// init segment and chunk of every rendition; a viewer GETs what its engine asks for
// (engine.takeHttpFetches), of the rendition it names. A body is the signed header
// followed by the payload, kept byte for byte, so the viewer's engine verifies it like
// bytes from a peer. Neither side retries here: a lost PUT leaves a gap that peers
// fill, and the engine asks again for a GET that brought nothing.
import { fromBase64url } from './base64url.js';
/** @import { SwarmcastCore, HttpFetch } from '../core/index.js' */

/**
 * What a GET brought: a signed header and its payload (chunk, init), or the index of
 * the rendition asked for with the stream's signed rendition list (null before the
 * broadcaster sent one).
 * @typedef {{ header: Uint8Array, payload: Uint8Array } | { chunks: number[], ladder: Uint8Array | null }} OriginAnswer
 */

/**
 * A signed item to upload: a chunk (number = seq) or an init segment (number = epoch) of a rendition.
 * @typedef {object} OriginItem
 * @property {'chunk' | 'init'} kind
 * @property {number} rendition
 * @property {number} number
 */

const ORIGIN_DEFAULTS = Object.freeze({
  // A slow origin gets the newest chunks, not a growing queue; a chunk of each of three
  // renditions comes at once.
  maxPutsInFlight: 8,
  timeoutMs: 5000,
});

// The origin's answer to an item of a rendition other than 0 when it holds no list.
const NO_RENDITION_LIST = 409;

/** @param {'chunk' | 'init'} kind */
const routeOf = (kind) => (kind === 'init' ? 'init' : 'chunks');

/** @param {unknown} error */
const reason = (error) => (error instanceof Error ? error.message : String(error));

export class OriginClient {
  #signalingUrl;
  #streamPath;
  #headerSize;
  #options;
  #putsInFlight = 0;
  // The latest list and its upload: items wait for it, as the origin refuses a rendition
  // its list lacks. It is sent again before the next item when its upload failed or an
  // origin said it holds no list (the signaling, and so the origin, moved to another
  // instance): the one exception to no retries, as without it the origin would refuse
  // every item of every rendition but 0 until the broadcaster's next list.
  /** @type {Uint8Array<ArrayBuffer> | null} */
  #ladder = null;
  /** @type {'sending' | 'stored' | 'failed'} */
  #ladderState = 'stored';
  /** @type {Promise<string | null>} */
  #ladderUpload = Promise.resolve(null);

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
   * Broadcaster: the stream's signed rendition list, before any item of a rendition it
   * adds (the items uploaded after this call wait for it). Resolves to null once stored,
   * or to a sentence saying why not; never rejects.
   * @param {Uint8Array<ArrayBuffer>} signedLadder
   * @returns {Promise<string | null>}
   */
  putLadder(signedLadder) {
    this.#ladder = signedLadder;
    return this.#uploadLadder(signedLadder);
  }

  /** @param {Uint8Array<ArrayBuffer>} ladder */
  #uploadLadder(ladder) {
    this.#ladderState = 'sending';
    const upload = this.#send('rendition list', 'renditions', ladder).then(({ problem }) => {
      if (this.#ladder === ladder) this.#ladderState = problem ? 'failed' : 'stored';
      return problem;
    });
    this.#ladderUpload = upload;
    return upload;
  }

  // Resolves once the latest list is stored or has failed again.
  async #ladderSettled() {
    while (this.#ladderState === 'sending') await this.#ladderUpload;
    if (this.#ladderState === 'failed' && this.#ladder) await this.#uploadLadder(this.#ladder);
  }

  /**
   * Broadcaster. Resolves to null once stored, or to a sentence saying why not; never rejects.
   * @param {OriginItem} item
   * @param {Uint8Array} signedHeader
   * @param {Uint8Array} payload
   * @returns {Promise<string | null>}
   */
  async put({ kind, rendition, number }, signedHeader, payload) {
    const what = `${kind} ${number} of rendition ${rendition}`;
    if (this.#putsInFlight >= this.#options.maxPutsInFlight) {
      return `${what} not uploaded: ${this.#putsInFlight} uploads still in flight`;
    }
    this.#putsInFlight++;
    try {
      await this.#ladderSettled();
      const body = new Uint8Array(signedHeader.length + payload.length);
      body.set(signedHeader);
      body.set(payload, signedHeader.length);
      const { status, problem } = await this.#send(what, `renditions/${rendition}/${routeOf(kind)}/${number}`, body);
      if (status === NO_RENDITION_LIST && this.#ladderState === 'stored') this.#ladderState = 'failed';
      return problem;
    } finally {
      this.#putsInFlight--;
    }
  }

  /**
   * @param {string} what
   * @param {string} path under the stream's
   * @param {Uint8Array<ArrayBuffer>} body
   * @returns {Promise<{ status: number, problem: string | null }>} status 0 when no answer came
   */
  async #send(what, path, body) {
    try {
      const res = await fetch(`${this.#base()}/${path}`, { method: 'PUT', body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
      return { status: res.status, problem: res.ok ? null : `${what} refused: HTTP ${res.status}` };
    } catch (error) {
      return { status: 0, problem: `${what} not uploaded: ${reason(error)}` };
    }
  }

  /**
   * Viewer: one fetch the engine asked for, of the rendition it names. Resolves to
   * { header, payload } (chunk, init) or { chunks, ladder } (index); null when the
   * origin does not have it (yet) or cannot be reached.
   * @param {HttpFetch} request
   * @returns {Promise<OriginAnswer | null>}
   */
  async get({ kind, number, rendition }) {
    const path = `renditions/${rendition}/${kind === 'index' ? 'chunks' : `${routeOf(kind)}/${number}`}`;
    try {
      const res = await fetch(`${this.#base()}/${path}`, { cache: 'no-store', signal: AbortSignal.timeout(this.#options.timeoutMs) });
      if (!res.ok) return null;
      if (kind === 'index') return indexOf(await res.json());
      const body = new Uint8Array(await res.arrayBuffer());
      if (body.length <= this.#headerSize) return null;
      return { header: body.subarray(0, this.#headerSize), payload: body.subarray(this.#headerSize) };
    } catch {
      return null;
    }
  }
}

/**
 * The index's fields a viewer uses, checked; null when malformed.
 * @param {unknown} answer
 * @returns {{ chunks: number[], ladder: Uint8Array | null } | null}
 */
function indexOf(answer) {
  const { chunks, ladder } = /** @type {{ chunks?: unknown, ladder?: unknown }} */ (answer ?? {});
  if (!Array.isArray(chunks) || !chunks.every((seq) => Number.isSafeInteger(seq) && seq >= 0)) return null;
  const signedLadder = fromBase64url(ladder);
  if (ladder !== undefined && ladder !== null && !signedLadder) return null;
  return { chunks, ladder: signedLadder };
}
