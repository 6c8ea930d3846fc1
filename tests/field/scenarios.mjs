// The two field scenarios, shared by their tests (tests/browser/field-*.test.mjs) and
// `npm run bench:field`. Each builds its own field, runs a broadcaster and viewers in
// Chromium processes of their own, and returns its figures as plain data; the field is
// torn down whatever happens.
import { setTimeout as sleep } from 'node:timers/promises';
import { broadcasterStats, openViewer, secondsOnRenditions, startBroadcast, waitPlaying } from '../browser/pages.mjs';
import { launchIn, startServers } from './browsers.mjs';
import { Field } from './netns.mjs';
import { engineCounters, selectedPairs, RECORD_PEER_CONNECTIONS } from './measure.mjs';

const PIECE_BYTES = 16 * 1024;

/**
 * The scenario's figures, and what its teardown left behind (`leftovers`: namespaces
 * and processes, both empty when it was complete).
 * @template T
 * @param {(field: Field) => Promise<T>} scenario
 * @returns {Promise<T & { leftovers: { namespaces: string[], processes: number[] } }>}
 */
async function inField(scenario) {
  const field = await Field.create();
  let figures;
  try {
    figures = await scenario(field);
  } finally {
    await field.close();
  }
  return { ...figures, leftovers: await field.leftovers() };
}

/**
 * Continuity of each viewer between two samples: the share of the window not stalled.
 * @param {Awaited<ReturnType<typeof engineCounters>>[]} first
 * @param {Awaited<ReturnType<typeof engineCounters>>[]} last
 * @param {number} windowMs
 */
function continuities(first, last, windowMs) {
  return last.map((s, i) => +(1 - Math.min(windowMs, s.stalledMs - first[i].stalledMs) / windowMs).toFixed(4));
}

/**
 * Broadcaster and 3 viewers on one bridge; viewer "capped" can send 1 Mbit/s (tc tbf)
 * while the stream is ~1.5 Mbit/s. After a warm-up, over `windowS` seconds: what its
 * peers asked of it (pieces requested of it, x 16 KiB) against its cap and what the
 * kernel let out of its link, and everyone's continuity.
 * @param {{ capKbit?: number, warmUpS?: number, windowS?: number }} [options]
 */
export function cappedLink({ capKbit = 1000, warmUpS = 10, windowS = 20 } = {}) {
  return inField(async (field) => {
    const server = await startServers(field);
    const hosts = await Promise.all([
      field.addHost('bc'), field.addHost('capped', { uplinkKbit: capKbit }), field.addHost('v2'), field.addHost('v3'),
    ]);
    const [bcBrowser, ...viewerBrowsers] = await Promise.all(hosts.map((host) => launchIn(field, host, server.url)));
    const broadcast = await startBroadcast(bcBrowser, server);
    /** @type {import('playwright-core').Page[]} */
    const viewers = [];
    for (const browser of viewerBrowsers) viewers.push(await openViewer(browser, server, broadcast.streamId));
    await waitPlaying(viewers, 20_000);
    await sleep(warmUpS * 1000);

    const sample = async () => ({
      at: Date.now(), viewers: await Promise.all(viewers.map(engineCounters)),
      link: await field.qdiscStats(hosts[1].ns, 'eth0'), source: await broadcasterStats(broadcast.page),
    });
    const first = await sample();
    await sleep(windowS * 1000);
    const last = await sample();
    const seconds = (last.at - first.at) / 1000;
    const [capped, c0] = [last.viewers[0], first.viewers[0]];
    const delta = (/** @type {keyof typeof capped} */ key) => Number(capped[key]) - Number(c0[key]);
    return {
      capKbit,
      windowS: +seconds.toFixed(1),
      streamKbit: Math.round(((last.source.produced - first.source.produced) * 8) / seconds / 1000),
      askedKbit: Math.round((delta('requestsReceived') * PIECE_BYTES * 8) / seconds / 1000),
      servedKbit: Math.round((delta('requestsServed') * PIECE_BYTES * 8) / seconds / 1000),
      sentKbit: Math.round((delta('mediaSent') * 8) / seconds / 1000),
      linkKbit: Math.round(((last.link.bytes - first.link.bytes) * 8) / seconds / 1000),
      linkDrops: last.link.drops - first.link.drops,
      refusedPerS: +(delta('requestsRefused') / seconds).toFixed(2),
      // Requests the other viewers gave up on (to anyone): a pile-up at the capped one shows here.
      othersTimedOutPerS: +(last.viewers.slice(1).reduce((sum, s, i) => sum + s.requestsTimedOut - first.viewers[i + 1].requestsTimedOut, 0) / seconds).toFixed(2),
      continuity: continuities(first.viewers, last.viewers, last.at - first.at),
      secondsOnRenditions: secondsOnRenditions(first.viewers, last.viewers),
      problems: [broadcast.page, ...viewers].flatMap((page) => page.problems),
    };
  });
}

