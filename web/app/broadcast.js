// The /broadcast page: pick a source, preview it, go live, share the link, watch the
// numbers. All the work is in web/shim; this file wires it to the DOM.
import {
  Broadcaster, loadCore, loadOrCreateSeed, missingFeatures, openCamera, openScreen, openScreenWithCamera, openTestPattern,
  signalingUrl, unsupportedMessage,
} from '../shim/index.js';
import { registerServiceWorker } from './pwa.js';
import { wireChat } from './chat-panel.js';
import { wireClipButton } from './save-clip.js';
import { SwarmDashboard } from './swarm-dashboard.js';
import { keep, readKept } from './kept.js';

const $ = (id) => document.getElementById(id);
const OPENERS = { test: openTestPattern, camera: openCamera, screen: openScreen, 'screen-camera': openScreenWithCamera };

const LISTING_KEY = 'swarmcast.listing';

function savedListing() {
  try {
    const saved = JSON.parse(readKept(LISTING_KEY) ?? '{}');
    return { title: String(saved.title ?? ''), tags: Array.isArray(saved.tags) ? saved.tags.map(String) : [] };
  } catch {
    return { title: '', tags: [] };
  }
}

function showError(text) {
  $('error').textContent = text;
}

// While live the source stays choosable: choosing another switches the stream to it.
function setLiveControls(live) {
  $('go-live').disabled = live;
  $('preview-button').disabled = live;
  $('stop').disabled = !live;
}

function setStatus(text) {
  $('status').hidden = !text;
  $('status').textContent = text ?? '';
}

async function main() {
  registerServiceWorker();
  const missing = missingFeatures({ broadcast: true });
  if (missing.length) {
    $('unsupported').hidden = false;
    $('unsupported').textContent = unsupportedMessage(missing);
    document.querySelectorAll('button, select').forEach((el) => { el.disabled = true; });
    return;
  }
  const core = await loadCore();
  // The title and tags stay with this browser, like the stream key.
  const listing = savedListing();
  $('title').value = listing.title;
  $('tags').value = listing.tags.join(', ');
  const broadcaster = new Broadcaster({ core, seed: loadOrCreateSeed(), signalingUrl: signalingUrl(), listing });
  const shareLink = `${location.origin}/watch/${broadcaster.streamId}`;
  $('share-link').value = shareLink;
  let source = null;

  let sourceKind = null;  // the OPENERS key of `source`

  const open = async () => {
    showError('');
    try {
      return await OPENERS[$('source').value]();
    } catch (error) {
      showError(`Cannot open the ${$('source').selectedOptions[0].text.toLowerCase()}: ${error.message}`);
      return null;
    }
  };

  const preview = async () => {
    source?.stop();
    source = await open();
    sourceKind = source ? $('source').value : null;
    if (!source) return false;
    $('preview').srcObject = source.stream;
    setStatus(null);
    $('go-live').disabled = broadcaster.live;
    return true;
  };

  // Live: the new source is opened first, so a refused camera or a cancelled screen
  // picker leaves the stream on the old one.
  const switchLive = async () => {
    $('source').disabled = true;
    const next = await open();
    try {
      if (!next) return;
      await broadcaster.switchSource(next.stream);
      source?.stop();
      source = next;
      sourceKind = $('source').value;
      $('preview').srcObject = source.stream;
    } catch (error) {
      next?.stop();
      showError(`Cannot switch source: ${error.message}`);
    } finally {
      if (sourceKind) $('source').value = sourceKind;
      $('source').disabled = false;
    }
  };

  $('preview-button').addEventListener('click', preview);
  $('source').addEventListener('change', () => {
    if (broadcaster.live) switchLive();
    else if (source) preview();
  });
  $('go-live').addEventListener('click', async () => {
    if (!source && !(await preview())) return;
    setLiveControls(true);
    $('stop').disabled = true;
    $('source').disabled = true;  // until live: the stream is handed over as it is now
    setStatus('Going live…');
    try {
      await broadcaster.goLive(source.stream);
    } catch (error) {
      showError(`Cannot go live: ${error.message}`);
      setStatus(null);
      setLiveControls(false);
    } finally {
      $('source').disabled = false;
    }
  });
  $('stop').addEventListener('click', () => broadcaster.stop());
  wireClipButton($('clip'), broadcaster, (text) => { $('clip-status').textContent = text; });
  wireChat($('chat'), broadcaster);
  const describe = () => {
    broadcaster.describe({ title: $('title').value, tags: $('tags').value });
    keep(LISTING_KEY, JSON.stringify(broadcaster.description));
  };
  $('title').addEventListener('change', describe);
  $('tags').addEventListener('change', () => {
    describe();
    $('tags').value = broadcaster.description.tags.join(', ');  // as the list will show them
  });
  $('copy').addEventListener('click', () => navigator.clipboard?.writeText(shareLink));

  broadcaster.addEventListener('live', () => {
    setStatus(null);
    setLiveControls(true);
    $('live-badge').hidden = false;
    $('dashboard').hidden = false;
  });
  broadcaster.addEventListener('ended', () => {
    setLiveControls(false);
    $('live-badge').hidden = true;
  });
  broadcaster.addEventListener('error', ({ detail }) => {
    if (detail.fatal) showError(`${detail.type}: ${detail.detail}`);
    else console.warn(`swarmcast ${detail.type}: ${detail.detail}`);
  });
  window.addEventListener('pagehide', () => broadcaster.stop());

  const dashboard = new SwarmDashboard($('dashboard'));
  setInterval(() => {
    const s = broadcaster.stats();
    if (s.live) dashboard.update(s);
    $('n-viewers').textContent = s.viewers;
    $('n-upload').textContent = `${Math.round((s.uploadBytesPerS * 8) / 1000)} kbit/s`;
    $('n-factor').textContent = s.producedBytes ? s.sourceUploadFactor.toFixed(2) : '–';
    $('n-produced').textContent = `${(s.producedBytes / 1e6).toFixed(1)} MB`;
    $('n-peers').textContent = s.node?.engine?.peers ?? 0;
  }, 1000);

  // Read by the end-to-end tests and handy in the console.
  window.swarmcast = { broadcaster, stats: () => broadcaster.stats(), get source() { return source; } };
  $('go-live').disabled = false;
  setStatus('Choose a source, then Preview or Go live');
}

main().catch((error) => showError(`swarmcast failed to start: ${error.message}`));
