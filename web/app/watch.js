// The /watch/<stream-id> page: a <swarmcast-player> for the stream in the URL, and
// around it what belongs to the page rather than to the player: the stream's title,
// tags and audience, the Clip button and the chat panel (an embedder who wants those
// builds them from the element's `viewer` and events the same way).
import '../elements/swarmcast-player.js';
import { registerServiceWorker } from './pwa.js';
import { tagLink } from './tag-link.js';
import { wireChat } from './chat-panel.js';
import { wireClipButton } from './save-clip.js';

const $ = (id) => document.getElementById(id);
const player = $('player');

// The stream's title and tags as its broadcaster last described them.
function showListing({ title, tags }) {
  $('stream-title').textContent = title;
  $('stream-tags').replaceChildren(...tags.map(tagLink));
  document.title = title ? `${title} · swarmcast` : 'Watch · swarmcast';
}

registerServiceWorker();
player.addEventListener('listing', ({ detail }) => showListing(detail));
player.addEventListener('stats', ({ detail }) => {
  const watching = detail.node?.viewers ?? 0;
  $('watching').textContent = detail.node?.streamState === 'live' && watching > 0 ? `${watching} watching` : '';
});
player.addEventListener('error', ({ detail }) => {
  if (!detail.fatal) console.warn(`swarmcast ${detail.type}: ${detail.detail}`);
});
// The chat speaks with the viewer's own voice, which exists once the viewer does.
player.addEventListener('ready', ({ detail: viewer }) => wireChat($('chat'), viewer), { once: true });
wireClipButton($('clip'), {
  get streamId() { return player.stream; },
  clip: () => player.viewer?.clip() ?? null,
}, (text) => { $('clip-status').textContent = text; });

// Read by the end-to-end tests and the benchmarks, and handy in the console.
window.swarmcast = {
  player,
  get viewer() { return player.viewer; },
  get video() { return player.video; },
  stats: () => player.viewer?.stats() ?? null,
};
// ?relay-only: every peer link through the server's TURN relay (trying out a TURN setup).
player.relayOnly = new URLSearchParams(location.search).has('relay-only');
player.stream = decodeURIComponent(location.pathname.split('/').pop());