/**
 * What the source produced over a window of the renditions its viewers played: of each,
 * its bytes weighed by the longest share of the window any one viewer played it. A
 * viewer that goes down a level is sent that level by the source (nobody else holds
 * it): those are other bytes sent once, not the top level's sent twice.
 * @param {{ at: number, source: Awaited<ReturnType<typeof broadcasterStats>> }} first
 * @param {typeof first} last
 * @param {Record<string, number>[]} played each viewer's seconds on each rendition over the window
 */
function producedPlayed(first, last, played) {
  const ids = Object.keys(last.source.producedOf);
  if (ids.length === 0) return last.source.produced - first.source.produced;
  const windowS = (last.at - first.at) / 1000;
  return ids.reduce((sum, id) => {
    const share = Math.min(1, Math.max(0, ...played.map((seconds) => seconds[id] ?? 0)) / windowS);
    return sum + (last.source.producedOf[id] - (first.source.producedOf[id] ?? 0)) * share;
  }, 0);
}

/**
 * Everyone behind a NAT: the broadcaster and 3 viewers behind plain masquerade (hole
 * punching works between them), then a 4th viewer behind a port-randomising NAT, which
 * can reach the others only through the TURN relay. Its join-to-first-frame time, the
 * candidate types of its links, and the broadcaster's upload factor over `windowS`
 * seconds with all 4 watching.
 * @param {{ windowS?: number }} [options]
 */
export function natAndTurn({ windowS = 20 } = {}) {
  return inField(async (field) => {
    const server = await startServers(field, { turn: true });
    const hosts = await Promise.all([
      field.addHost('bc', { nat: 'cone' }), field.addHost('v1', { nat: 'cone' }), field.addHost('v2', { nat: 'cone' }),
      field.addHost('v3', { nat: 'cone' }), field.addHost('relayonly', { nat: 'random' }),
    ]);
    const [bcBrowser, ...viewerBrowsers] = await Promise.all(hosts.map((host) => launchIn(field, host, server.url)));
    const broadcast = await startBroadcast(bcBrowser, server);
    /** @type {import('playwright-core').Page[]} */
    const viewers = [];
    for (const browser of viewerBrowsers.slice(0, 3)) {
      viewers.push(await openViewer(browser, server, broadcast.streamId, { initScript: RECORD_PEER_CONNECTIONS }));
    }
    await waitPlaying(viewers, 20_000);
    const relayOnly = await openViewer(viewerBrowsers[3], server, broadcast.streamId, { initScript: RECORD_PEER_CONNECTIONS });
    viewers.push(relayOnly);
    await waitPlaying([relayOnly], 20_000);
    const joined = await engineCounters(relayOnly);
    // Where its join time went: ms from the viewer's start to each step (signaling,
    // first link open, first chunk, first frame).
    const joinPhases = await relayOnly.evaluate(() => /** @type {any} */ (window).swarmcast.stats().startupPhases);

    const first = { at: Date.now(), source: await broadcasterStats(broadcast.page), viewers: await Promise.all(viewers.map(engineCounters)) };
    await sleep(windowS * 1000);
    const last = { at: Date.now(), source: await broadcasterStats(broadcast.page), viewers: await Promise.all(viewers.map(engineCounters)) };
    const played = secondsOnRenditions(first.viewers, last.viewers);
    return {
      relayOnlyStartupMs: joined.startupMs,
      relayOnlyStartupPhases: joinPhases,
      relayOnlyLinks: await selectedPairs(relayOnly),
      otherLinks: await selectedPairs(viewers[0]),
      // Of what each viewer received over the window, the share its peers sent (the
      // relay-only one last).
      shareFromPeers: last.viewers.map((s, i) => {
        const received = s.received - first.viewers[i].received;
        return +(1 - (s.fromSource - first.viewers[i].fromSource) / Math.max(1, received)).toFixed(3);
      }),
      sourceUploadFactor: +((last.source.sent - first.source.sent) / Math.max(1, last.source.produced - first.source.produced)).toFixed(3),
      sourceUploadFactorPlayed: +((last.source.sent - first.source.sent) / Math.max(1, producedPlayed(first, last, played))).toFixed(3),
      sourceUploadFactorWhole: +last.source.factor.toFixed(3),
      viewers: last.source.viewers,
      windowS: +((last.at - first.at) / 1000).toFixed(1),
      continuity: continuities(first.viewers, last.viewers, last.at - first.at),
      secondsOnRenditions: played,
      problems: [broadcast.page, ...viewers].flatMap((page) => page.problems),
    };
  });
}
