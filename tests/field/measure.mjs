// What the field scenarios read from a page: the engine's counters and the player's
// stall time (window.swarmcast.stats()), and, from outside the product's code, which
// candidate pair each RTCPeerConnection selected (the browser's own getStats()).

// Runs before the page's scripts: keeps every RTCPeerConnection the page makes.
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.fieldPeerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.fieldPeerConnections.push(this); }
  };
})();`;

/**
 * A viewer's counters, cumulative since it joined.
 * @param {import('playwright-core').Page} page
 */
export function engineCounters(page) {
  return page.evaluate(() => {
    const stats = /** @type {any} */ (window).swarmcast.stats();
    const e = stats.node?.engine ?? {};
    return {
      startupMs: /** @type {number | null} */ (stats.startupMs),
      stalledMs: /** @type {number} */ (stats.player.stalledMs),
      received: e.media_bytes_received ?? 0, fromSource: e.media_bytes_from_source ?? 0, mediaSent: e.media_bytes_sent ?? 0,
      requestsReceived: e.piece_requests_received ?? 0, requestsServed: e.piece_requests_served ?? 0,
      requestsRefused: e.piece_requests_refused ?? 0, requestsTimedOut: e.requests_timed_out ?? 0,
      msOnRendition: /** @type {Record<number, number>} */ (stats.rendition?.msOn ?? {}),
    };
  });
}

/**
 * For each open RTCPeerConnection of the page: the candidate types of its selected
 * pair, e.g. { local: 'relay', remote: 'srflx' }.
 * @param {import('playwright-core').Page} page
 */
export function selectedPairs(page) {
  return page.evaluate(async () => {
    const connections = /** @type {RTCPeerConnection[]} */ (/** @type {any} */ (window).fieldPeerConnections ?? []);
    const pairs = [];
    for (const pc of connections) {
      if (pc.connectionState !== 'connected') continue;
      /** @type {Map<string, any>} */
      const report = new Map();
      (await pc.getStats()).forEach((stat) => report.set(stat.id, stat));
      const transport = [...report.values()].find((stat) => stat.type === 'transport' && stat.selectedCandidatePairId);
      const pair = transport && report.get(transport.selectedCandidatePairId);
      if (!pair) continue;
      pairs.push({ local: report.get(pair.localCandidateId)?.candidateType, remote: report.get(pair.remoteCandidateId)?.candidateType });
    }
    return pairs;
  });
}
