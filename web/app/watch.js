// The /watch/<stream-id> page: video, state, and a small stats overlay.
import { LATENCY_MODES, Viewer, loadCore, missingFeatures, signalingUrl, unsupportedMessage } from '../shim/index.js';
import { registerServiceWorker } from './pwa.js';
import { keep, readKept } from './kept.js';
import { tagLink } from './tag-link.js';
import { wireChat } from './chat-panel.js';
import { wireClipButton } from './save-clip.js';

const $ = (id) => document.getElementById(id);

// The viewer's latency mode is kept across visits and streams.
const LATENCY_MODE_KEY = 'swarmcast.latencyMode';
function savedLatencyMode() {
  const saved = readKept(LATENCY_MODE_KEY);
  return LATENCY_MODES.includes(saved) ? saved : 'low';
}

const STATUS_TEXT = {
  connecting: 'Connecting…',
  waiting: 'Waiting for the broadcaster to go live',
  joining: 'Joining the stream…',
  stalled: 'Buffering…',
  ended: 'The stream has ended',
  failed: 'Playback failed',
};

// The stream's title and tags as its broadcaster last described them.
function showListing({ title, tags }) {
  $('stream-title').textContent = title;
  $('stream-tags').replaceChildren(...tags.map(tagLink));
  document.title = title ? `${title} · swarmcast` : 'Watch · swarmcast';
}

function setStatus(state) {
  $('status').hidden = !(state in STATUS_TEXT);
  $('status').textContent = STATUS_TEXT[state] ?? '';
  $('live-badge').hidden = state !== 'playing' && state !== 'stalled';
}

async function main() {
  registerServiceWorker();
  const missing = missingFeatures();
  if (missing.length) {
    $('status').textContent = unsupportedMessage(missing);
    return;
  }
  const streamId = decodeURIComponent(location.pathname.split('/').pop());
  const core = await loadCore();
  // The wasm download and compile, on the page's own timeline (DevTools, the benchmark).
  performance.mark('swarmcast:core-loaded');
  const video = $('video');
  let viewer;
  try {
    viewer = new Viewer({ core, streamId, video, signalingUrl: signalingUrl(), player: { latencyMode: savedLatencyMode() } });
  } catch (error) {
    $('status').textContent = `Not a stream link: ${error.message}`;
    return;
  }
  viewer.addEventListener('statechange', ({ detail }) => setStatus(detail));
  viewer.addEventListener('listing', ({ detail }) => showListing(detail));
  viewer.addEventListener('error', ({ detail }) => {
    if (detail.fatal) $('error').textContent = `${detail.type}: ${detail.detail}`;
    else console.warn(`swarmcast ${detail.type}: ${detail.detail}`);
  });
  viewer.addEventListener('autoplay-blocked', () => {
    $('status').hidden = false;
    $('status').textContent = 'Tap to play';
    $('status').addEventListener('click', () => video.play().then(() => setStatus(viewer.state)), { once: true });
  });
  $('unmute').addEventListener('click', () => {
    video.muted = !video.muted;
    $('unmute').textContent = video.muted ? 'Unmute' : 'Mute';
  });
  $('latency-mode').value = viewer.latencyMode;
  $('latency-mode').addEventListener('change', () => {
    viewer.latencyMode = $('latency-mode').value;
    keep(LATENCY_MODE_KEY, viewer.latencyMode);
  });
  $('show-stats').addEventListener('change', () => { $('overlay').hidden = !$('show-stats').checked; });
  wireClipButton($('clip'), viewer, (text) => { $('clip-status').textContent = text; });
  wireChat($('chat'), viewer);
  window.addEventListener('pagehide', () => viewer.stop());

  setInterval(() => {
    const s = viewer.stats();
    $('overlay').hidden = !$('show-stats').checked || s.player.appendedChunks === 0;
    $('o-share').textContent = `${Math.round(s.shareFromPeers * 100)} %`;
    $('o-http-row').hidden = s.shareFromHttp === 0;
    $('o-http').textContent = `${Math.round(s.shareFromHttp * 100)} %`;
    $('o-peers').textContent = s.peers;
    $('o-buffer').textContent = `${s.player.bufferSeconds.toFixed(1)} s`;
    $('o-latency').textContent = s.latencyMs ? `${(s.latencyMs / 1000).toFixed(1)} s` : '–';
    const watching = s.node?.viewers ?? 0;
    $('watching').textContent = s.node?.streamState === 'live' && watching > 0 ? `${watching} watching` : '';
  }, 500);


  // Read by the end-to-end tests and handy in the console.
  window.swarmcast = { viewer, stats: () => viewer.stats() };
  setStatus(viewer.state);
  await viewer.start();
}

main().catch((error) => { $('error').textContent = `swarmcast failed to start: ${error.message}`; });
