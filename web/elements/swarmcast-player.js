// <swarmcast-player stream="ID" signaling="wss://…/signal">: the product's one player.
// A Viewer (web/shim/viewer.js) plays into the <video> of an open shadow root, under
// the element's own controls: play/pause, volume and mute, latency mode, quality (once
// a stream has several levels), stats overlay, picture-in-picture and fullscreen, a
// LIVE badge that turns into "back to live" when the viewer has fallen behind. What it
// shows of the running Viewer, and the Viewer's events it passes on, are viewer-display.js's.
//
// Attributes (each reflected as a property): stream, signaling (default: the page's
// own origin's /signal; several URLs separated by spaces are instances of one swarm,
// tried in order, the next one taken when the connection is lost), latency-mode
// ('low' | 'smooth'; without it, the viewer's last choice on this site), upload
// ('auto' | 'off' | a cap in kbit/s; without it, the viewer's last choice on this
// site, else 'auto'), muted, stats (the overlay shows), relay-only (its peer links go
// through the TURN server the signaling server hands out, never directly; read when
// it starts watching).
// Keys while it has focus: space or k play/pause, m mute, f fullscreen,
// p picture-in-picture, l latency mode. "Back to live" is the badge's click; l is the
// latency mode because that is the choice a viewer comes back to, and the badge
// already offers the jump whenever it would help.
// Events: 'ready' (detail: the Viewer, each time one starts), 'statechange' (detail:
// Viewer's state), 'error' (detail: {type, detail, fatal}), 'stats' (detail:
// Viewer#stats(), each second), 'chat' (detail: a line), 'listing' (detail: {title, tags}).
import { LATENCY_MODES } from '../shim/mse-player.js';
import { Viewer } from '../shim/viewer.js';
import { keep, readKept } from '../shim/kept.js';
import { parseUploadSetting } from '../shim/device.js';
import { signalingUrl as pageSignalingUrl, signalingUrlList } from '../shim/signaling.js';
import { ElementBase, attachShadowMarkup, defineOnce, messageOf, pageCore, part, startProblem } from './element-base.js';
import { PLAYER_MARKUP } from './player-markup.js';
import { QualityLevels } from './quality-levels.js';
import { StatusVeil } from './status-veil.js';
import { shortcutOf, showPlaying, showUploadSetting } from './player-view.js';
import { STATUS_TEXT, ViewerDisplay } from './viewer-display.js';

/** @typedef {import('./element-base.js').SwarmcastErrorDetail} SwarmcastErrorDetail */
/** @typedef {import('../shim/mse-player.js').LatencyMode} LatencyMode */
/** @typedef {import('../shim/device.js').UploadSetting} UploadSetting */

/**
 * @param {unknown} mode
 * @returns {mode is LatencyMode}
 */
const isLatencyMode = (mode) => /** @type {readonly unknown[]} */ (LATENCY_MODES).includes(mode);

const LATENCY_MODE_KEY = 'swarmcast.latencyMode';
const UPLOAD_KEY = 'swarmcast.upload';

export class SwarmcastPlayer extends ElementBase {
  static observedAttributes = ['stream', 'signaling', 'latency-mode', 'upload', 'muted', 'stats'];

  #root;
  #ui;
  #veil;
  #levels;
  #display;
  /** @type {Viewer | null} */
  #viewer = null;
  #run = 0;  // each start's number: a start that a later one overtook stops where it is
  #onPageHide = () => this.#stopViewer();

