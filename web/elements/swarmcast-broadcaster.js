// <swarmcast-broadcaster signaling="wss://…/signal">: the product's one broadcaster UI.
// A Broadcaster (web/shim/broadcaster.js) under the element's own controls: a source
// picker (test pattern, camera, screen, screen + camera), a preview, go live / stop,
// the share link with a Copy button, the stream's title and tags, and the viewers
// count on the LIVE badge. The stream key stays with this browser (stream-key.js), and
// so do the title and tags.
//
// Attributes (reflected as properties): signaling (default: the page's own origin's
// /signal; several URLs separated by spaces are instances of one swarm, tried in
// order, the next one taken when the connection is lost), watch-url (where viewers
// watch: the stream id is appended, and a relative URL is resolved against the page,
// since the link is shared beyond it; default `${origin}/watch/`), relay-only (its peer
// links go through the TURN server the signaling server hands out, never directly;
// read as it starts: connected, or given another signaling), renditions (the qualities
// encoded where the browser has WebCodecs, e.g. "360p:1000, 180p:300": heights and
// kbit/s, at most three; read as it starts; default 720p/480p/240p, those not larger
// than the source), chunk-ms (capture time per chunk where the browser has WebCodecs,
// 100-10000, default 1000; a keyframe still opens a chunk every second or so: shorter
// chunks bring Chromium viewers nearer live, ~1 s glass-to-glass at 250, while Firefox
// viewers stall on them, docs/BENCHMARKS.md; read as it starts). Changing signaling
// starts over (a live stream stops).
// Events: 'ready' (detail: the Broadcaster), 'statechange' (detail: 'idle' |
// 'previewing' | 'going-live' | 'live'), 'live' (detail: {streamId}), 'ended',
// 'error' (detail: {type, detail, fatal}; the element shows the fatal ones, and those of
// its own actions on its error line: type 'capture' for a source that did not open,
// 'live' for a refused go-live), 'viewers' (detail: count), 'swarm' (detail:
// the server's summary of the swarm), 'chat' (detail: a line).
import { Broadcaster } from '../shim/broadcaster.js';
import { keep, readKept } from '../shim/kept.js';
import { loadOrCreateSeed } from '../shim/stream-key.js';
import { parseRungs } from '../shim/rendition-ladder.js';
import { renditionOptions } from '../shim/rendition-publisher.js';
import { openCamera, openScreen, openTestPattern } from '../shim/capture.js';
import { openScreenWithCamera } from '../shim/compose.js';
import { signalingUrl as pageSignalingUrl, signalingUrlList } from '../shim/signaling.js';
import { ElementBase, attachShadowMarkup, defineOnce, messageOf, pageCore, part, startProblem } from './element-base.js';
import { BROADCASTER_MARKUP } from './broadcaster-markup.js';
import { StatusVeil } from './status-veil.js';

/** @typedef {import('../shim/capture.js').CapturedSource} CapturedSource */
/** @typedef {import('./element-base.js').SwarmcastErrorDetail} SwarmcastErrorDetail */

/** @type {Record<string, () => Promise<CapturedSource> | CapturedSource>} */
const OPENERS = { test: openTestPattern, camera: openCamera, screen: openScreen, 'screen-camera': openScreenWithCamera };
const LISTING_KEY = 'swarmcast.listing';

// The title and tags this browser last gave its stream.
function keptListing() {
  try {
    const saved = JSON.parse(readKept(LISTING_KEY) ?? '{}');
    return { title: String(saved.title ?? ''), tags: Array.isArray(saved.tags) ? saved.tags.map(String) : [] };
  } catch {
    return { title: '', tags: [] };
  }
}

export class SwarmcastBroadcaster extends ElementBase {
  static observedAttributes = ['signaling', 'watch-url'];

  #ui;
  #veil;
  /** @type {Broadcaster | null} */
  #broadcaster = null;
  /** @type {CapturedSource | null} */
  #source = null;
  /** @type {string | null} the OPENERS key of #source */
  #sourceKind = null;
  #state = 'idle';
  #run = 0;  // each start's number: a start that a later one overtook stops where it is
  /** @type {Uint8Array | null} */
  #seed = null;
  #onPageHide = () => this.#stopAll();

