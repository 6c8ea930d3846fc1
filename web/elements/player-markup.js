// <swarmcast-player>'s shadow DOM: the picture with its badge, status and stats
// overlay, and the control bar under it (under, not over: a 375 px phone has room for
// a row of 44 px targets there, and none of them hides the picture).
// Theming: --swarmcast-accent, --swarmcast-bg, --swarmcast-fg, --swarmcast-live,
// --swarmcast-radius; ::part(video | stage | controls | button | <name>-button |
// volume | latency-mode | upload | quality | badge | status | buffering | overlay).
import { ICONS } from './icons.js';
import { SHARED_STYLE } from './shared-style.js';

export const PLAYER_MARKUP = `
<style>
  ${SHARED_STYLE}
  .stage { position: relative; background: #000; aspect-ratio: 16 / 9; border-radius: var(--swarmcast-radius, 8px) var(--swarmcast-radius, 8px) 0 0; overflow: hidden; }
  video { width: 100%; height: 100%; display: block; object-fit: contain; }
  :host(:fullscreen) { display: flex; flex-direction: column; background: #000; }
  :host(:fullscreen) .stage { flex: 1; min-height: 0; aspect-ratio: auto; border-radius: 0; }
  :host(:fullscreen) .bar { border-radius: 0; }
  :host(:focus-visible) { outline: 2px solid var(--swarmcast-accent, #4f8cff); outline-offset: 2px; }
  .badge {
    position: absolute; top: 8px; left: 8px; min-height: 28px; padding: 0 10px; border-radius: 4px;
    border: 0; background: var(--swarmcast-live, #e5484d); color: #fff; font: 600 0.8rem/28px system-ui, sans-serif; cursor: default;
  }
  .badge.behind { background: rgb(0 0 0 / 0.7); cursor: pointer; min-height: 44px; line-height: 44px; }
  .buffering {
    position: absolute; left: 50%; top: 50%; width: 40px; height: 40px; margin: -20px 0 0 -20px;
    border: 4px solid rgb(255 255 255 / 0.25); border-top-color: var(--swarmcast-fg, #e8e8ea); border-radius: 50%;
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin { to { transform: rotate(360deg); } }
  .overlay {
    position: absolute; right: 8px; bottom: 8px; padding: 6px 8px; border-radius: 6px;
    background: rgb(0 0 0 / 0.65); font: 12px/1.4 ui-monospace, monospace;
  }
  .bar {
    display: flex; flex-wrap: wrap; align-items: center; gap: 4px; padding: 4px;
    background: var(--swarmcast-bg, #1b1d22); border-radius: 0 0 var(--swarmcast-radius, 8px) var(--swarmcast-radius, 8px);
  }
  .bar .push { margin-left: auto; }
  .bar button { display: inline-flex; align-items: center; justify-content: center; min-width: 44px; padding: 0 10px; background: transparent; color: inherit; }
  .bar select { padding: 0 4px; }
  .bar button[aria-pressed="true"] { color: var(--swarmcast-accent, #4f8cff); }
  .volume { width: 88px; min-height: 44px; accent-color: var(--swarmcast-accent, #4f8cff); }
  @media (max-width: 420px) { .volume { display: none; } }
</style>
<div class="stage" part="stage">
  <video id="video" part="video" playsinline muted></video>
  <button id="live-badge" class="badge" part="badge" hidden tabindex="-1">LIVE</button>
  <div id="buffering" class="buffering" part="buffering" role="status" aria-label="Buffering" hidden></div>
  <div id="status" class="status" part="status">Connecting…</div>
  <div id="overlay" class="overlay" part="overlay" hidden>
    <div>from peers <span id="o-share">–</span></div>
    <div id="o-http-row" hidden>from HTTP <span id="o-http">–</span></div>
    <div>peers <span id="o-peers">0</span></div>
    <div>buffer <span id="o-buffer">–</span></div>
    <div>latency <span id="o-latency">–</span></div>
  </div>
</div>
<div class="bar" part="controls">
  <button id="play" part="button play-button" aria-label="Play (k)" title="Play (k)">${ICONS.play}</button>
  <button id="mute" part="button mute-button" aria-label="Unmute (m)" title="Unmute (m)">${ICONS.muted}</button>
  <input id="volume" class="volume" part="volume" type="range" min="0" max="1" step="0.05" value="1" aria-label="Volume">
  <select id="latency-mode" part="latency-mode" aria-label="Latency (l)"
    title="Latency. Low: as near live as the swarm allows. Smooth: a few seconds more buffer, for a busy device or a weak network. (l)">
    <option value="low">Low</option>
    <option value="smooth">Smooth</option>
  </select>
  <select id="upload" part="upload" aria-label="Upload"
    title="What you give the swarm. Auto: nothing on mobile data or a low battery, less from a background tab. Off: nothing. Or at most a rate you choose.">
    <option value="auto">Upload: Auto</option>
    <option value="off">Upload: Off</option>
    <option value="250">Upload: 250 kbit/s</option>
    <option value="1000">Upload: 1 Mbit/s</option>
    <option value="4000">Upload: 4 Mbit/s</option>
  </select>
  <select id="quality" part="quality" aria-label="Quality" hidden></select>
  <button id="stats" class="push" part="button stats-button" aria-label="Stats" title="Stats" aria-pressed="false">${ICONS.stats}</button>
  <button id="pip" part="button pip-button" aria-label="Picture-in-picture (p)" title="Picture-in-picture (p)">${ICONS.pictureInPicture}</button>
  <button id="fullscreen" part="button fullscreen-button" aria-label="Fullscreen (f)" title="Fullscreen (f)">${ICONS.fullscreen}</button>
</div>`;
