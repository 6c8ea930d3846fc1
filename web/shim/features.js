// What a page needs from the browser, checked before anything starts, so a browser
// that lacks it gets a plain sentence instead of a stack trace.
/**
 * Browser features a page lacks, as names for a person; empty when all are there.
 * @param {{ broadcast?: boolean }} [options] broadcast: a broadcaster's page (MediaRecorder, not MediaSource)
 * @returns {string[]}
 */
export function missingFeatures({ broadcast = false } = {}) {
  const needs = [
    ['WebAssembly', 'WebAssembly'],
    ['WebSocket', 'WebSocket'],
    ['RTCPeerConnection', 'WebRTC (RTCPeerConnection)'],
  ];
  if (broadcast) needs.push(['MediaRecorder', 'MediaRecorder']);
  else needs.push(['MediaSource', 'Media Source Extensions (MediaSource)']);
  return needs.filter(([name]) => !(name in globalThis)).map(([, label]) => label);
}

/**
 * The sentence a page shows instead of itself when features are missing.
 * @param {string[]} missing missingFeatures()'s answer
 * @returns {string}
 */
export function unsupportedMessage(missing) {
  return `This browser cannot run swarmcast: it lacks ${missing.join(', ')}. ` +
    'Try a recent Chrome, Edge or Firefox.';
}
