// What <swarmcast-player> shows of its Viewer, and which key does what: plain
// functions over its shadow parts, so the element itself keeps to its lifecycle.
import { MSE_PLAYER_DEFAULTS } from '../shim/mse-player.js';
import { ICONS } from './icons.js';

/** @typedef {ReturnType<import('../shim/viewer.js').Viewer['stats']>} ViewerStats */
/** @typedef {'togglePlay' | 'toggleMute' | 'toggleFullscreen' | 'togglePictureInPicture' | 'toggleLatencyMode'} PlayerAction */

// Further behind than its target by more than this, the badge offers "back to live".
// Above the player's own seek threshold, so the badge stays LIVE while the player
// catches up by itself.
const BEHIND_LIVE_SLACK_MS = MSE_PLAYER_DEFAULTS.seekAboveMs + 800;

/** @type {Record<string, PlayerAction>} */
const KEYS = { ' ': 'togglePlay', k: 'togglePlay', m: 'toggleMute', f: 'toggleFullscreen', p: 'togglePictureInPicture', l: 'toggleLatencyMode' };

/**
 * The player action a key press asks for, or null: none while typing in a field, nor
 * for a focused button's own space or Enter, nor with a modifier (the browser's keys).
 * @param {KeyboardEvent} event
 * @returns {PlayerAction | null}
 */
export function shortcutOf(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const target = event.composedPath()[0];
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return null;
  if (target instanceof HTMLButtonElement && (event.key === ' ' || event.key === 'Enter')) return null;
  return KEYS[event.key.toLowerCase()] ?? null;
}

/**
 * The stats overlay: where the media came from, peers, buffer and latency. It shows
 * once media has arrived, and only when `shown`.
 * @param {ShadowRoot} root
 * @param {ViewerStats} s
 * @param {boolean} shown
 */
export function showStats(root, s, shown) {
  const text = (/** @type {string} */ id, /** @type {string} */ value) => {
    const element = root.getElementById(id);
    if (element) element.textContent = value;
  };
  const overlay = root.getElementById('overlay');
  if (overlay) overlay.hidden = !shown || s.player.appendedChunks === 0;
  text('o-share', `${Math.round(s.shareFromPeers * 100)} %`);
  const httpRow = root.getElementById('o-http-row');
  if (httpRow) httpRow.hidden = s.shareFromHttp === 0;
  text('o-http', `${Math.round(s.shareFromHttp * 100)} %`);
  text('o-peers', String(s.peers));
  text('o-buffer', `${s.player.bufferSeconds.toFixed(1)} s`);
  text('o-latency', s.latencyMs ? `${(s.latencyMs / 1000).toFixed(1)} s` : '–');
}

/**
 * LIVE, or "back to live" (a button then) when the viewer has fallen behind.
 * @param {HTMLButtonElement} badge
 * @param {ViewerStats} s
 */
export function showLiveBadge(badge, s) {
  const { latencyMs, targetLatencyMs } = s.player;
  const behindMs = latencyMs === null ? 0 : latencyMs - targetLatencyMs;
  const behind = behindMs > BEHIND_LIVE_SLACK_MS;
  badge.classList.toggle('behind', behind);
  badge.textContent = behind ? 'Back to live' : 'LIVE';
  badge.tabIndex = behind ? 0 : -1;
  badge.title = behind ? `${(behindMs / 1000).toFixed(1)} s behind: jump to live` : '';
}

/**
 * The upload selector showing `setting`: a cap that none of its options names gets an
 * option of its own.
 * @param {HTMLSelectElement} select
 * @param {import('../shim/device.js').UploadSetting} setting
 */
export function showUploadSetting(select, setting) {
  const value = String(setting);
  if (![...select.options].some((option) => option.value === value)) {
    select.add(new Option(`Upload: ${value} kbit/s`, value));
  }
  select.value = value;
}

/**
 * The play and mute buttons and the volume slider, as the video is now.
 * @param {{ video: HTMLVideoElement, play: HTMLButtonElement, mute: HTMLButtonElement, volume: HTMLInputElement }} ui
 */
export function showPlaying({ video, play, mute, volume }) {
  const label = video.paused ? 'Play (k)' : 'Pause (k)';
  play.innerHTML = video.paused ? ICONS.play : ICONS.pause;
  play.setAttribute('aria-label', label);
  play.title = label;
  const muteLabel = video.muted ? 'Unmute (m)' : 'Mute (m)';
  mute.innerHTML = video.muted || video.volume === 0 ? ICONS.muted : ICONS.sound;
  mute.setAttribute('aria-label', muteLabel);
  mute.title = muteLabel;
  volume.value = String(video.muted ? 0 : video.volume);
}
