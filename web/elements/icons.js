// The player's control icons as inline SVG (24 px, currentColor): no icon font to
// load, and no emoji, which a system without an emoji font shows as empty boxes.
const svg = (/** @type {string} */ paths) =>
  `<svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" fill="currentColor">${paths}</svg>`;

export const ICONS = {
  play: svg('<path d="M8 5v14l11-7z"/>'),
  pause: svg('<path d="M6 5h4v14H6zM14 5h4v14h-4z"/>'),
  sound: svg('<path d="M4 9v6h4l5 4V5L8 9z"/><path d="M16 8.5a5 5 0 0 1 0 7" fill="none" stroke="currentColor" stroke-width="2"/>'),
  muted: svg('<path d="M4 9v6h4l5 4V5L8 9z"/><path d="M16 9l5 6M21 9l-5 6" stroke="currentColor" stroke-width="2"/>'),
  stats: svg('<path d="M5 19V11h3v8zM10.5 19V5h3v14zM16 19v-6h3v6z"/>'),
  pictureInPicture: svg('<path d="M3 5h18v14H3z" fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 11h7v6h-7z"/>'),
  fullscreen: svg('<path d="M4 4h6v2H6v4H4zM14 4h6v6h-2V6h-4zM4 14h2v4h4v2H4zM18 14h2v6h-6v-2h4z"/>'),
};
