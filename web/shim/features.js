// What a page needs from the browser, checked before anything starts, so a browser
// that lacks it gets a plain sentence instead of a stack trace.
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

export function unsupportedMessage(missing) {
  return `This browser cannot run swarmcast: it lacks ${missing.join(', ')}. ` +
    'Try a recent Chrome, Edge or Firefox.';
}
