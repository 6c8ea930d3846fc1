// The / page: who is live now (GET /api/streams): each stream's picture, title, tags,
// viewer count and a link to watch it, refreshed every few seconds while the page is
// visible. /?tag=music lists only the streams tagged so.
import { registerServiceWorker } from './pwa.js';
import { tagLink } from './tag-link.js';

const REFRESH_MS = 3000;
const THUMBNAIL_REFRESH_MS = 10_000;  // the broadcaster sends a new one every ~10 s
const $ = (id) => document.getElementById(id);

function liveFor(startedAt) {
  const minutes = Math.floor((Date.now() - startedAt) / 60_000);
  if (minutes < 1) return 'just started';
  if (minutes < 60) return `live for ${minutes} min`;
  return `live for ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}


function streamItem({ streamId, viewers, startedAt, title, tags = [], thumbnail }) {
  const item = document.createElement('li');
  item.className = 'stream';
  item.dataset.streamId = streamId;
  const link = document.createElement('a');
  link.href = `/watch/${encodeURIComponent(streamId)}`;
  if (thumbnail) {
    const picture = document.createElement('img');
    picture.className = 'thumbnail';
    picture.alt = '';
    picture.src = `${thumbnail}?v=${Math.floor(Date.now() / THUMBNAIL_REFRESH_MS)}`;
    link.append(picture, document.createElement('br'));
  }
  const name = document.createElement('span');
  name.className = 'title';
  name.textContent = title || `Stream ${streamId.slice(0, 8)}…`;
  link.append(name);
  const count = document.createElement('span');
  count.className = 'viewers';
  count.textContent = `${viewers} watching`;
  const age = document.createElement('span');
  age.className = 'hint';
  age.textContent = liveFor(startedAt);
  item.append(link, count, age);
  if (tags.length) {
    const list = document.createElement('span');
    list.className = 'tags';
    list.append(...tags.map(tagLink));
    item.append(list);
  }
  return item;
}

const tagFilter = new URLSearchParams(location.search).get('tag');

// Most watched first, then the newest.
function render(streams) {
  const shown = tagFilter ? streams.filter((s) => s.tags?.includes(tagFilter)) : streams;
  const sorted = [...shown].sort((a, b) => b.viewers - a.viewers || b.startedAt - a.startedAt);
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

if (tagFilter) {
  $('filter').hidden = false;
  $('filter-tag').textContent = `#${tagFilter}`;
}
registerServiceWorker();
loop();
