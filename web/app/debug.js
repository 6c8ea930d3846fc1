// The /debug page: a test-pattern broadcast and several viewers in one page, each a
// tile with its video and numbers, under simulated network conditions
// (NetworkConditions) changed live from the sliders. For seeing the swarm work, and
// misbehave, on one machine.
import {
  Broadcaster, NetworkConditions, Viewer, loadCore, missingFeatures, openTestPattern, signalingUrl, unsupportedMessage,
} from '../shim/index.js';

const $ = (id) => document.getElementById(id);
const MAX_VIEWERS = 8;

function viewerCountAsked() {
  const asked = Number(new URLSearchParams(location.search).get('viewers') ?? 3);
  return Number.isInteger(asked) ? Math.min(Math.max(asked, 0), MAX_VIEWERS) : 3;
}

function tile(number) {
  const item = document.createElement('li');
  item.className = 'tile';
  const video = Object.assign(document.createElement('video'), { muted: true, playsInline: true });
  const numbers = document.createElement('div');
  numbers.className = 'tile-numbers';
  numbers.textContent = `viewer ${number}: connecting`;
  item.append(video, numbers);
  return { item, video, numbers };
}

function describe(number, s) {
  const latency = s.latencyMs ? `${(s.latencyMs / 1000).toFixed(1)} s` : '–';
  return `viewer ${number}: ${s.state} · peers ${s.peers} · from peers ${Math.round(s.shareFromPeers * 100)} % · `
    + `latency ${latency} · stalls ${s.player.stalls}`;
}

function wireSlider(id, apply, unit) {
  const update = () => {
    apply(Number($(id).value));
    $(`${id}-out`).textContent = `${$(id).value} ${unit}`;
  };
  $(id).addEventListener('input', update);
  update();
}

async function main() {
  const missing = missingFeatures({ broadcast: true });
  if (missing.length) {
    $('error').textContent = unsupportedMessage(missing);
    return;
  }
  const core = await loadCore();
  const network = new NetworkConditions();
  wireSlider('latency', (ms) => { network.latencyMs = ms; }, 'ms');
  wireSlider('jitter', (ms) => { network.jitterMs = ms; }, 'ms');
  wireSlider('loss', (percent) => { network.lossRate = percent / 100; }, '%');

  // A stream key of its own for each visit: the debug stream is never the visitor's.
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const broadcaster = new Broadcaster({ core, seed, signalingUrl: signalingUrl(), network });
  const pattern = openTestPattern();
  await broadcaster.goLive(pattern.stream);

  const viewers = [];
  let started = 0;
  const addViewer = async () => {
    if (viewers.length >= MAX_VIEWERS) return;
    const number = ++started;
    const { item, video, numbers } = tile(number);
    $('tiles').append(item);
    const viewer = new Viewer({ core, streamId: broadcaster.streamId, video, signalingUrl: signalingUrl(), network });
    viewers.push({ number, viewer, item, numbers });
    await viewer.start();
  };
  const removeViewer = () => {
    const gone = viewers.pop();
    gone?.viewer.stop();
    gone?.item.remove();
  };
  $('add-viewer').addEventListener('click', addViewer);
  $('remove-viewer').addEventListener('click', removeViewer);
  window.addEventListener('pagehide', () => {
    viewers.forEach(({ viewer }) => viewer.stop());
    broadcaster.stop();
  });
  // Read by the end-to-end test and handy in the console.
  window.swarmcast = { broadcaster, network, viewers: () => viewers.map(({ viewer }) => viewer) };
  for (let i = viewerCountAsked(); i > 0; i--) await addViewer();

  setInterval(() => {
    const s = broadcaster.stats();
    $('source-numbers').textContent = `source upload factor ${s.producedBytes ? s.sourceUploadFactor.toFixed(2) : '–'} · `
      + `${s.viewers} watching`;
    for (const { number, viewer, numbers } of viewers) numbers.textContent = describe(number, viewer.stats());
  }, 1000);

}

main().catch((error) => { $('error').textContent = `swarmcast failed to start: ${error.message}`; });
