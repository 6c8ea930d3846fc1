// The /broadcast page: a <swarmcast-broadcaster> (source, preview, go live, share link,
// title and tags), and around it what belongs to a streamer's own page rather than to
// the element: the numbers, the dashboard of how the stream is carried, the Clip button
// and the chat panel, all fed from the element's `broadcaster` and events.
import '../elements/swarmcast-broadcaster.js';
import { registerServiceWorker } from './pwa.js';
import { wireChat } from './chat-panel.js';
import { wireClipButton } from './save-clip.js';
import { SwarmDashboard } from './swarm-dashboard.js';

const $ = (id) => document.getElementById(id);
const element = $('broadcaster');
const params = new URLSearchParams(location.search);
// ?relay-only: every peer link through the server's TURN relay (trying out a TURN setup).
element.relayOnly = params.has('relay-only');
// ?renditions=360p:1400,180p:300: the qualities to send (height:kbit/s, highest first)
// instead of the default ladder.
if (params.has('renditions')) element.renditions = params.get('renditions');
// ?chunk-ms=250: shorter chunks, nearer live for Chromium viewers (the element's chunk-ms).
if (params.has('chunk-ms')) element.chunkMs = Number(params.get('chunk-ms'));
// The element shows these itself, on its error line.
const SHOWN_BY_ELEMENT = new Set(['capture', 'live']);

function showNumbers(s) {
  $('n-viewers').textContent = s.viewers;
  $('n-upload').textContent = `${Math.round((s.uploadBytesPerS * 8) / 1000)} kbit/s`;
  $('n-factor').textContent = s.producedBytes ? s.sourceUploadFactor.toFixed(2) : '–';
  $('n-produced').textContent = `${(s.producedBytes / 1e6).toFixed(1)} MB`;
  $('n-peers').textContent = s.node?.engine?.peers ?? 0;
}

registerServiceWorker();
element.addEventListener('error', ({ detail }) => {
  if (!detail.fatal && !SHOWN_BY_ELEMENT.has(detail.type)) console.warn(`swarmcast ${detail.type}: ${detail.detail}`);
});
element.addEventListener('live', () => { $('dashboard').hidden = false; });
wireClipButton($('clip'), {
  get streamId() { return element.streamId ?? ''; },
  clip: () => element.broadcaster?.clip() ?? null,
}, (text) => { $('clip-status').textContent = text; });

element.addEventListener('ready', ({ detail: broadcaster }) => {
  wireChat($('chat'), broadcaster);
  const dashboard = new SwarmDashboard($('dashboard'));
  setInterval(() => {
    const s = broadcaster.stats();
    if (s.live) dashboard.update(s);
    showNumbers(s);
  }, 1000);
  // Read by the end-to-end tests and handy in the console.
  window.swarmcast = { element, broadcaster, stats: () => broadcaster.stats(), get source() { return element.source; } };
}, { once: true });
