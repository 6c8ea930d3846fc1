// What a <swarmcast-player> shows of the Viewer it runs, and the Viewer's events passed
// on as the element's own: the status veil's words for each state, the LIVE badge and
// the buffering sign, the stats overlay each second, and a warning when the server has
// not answered in time.
import { showLiveBadge, showStats } from './player-view.js';

/** @typedef {import('./element-base.js').SwarmcastErrorDetail} SwarmcastErrorDetail */
/** @typedef {import('../shim/viewer.js').Viewer} Viewer */

const STATS_INTERVAL_MS = 1000;
// Still connecting after this long: the server is down or unreachable. The Viewer keeps
// trying; the element says so meanwhile.
const CONNECT_PATIENCE_MS = 6000;

/** @type {Record<string, string>} */
export const STATUS_TEXT = {
  connecting: 'Connecting…',
  waiting: 'Waiting for the broadcaster to go live',
  joining: 'Joining the stream…',
  ended: 'The stream has ended',
  failed: 'Playback failed',
};

/**
 * The element's parts the display shows in, and what it asks of the element.
 * @typedef {object} DisplayParts
 * @property {ShadowRoot} root
 * @property {{ video: HTMLVideoElement, badge: HTMLButtonElement, buffering: HTMLDivElement,
 *   overlay: HTMLDivElement }} ui
 * @property {import('./status-veil.js').StatusVeil} veil
 * @property {import('./quality-levels.js').QualityLevels} levels
 * @property {(type: string, detail: unknown) => void} emit dispatches an event from the element
 * @property {() => boolean} overlayShown whether the element's stats overlay is on
 * @property {() => void} play the element's togglePlay, for 'Tap to play'
 */

export class ViewerDisplay {
  #parts;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #statsTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #connectTimer;

  /** @param {DisplayParts} parts */
  constructor(parts) {
    this.#parts = parts;
  }

  /**
   * Shows `viewer` from now on, and passes its events on.
   * @param {Viewer} viewer
   * @param {string} signalingUrl where it connects, for the warning when it cannot
   */
  follow(viewer, signalingUrl) {
    const { veil, emit } = this.#parts;
    viewer.addEventListener('statechange', (event) => {
      const state = /** @type {CustomEvent<string>} */ (event).detail;
      if (state !== 'connecting') clearTimeout(this.#connectTimer);
      this.showState(state);
      emit('statechange', state);
    });
    viewer.addEventListener('error', (event) => {
      const detail = /** @type {CustomEvent<SwarmcastErrorDetail>} */ (event).detail;
      if (detail.fatal) veil.problem(`${detail.type}: ${detail.detail}`);
      emit('error', detail);
    });
    viewer.addEventListener('autoplay-blocked', () => {
      veil.show('Tap to play');
      veil.onNextClick(() => this.#parts.play());
    });
    viewer.addEventListener('levels', () => this.#parts.levels.follow(viewer.stats().rendition, this.#parts.ui.video));
    for (const type of ['chat', 'listing']) {
      viewer.addEventListener(type, (event) => emit(type, /** @type {CustomEvent} */ (event).detail));
    }
    this.#statsTimer = setInterval(() => this.#tick(viewer), STATS_INTERVAL_MS);
    this.#connectTimer = setTimeout(() => this.#noServer(viewer, signalingUrl), CONNECT_PATIENCE_MS);
  }

  /** @param {string} state */
  showState(state) {
    const { ui, veil } = this.#parts;
    ui.badge.hidden = state !== 'playing' && state !== 'stalled';
    ui.buffering.hidden = state !== 'stalled';
    // A failure's own words (shown with its error) say more than 'Playback failed'.
    if (state === 'failed' && veil.hasProblem) return;
    veil.problem(null);
    if (state in STATUS_TEXT) veil.show(STATUS_TEXT[state]);
    else veil.hide();
  }

  // The viewer has stopped: nothing of it shows any more.
  stop() {
    const { ui } = this.#parts;
    clearInterval(this.#statsTimer);
    clearTimeout(this.#connectTimer);
    ui.badge.hidden = true;
    ui.buffering.hidden = true;
    ui.overlay.hidden = true;
  }

  /** @param {Viewer} viewer */
  #tick(viewer) {
    const { root, ui, levels, emit, overlayShown } = this.#parts;
    const stats = viewer.stats();
    showStats(root, stats, overlayShown());
    showLiveBadge(ui.badge, stats);
    levels.follow(stats.rendition, ui.video);
    emit('stats', stats);
  }

  /**
   * @param {Viewer} viewer
   * @param {string} url
   */
  #noServer(viewer, url) {
    if (viewer.state !== 'connecting') return;
    const detail = `no answer from the signaling server at ${url}; still trying`;
    this.#parts.veil.problem(`Cannot reach the server (${url}). Still trying…`);
    this.#parts.emit('error', { type: 'signaling', detail, fatal: false });
  }
}
