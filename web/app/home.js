// The / page: who is live now (GET /api/streams), with viewer counts and a link to
// each stream, refreshed every few seconds while the page is visible.
import { registerServiceWorker } from './pwa.js';

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);

function liveFor(startedAt) {
  const minutes = Math.floor((Date.now() - startedAt) / 60_000);
  if (minutes < 1) return 'just started';
  if (minutes < 60) return `live for ${minutes} min`;
  return `live for ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function streamItem({ streamId, viewers, startedAt }) {
  const item = document.createElement('li');
  item.className = 'stream';
  item.dataset.streamId = streamId;
  const link = document.createElement('a');
  link.href = `/watch/${encodeURIComponent(streamId)}`;
  link.textContent = `Stream ${streamId.slice(0, 8)}…`;
  const count = document.createElement('span');
  count.className = 'viewers';
  count.textContent = `${viewers} watching`;
  const age = document.createElement('span');
  age.className = 'hint';
  age.textContent = liveFor(startedAt);
  item.append(link, count, age);
  return item;
}

// Most watched first, then the newest.
function render(streams) {
  const sorted = [...streams].sort((a, b) => b.viewers - a.viewers || b.startedAt - a.startedAt);
  $('streams').replaceChildren(...sorted.map(streamItem));
  $('empty').hidden = sorted.length > 0;
  $('list-error').textContent = '';
}

async function refresh() {
  try {
    const response = await fetch('/api/streams', { cache: 'no-store' });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    render(await response.json());
  } catch (error) {
    $('list-error').textContent = `Cannot load the live list: ${error.message}`;
  }
}

async function loop() {
  if (document.visibilityState === 'visible') await refresh();
  setTimeout(loop, REFRESH_MS);
}

registerServiceWorker();
loop();
