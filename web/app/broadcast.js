// The /broadcast page: pick a source, preview it, go live, share the link, watch the
// numbers. All the work is in web/shim; this file wires it to the DOM.
import {
  Broadcaster, loadCore, loadOrCreateSeed, missingFeatures, openCamera, openScreen, openTestPattern, signalingUrl,
  unsupportedMessage,
} from '../shim/index.js';
import { registerServiceWorker } from './pwa.js';

const $ = (id) => document.getElementById(id);
const OPENERS = { test: openTestPattern, camera: openCamera, screen: openScreen };

function showError(text) {
  $('error').textContent = text;
}

// While live the source is fixed: switching it would restart the recorder.
function setLiveControls(live) {
  $('go-live').disabled = live;
  $('source').disabled = live;
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
  const broadcaster = new Broadcaster({ core, seed: loadOrCreateSeed(), signalingUrl: signalingUrl() });
  const shareLink = `${location.origin}/watch/${broadcaster.streamId}`;
  $('share-link').value = shareLink;
  let source = null;

  const preview = async () => {
    showError('');
    source?.stop();
    source = null;
    try {
      source = await OPENERS[$('source').value]();
    } catch (error) {
      showError(`Cannot open the ${$('source').selectedOptions[0].text.toLowerCase()}: ${error.message}`);
      return false;
    }
    $('preview').srcObject = source.stream;
    setStatus(null);
    $('go-live').disabled = broadcaster.live;
    return true;
  };

  $('preview-button').addEventListener('click', preview);
  $('source').addEventListener('change', () => { if (source && !broadcaster.live) preview(); });
  $('go-live').addEventListener('click', async () => {
    if (!source && !(await preview())) return;
    setLiveControls(true);
    $('stop').disabled = true;
    setStatus('Going live…');
    try {
      await broadcaster.goLive(source.stream);
    } catch (error) {
      showError(`Cannot go live: ${error.message}`);
      setStatus(null);
      setLiveControls(false);
    }
  });
  $('stop').addEventListener('click', () => broadcaster.stop());
  $('copy').addEventListener('click', () => navigator.clipboard?.writeText(shareLink));

  broadcaster.addEventListener('live', () => {
    setStatus(null);
    setLiveControls(true);
    $('live-badge').hidden = false;
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

  setInterval(() => {
    const s = broadcaster.stats();
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