  constructor() {
    super();
    const root = attachShadowMarkup(this, BROADCASTER_MARKUP);
    this.#ui = {
      preview: part(root, 'preview', HTMLVideoElement),
      badge: part(root, 'live-badge', HTMLDivElement),
      viewers: part(root, 'viewers', HTMLSpanElement),
      source: part(root, 'source', HTMLSelectElement),
      previewButton: part(root, 'preview-button', HTMLButtonElement),
      goLive: part(root, 'go-live', HTMLButtonElement),
      stop: part(root, 'stop', HTMLButtonElement),
      error: part(root, 'error', HTMLParagraphElement),
      shareLink: part(root, 'share-link', HTMLInputElement),
      copy: part(root, 'copy', HTMLButtonElement),
      title: part(root, 'title', HTMLInputElement),
      tags: part(root, 'tags', HTMLInputElement),
    };
    this.#veil = new StatusVeil(part(root, 'status', HTMLDivElement));
    this.#wireControls();
  }

  // The Broadcaster (advanced use: stats(), clip(), chat, describe()); null before the
  // wasm core has loaded or after removal.
  get broadcaster() {
    return this.#broadcaster;
  }

  // The source being previewed or broadcast ({ stream, stop }), or null.
  get source() {
    return this.#source;
  }

  get state() {
    return this.#state;
  }

  get streamId() {
    return this.#broadcaster?.streamId ?? null;
  }

  get shareLink() {
    return this.streamId === null ? null : new URL(`${this.watchUrl}${this.streamId}`, location.href).href;
  }

  /** @returns {string} One URL, or several separated by spaces. */
  get signaling() {
    return this.getAttribute('signaling') ?? pageSignalingUrl();
  }

  /** @param {string | readonly string[]} urls One URL, several separated by spaces, or a list of them. */
  set signaling(urls) {
    this.setAttribute('signaling', signalingUrlList(urls).join(' '));
  }

  get watchUrl() {
    return this.getAttribute('watch-url') ?? `${location.origin}/watch/`;
  }

  set watchUrl(url) {
    this.setAttribute('watch-url', url);
  }

  /** @returns {string | null} The renditions asked for ("360p:1000, 180p:300"); read as the element starts. */
  get renditions() {
    return this.getAttribute('renditions');
  }

  /** @param {string | null} renditions */
  set renditions(renditions) {
    if (renditions === null) this.removeAttribute('renditions');
    else this.setAttribute('renditions', renditions);
  }

  /** @returns {number | null} The capture time per chunk asked for (ms); read as the element starts. */
  get chunkMs() {
    const value = this.getAttribute('chunk-ms');
    return value === null ? null : Number(value);
  }

  /** @param {number | null} ms */
  set chunkMs(ms) {
    if (ms === null) this.removeAttribute('chunk-ms');
    else this.setAttribute('chunk-ms', String(ms));
  }

  // The attribute's rungs (an attribute that does not read as rungs leaves the default
  // ladder) and chunk length.
  #renditionOptions() {
    const rungs = parseRungs(this.renditions);
    const chunkMs = this.chunkMs;
    return { ...(rungs && { rungs }), ...(chunkMs !== null && { chunkMs }) };
  }

  get relayOnly() {
    return this.hasAttribute('relay-only');
  }

  set relayOnly(relayOnly) {
    this.toggleAttribute('relay-only', Boolean(relayOnly));
  }

  // The 32-byte stream key; by default this browser's own (kept in localStorage).
  // Set before the element joins the page.
  /** @param {Uint8Array | null} seed */
  set seed(seed) {
    this.#seed = seed;
  }

  connectedCallback() {
    window.addEventListener('pagehide', this.#onPageHide);
    this.#start();
  }

  // Off the page: the broadcast stops, the devices are released.
  disconnectedCallback() {
    window.removeEventListener('pagehide', this.#onPageHide);
    this.#run++;
    this.#stopAll();
  }

  /**
   * @param {string} name
   * @param {string | null} previous
   * @param {string | null} value
   */
  attributeChangedCallback(name, previous, value) {
    if (previous === value || !this.isConnected) return;
    if (name === 'signaling') this.#start();
    else this.#ui.shareLink.value = this.shareLink ?? '';
  }

  // Opens the chosen source and shows it; false when it could not be opened.
  async preview() {
    this.#source?.stop();
    this.#source = await this.#open();
    this.#sourceKind = this.#source ? this.#ui.source.value : null;
    if (!this.#source) return false;
    this.#ui.preview.srcObject = this.#source.stream;
    this.#veil.hide();
    this.#ui.goLive.disabled = !this.#broadcaster || this.#broadcaster.live;
    if (!this.#broadcaster?.live) this.#setState('previewing');
    return true;
  }

  async goLive() {
    const broadcaster = this.#broadcaster;
    if (!broadcaster || broadcaster.live) return;
    if (!this.#source && !(await this.preview())) return;
    const source = /** @type {CapturedSource} */ (this.#source);
    this.#setLiveControls(true);
    this.#ui.stop.disabled = true;
    this.#ui.source.disabled = true;  // until live: the stream is handed over as it is now
    this.#veil.show('Going live…');
    this.#setState('going-live');
    try {
      await broadcaster.goLive(source.stream);
    } catch (error) {
      this.#showError({ type: 'live', detail: `Cannot go live: ${messageOf(error)}`, fatal: false });
      this.#veil.hide();
      this.#setLiveControls(false);
      this.#setState('previewing');
    } finally {
      this.#ui.source.disabled = false;
    }
  }

  async stop() {
    await this.#broadcaster?.stop();
  }

  async #start() {
    const run = ++this.#run;
    this.#stopAll();
    this.#showError(null);
    const signaling = this.signaling;
    const problem = startProblem(signaling, { broadcast: true });
    if (problem) {
      this.#fail(problem);
      return;
    }
    let core;
    try {
      core = await pageCore();
    } catch (error) {
      if (run === this.#run) this.#fail({ type: 'core', detail: `the wasm core did not load: ${messageOf(error)}`, fatal: true });
      return;
    }
    if (run !== this.#run) return;
    const listing = keptListing();
    this.#ui.title.value = listing.title;
    this.#ui.tags.value = listing.tags.join(', ');
    let renditions;
    try {
      renditions = renditionOptions(this.#renditionOptions());
    } catch (error) {
      // Said in words, as a bad signaling URL is.
      this.#fail({ type: 'input', detail: `chunk-ms "${this.getAttribute('chunk-ms')}": ${messageOf(error)}`, fatal: true });
      return;
    }
    const broadcaster = new Broadcaster({ core, seed: this.#seed ?? loadOrCreateSeed(), signalingUrl: signaling, listing,
      iceTransportPolicy: this.relayOnly ? 'relay' : 'all', renditions });
    this.#broadcaster = broadcaster;
    this.#follow(broadcaster);
    this.#ui.shareLink.value = this.shareLink ?? '';
    this.#setLiveControls(false);
    this.#veil.show('Choose a source, then Preview or Go live');
    this.#emit('ready', broadcaster);
  }

  /** @param {Broadcaster} broadcaster */
  #follow(broadcaster) {
    broadcaster.addEventListener('live', (event) => {
      this.#veil.hide();
      this.#setLiveControls(true);
      this.#ui.badge.hidden = false;
      this.#setState('live');
      this.#emit('live', /** @type {CustomEvent} */ (event).detail);
    });
    broadcaster.addEventListener('ended', () => {
      this.#setLiveControls(false);
      this.#ui.badge.hidden = true;
      this.#ui.viewers.textContent = '';
      this.#setState(this.#source ? 'previewing' : 'idle');
      this.#emit('ended', null);
    });
    broadcaster.addEventListener('viewers', (event) => {
      const count = /** @type {CustomEvent<number>} */ (event).detail;
      this.#ui.viewers.textContent = `${count} watching`;
      this.#emit('viewers', count);
    });
    broadcaster.addEventListener('error', (event) => {
      const detail = /** @type {CustomEvent<SwarmcastErrorDetail>} */ (event).detail;
      if (detail.fatal) this.#ui.error.textContent = `${detail.type}: ${detail.detail}`;
      this.#emit('error', detail);
    });
    for (const type of ['swarm', 'chat']) {
      broadcaster.addEventListener(type, (event) => this.#emit(type, /** @type {CustomEvent} */ (event).detail));
    }
  }

  #stopAll() {
    this.#broadcaster?.stop().catch((error) => this.#emit('error', { type: 'stop', detail: messageOf(error), fatal: false }));
    this.#broadcaster = null;
    this.#source?.stop();
    this.#source = null;
    this.#sourceKind = null;
    this.#ui.preview.srcObject = null;
    this.#ui.badge.hidden = true;
    this.#setLiveControls(false);
    this.#ui.goLive.disabled = true;
    this.#setState('idle');
  }

  /**
   * A problem that keeps this element from broadcasting: shown, its controls off, dispatched.
   * @param {SwarmcastErrorDetail} detail
   */
  #fail(detail) {
    this.#veil.problem(detail.detail);
    for (const control of [this.#ui.source, this.#ui.previewButton, this.#ui.goLive, this.#ui.stop]) control.disabled = true;
    this.#emit('error', detail);
  }

  /**
   * A problem with one action (a refused camera, a refused go-live): on the error line.
   * @param {SwarmcastErrorDetail | null} detail null clears the line
   */
  #showError(detail) {
    this.#ui.error.textContent = detail?.detail ?? '';
    if (detail) this.#emit('error', detail);
  }

  async #open() {
    this.#showError(null);
    const { source } = this.#ui;
    try {
      return await OPENERS[source.value]();
    } catch (error) {
      const what = source.selectedOptions[0]?.text.toLowerCase() ?? source.value;
      this.#showError({ type: 'capture', detail: `Cannot open the ${what}: ${messageOf(error)}`, fatal: false });
      return null;
    }
  }

  // Live: the new source is opened first, so a refused camera or a cancelled screen
  // picker leaves the stream on the old one.
  async #switchLive() {
    const { source } = this.#ui;
    source.disabled = true;
    const next = await this.#open();
    try {
      if (!next || !this.#broadcaster) return;
      await this.#broadcaster.switchSource(next.stream);
      this.#source?.stop();
      this.#source = next;
      this.#sourceKind = source.value;
      this.#ui.preview.srcObject = next.stream;
    } catch (error) {
      next?.stop();
      this.#showError({ type: 'capture', detail: `Cannot switch source: ${messageOf(error)}`, fatal: false });
    } finally {
      if (this.#sourceKind) source.value = this.#sourceKind;
      source.disabled = false;
    }
  }

  // While live the source stays choosable: choosing another switches the stream to it.
  /** @param {boolean} live */
  #setLiveControls(live) {
    this.#ui.goLive.disabled = live || !this.#broadcaster;
    this.#ui.previewButton.disabled = live;
    this.#ui.stop.disabled = !live;
    this.#ui.source.disabled = false;
  }

  #describe() {
    const broadcaster = this.#broadcaster;
    if (!broadcaster) return;
    broadcaster.describe({ title: this.#ui.title.value, tags: this.#ui.tags.value.split(',') });
    keep(LISTING_KEY, JSON.stringify(broadcaster.description));
  }

  #wireControls() {
    const ui = this.#ui;
    ui.previewButton.addEventListener('click', () => this.preview());
    ui.source.addEventListener('change', () => {
      if (this.#broadcaster?.live) this.#switchLive();
      else if (this.#source) this.preview();
    });
    ui.goLive.addEventListener('click', () => this.goLive());
    ui.stop.addEventListener('click', () => this.stop());
    ui.title.addEventListener('change', () => this.#describe());
    ui.tags.addEventListener('change', () => {
      this.#describe();
      // As the live list will show them.
      if (this.#broadcaster) ui.tags.value = this.#broadcaster.description.tags.join(', ');
    });
    ui.copy.addEventListener('click', () => {
      navigator.clipboard?.writeText(ui.shareLink.value).catch(() => ui.shareLink.select());
    });
  }

  /** @param {string} state */
  #setState(state) {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit('statechange', state);
  }

  /**
   * @param {string} type
   * @param {unknown} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

defineOnce('swarmcast-broadcaster', SwarmcastBroadcaster);