  constructor() {
    super();
    this.#root = attachShadowMarkup(this, PLAYER_MARKUP);
    const root = this.#root;
    this.#ui = {
      video: part(root, 'video', HTMLVideoElement),
      badge: part(root, 'live-badge', HTMLButtonElement),
      buffering: part(root, 'buffering', HTMLDivElement),
      overlay: part(root, 'overlay', HTMLDivElement),
      play: part(root, 'play', HTMLButtonElement),
      mute: part(root, 'mute', HTMLButtonElement),
      volume: part(root, 'volume', HTMLInputElement),
      latencyMode: part(root, 'latency-mode', HTMLSelectElement),
      upload: part(root, 'upload', HTMLSelectElement),
      quality: part(root, 'quality', HTMLSelectElement),
      stats: part(root, 'stats', HTMLButtonElement),
      pip: part(root, 'pip', HTMLButtonElement),
      fullscreen: part(root, 'fullscreen', HTMLButtonElement),
    };
    this.#veil = new StatusVeil(part(root, 'status', HTMLDivElement));
    this.#levels = new QualityLevels(this.#ui.quality, (choice) => this.#viewer?.setRendition(choice));
    this.#display = new ViewerDisplay({
      root, ui: this.#ui, veil: this.#veil, levels: this.#levels, emit: (type, detail) => this.#emit(type, detail),
      overlayShown: () => this.stats, play: () => this.togglePlay(),
    });
    this.#wireControls();
  }

  // The Viewer playing now (advanced use: clip(), chat, stats()); null before the
  // wasm core has loaded, after removal, or when the input could not start one.
  get viewer() {
    return this.#viewer;
  }

  get video() {
    return this.#ui.video;
  }

  get stream() {
    return this.getAttribute('stream') ?? '';
  }

  set stream(id) {
    this.setAttribute('stream', id);
  }

  /** @returns {string} One URL, or several separated by spaces. */
  get signaling() {
    return this.getAttribute('signaling') ?? pageSignalingUrl();
  }

  /** @param {string | readonly string[]} urls One URL, several separated by spaces, or a list of them. */
  set signaling(urls) {
    this.setAttribute('signaling', signalingUrlList(urls).join(' '));
  }

  /** @returns {LatencyMode} */
  get latencyMode() {
    return this.#viewer?.latencyMode ?? this.#wantedLatencyMode();
  }

  /** @param {LatencyMode} mode */
  set latencyMode(mode) {
    if (!isLatencyMode(mode)) throw new TypeError(`latencyMode is 'low' or 'smooth', not ${String(mode)}`);
    this.setAttribute('latency-mode', mode);
  }

  // What this viewer gives the swarm. A value that is none of 'auto', 'off' or a whole
  // number of kbit/s is refused with an 'error' event (type 'input'), not a throw.
  /** @returns {UploadSetting} */
  get upload() {
    return this.#viewer?.upload ?? this.#wantedUpload();
  }

  /** @param {UploadSetting} setting */
  set upload(setting) {
    this.setAttribute('upload', String(setting));
  }

  get muted() {
    return this.hasAttribute('muted');
  }

  set muted(muted) {
    this.toggleAttribute('muted', Boolean(muted));
  }

  // Whether the stats overlay shows.
  get stats() {
    return this.hasAttribute('stats');
  }

  set stats(shown) {
    this.toggleAttribute('stats', Boolean(shown));
  }

  get relayOnly() {
    return this.hasAttribute('relay-only');
  }

  set relayOnly(relayOnly) {
    this.toggleAttribute('relay-only', Boolean(relayOnly));
  }

  get state() {
    return this.#viewer?.state ?? 'idle';
  }

  /**
   * The stream's quality levels this browser decodes, highest first:
   * [{ id, name, width, height, bitrate }] ("360p", ...), from its signed rendition list;
   * for a stream without one, the one size its video plays at. The quality selector
   * shows once there are two. Empty before the viewer knows.
   * @returns {import('./quality-levels.js').QualityLevel[]}
   */
  get levels() {
    return this.#levels.list;
  }

  /**
   * The chosen level: its index in `levels`, or -1 for Auto (the engine's rule picks
   * by the link and the buffer; the default). Setting it is what the selector does:
   * Viewer.setRendition(levels[index].id), or setRendition('auto') for -1; the switch
   * comes at the next chunk not yet handed to the player. RangeError for anything else.
   * A new stream starts on Auto.
   * @returns {number}
   */
  get level() {
    return this.#levels.chosen;
  }

  /** @param {number} index */
  set level(index) {
    this.#levels.chosen = index;
  }

  /**
   * The level playing now: its index in `levels`, -1 before anything plays. Under Auto
   * it follows the rule's switches; the selector shows it ("Auto · 360p").
   * @returns {number}
   */
  get playingLevel() {
    return this.#levels.playing;
  }

  connectedCallback() {
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.#ui.video.muted = this.muted;
    this.#showStatsButton();
    window.addEventListener('pagehide', this.#onPageHide);
    this.#start();
  }

  // Off the page, the viewer stops: its peer links close and its slot on the server is freed.
  disconnectedCallback() {
    window.removeEventListener('pagehide', this.#onPageHide);
    this.#run++;
    this.#stopViewer();
  }

  /**
   * @param {string} name
   * @param {string | null} previous
   * @param {string | null} value
   */
  attributeChangedCallback(name, previous, value) {
    if (previous === value) return;
    if ((name === 'stream' || name === 'signaling') && this.isConnected) this.#start();
    else if (name === 'latency-mode') this.#applyLatencyMode();
    else if (name === 'upload') this.#applyUpload();
    else if (name === 'muted') this.#ui.video.muted = value !== null;
    else if (name === 'stats') this.#showStatsButton();
  }

  togglePlay() {
    const video = this.#ui.video;
    if (video.paused) video.play().catch((error) => this.#warn('play', `cannot play: ${messageOf(error)}`));
    else video.pause();
  }

  toggleMute() {
    const video = this.#ui.video;
    if (video.muted && video.volume === 0) video.volume = 1;
    this.muted = !video.muted;
  }

  // The whole element goes fullscreen, its controls with it.
  async toggleFullscreen() {
    try {
      if (document.fullscreenElement === this) await document.exitFullscreen();
      else await this.requestFullscreen();
    } catch (error) {
      this.#warn('fullscreen', `fullscreen refused: ${messageOf(error)}`);
    }
  }

  async togglePictureInPicture() {
    const video = this.#ui.video;
    try {
      // The document sees the shadow host as the element in picture-in-picture; the shadow root sees the video.
      if (this.#root.pictureInPictureElement === video) await document.exitPictureInPicture();
      else await video.requestPictureInPicture();
    } catch (error) {
      this.#warn('picture-in-picture', `picture-in-picture refused: ${messageOf(error)}`);
    }
  }

  // Low ⇄ smooth, kept for the viewer's next visit.
  toggleLatencyMode() {
    this.#chooseLatencyMode(this.latencyMode === 'low' ? 'smooth' : 'low');
  }

  // "Back to live": from a pause or from far behind to the player's target latency.
  seekToLive() {
    this.#viewer?.seekToLive();
    this.#ui.badge.classList.remove('behind');
    this.#ui.badge.textContent = 'LIVE';
  }

  async #start() {
    const run = ++this.#run;
    this.#stopViewer();
    this.#veil.problem(null);
    const signaling = this.signaling;
    const problem = startProblem(signaling);
    if (problem) {
      this.#fail(problem);
      return;
    }
    if (!this.stream) {
      this.#veil.show('No stream chosen');
      return;
    }
    this.#veil.show(STATUS_TEXT.connecting);
    let core;
    try {
      core = await pageCore();
    } catch (error) {
      if (run === this.#run) this.#fail({ type: 'core', detail: `the wasm core did not load: ${messageOf(error)}`, fatal: true });
      return;
    }
    if (run !== this.#run) return;
    // The wasm download and compile, on the page's own timeline (DevTools, the benchmark).
    performance.mark('swarmcast:core-loaded');
    let viewer;
    try {
      viewer = new Viewer({ core, streamId: this.stream, video: this.#ui.video, signalingUrl: signaling,
        player: { latencyMode: this.#wantedLatencyMode() }, upload: this.#wantedUpload(),
        iceTransportPolicy: this.relayOnly ? 'relay' : 'all' });
    } catch (error) {
      this.#fail({ type: 'input', detail: `stream "${this.stream}" is not a stream id (${messageOf(error)})`, fatal: true },
        `Not a stream link: ${messageOf(error)}`);
      return;
    }
    this.#viewer = viewer;
    this.#display.follow(viewer, signalingUrlList(signaling).join(', '));
    this.#ui.latencyMode.value = viewer.latencyMode;
    showUploadSetting(this.#ui.upload, viewer.upload);
    this.#emit('ready', viewer);
    this.#display.showState(viewer.state);
    try {
      await viewer.start();
    } catch (error) {
      if (run === this.#run) this.#fail({ type: 'signaling', detail: `cannot join: ${messageOf(error)}`, fatal: true });
    }
  }

  #stopViewer() {
    this.#viewer?.stop();
    this.#viewer = null;
    this.#display.stop();
    this.#levels.reset();
  }

  /**
   * A problem that keeps this element from playing: shown in it, and dispatched.
   * @param {SwarmcastErrorDetail} detail
   * @param {string} [text] what the element shows, when not the detail itself
   */
  #fail(detail, text = detail.detail) {
    this.#stopViewer();
    this.#veil.problem(text);
    this.#emit('error', detail);
  }

  /**
   * @param {string} type
   * @param {string} detail
   */
  #warn(type, detail) {
    this.#emit('error', { type, detail, fatal: false });
  }

  /** @returns {LatencyMode} */
  #wantedLatencyMode() {
    const wanted = this.getAttribute('latency-mode') ?? readKept(LATENCY_MODE_KEY);
    return isLatencyMode(wanted) ? wanted : 'low';
  }

  #applyLatencyMode() {
    const mode = this.getAttribute('latency-mode');
    if (mode !== null && !isLatencyMode(mode)) {
      this.#warn('input', `latency-mode "${mode}" is neither 'low' nor 'smooth'`);
      return;
    }
    const wanted = this.#wantedLatencyMode();
    if (this.#viewer && this.#viewer.latencyMode !== wanted) this.#viewer.latencyMode = wanted;
    this.#ui.latencyMode.value = wanted;
  }

  // A choice the viewer made (the selector, the l key): kept for the next visit.
  /** @param {string} mode */
  #chooseLatencyMode(mode) {
    if (!isLatencyMode(mode)) return;
    keep(LATENCY_MODE_KEY, mode);
    this.latencyMode = mode;
  }

  /** @returns {UploadSetting} */
  #wantedUpload() {
    return parseUploadSetting(this.getAttribute('upload')) ?? parseUploadSetting(readKept(UPLOAD_KEY)) ?? 'auto';
  }

  #applyUpload() {
    const value = this.getAttribute('upload');
    if (value !== null && parseUploadSetting(value) === null) {
      this.#warn('input', `upload "${value}" is neither 'auto', 'off' nor a whole number of kbit/s`);
      return;
    }
    const wanted = this.#wantedUpload();
    if (this.#viewer) this.#viewer.upload = wanted;
    showUploadSetting(this.#ui.upload, wanted);
  }

  // A choice the viewer made in the selector: kept for the next visit.
  /** @param {string} value */
  #chooseUpload(value) {
    const setting = parseUploadSetting(value);
    if (setting === null) return;
    keep(UPLOAD_KEY, String(setting));
    this.upload = setting;
  }

  #showStatsButton() {
    this.#ui.stats.setAttribute('aria-pressed', String(this.stats));
    if (!this.stats) this.#ui.overlay.hidden = true;
  }

  #wireControls() {
    const ui = this.#ui;
    ui.play.addEventListener('click', () => this.togglePlay());
    ui.mute.addEventListener('click', () => this.toggleMute());
    ui.volume.addEventListener('input', () => {
      ui.video.volume = Number(ui.volume.value);
      this.muted = ui.video.volume === 0;
    });
    for (const type of ['play', 'pause', 'volumechange']) ui.video.addEventListener(type, () => showPlaying(this.#ui));
    ui.latencyMode.addEventListener('change', () => this.#chooseLatencyMode(ui.latencyMode.value));
    ui.upload.addEventListener('change', () => this.#chooseUpload(ui.upload.value));
    ui.stats.addEventListener('click', () => { this.stats = !this.stats; });
    ui.badge.addEventListener('click', () => this.seekToLive());
    ui.pip.addEventListener('click', () => this.togglePictureInPicture());
    ui.pip.hidden = !document.pictureInPictureEnabled;
    ui.fullscreen.addEventListener('click', () => this.toggleFullscreen());
    ui.fullscreen.hidden = !document.fullscreenEnabled;
    this.addEventListener('keydown', (event) => {
      const action = shortcutOf(event);
      if (!action) return;
      event.preventDefault();
      this[action]();
    });
    showPlaying(this.#ui);
  }

  /**
   * @param {string} type
   * @param {unknown} detail
   */
  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

defineOnce('swarmcast-player', SwarmcastPlayer);
