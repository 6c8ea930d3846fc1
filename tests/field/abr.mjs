// Adaptive bitrate on a real capped link (`npm run bench:abr`, docs/FIELD.md): a
// broadcaster of two renditions and 4 viewers, each in a network namespace and a
// Chromium of its own. After a warm-up, one viewer's downlink is capped by tc tbf below
// the top rendition's rate, then the cap is lifted. Sampled every 250 ms: which
// rendition each viewer's engine hands its player, and its stalls. The figures: how
// long the capped viewer took to go down and to come back up, whether it stalled, the
// share of time the others spent on the top rendition, and what each rendition's
// encoder cost the broadcaster.
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { openViewer, startBroadcast, waitPlaying } from '../browser/pages.mjs';
import { launchIn, startServers } from './browsers.mjs';
import { Field } from './netns.mjs';

const SAMPLE_MS = 250;

/** @param {import('playwright-core').Page} page */
const sampleViewer = (page) => page.evaluate(() => {
  const stats = /** @type {any} */ (window).swarmcast.stats();
  const e = stats.node?.engine ?? {};
  return { rendition: /** @type {number} */ (e.rendition ?? 0), stalls: /** @type {number} */ (stats.player.stalls),
    stalledMs: /** @type {number} */ (stats.player.stalledMs), reason: /** @type {string} */ (e.abr_reason ?? ''),
    linkKbit: Math.round(((e.abr_link_bytes_per_s ?? 0) * 8) / 1000), bufferMs: /** @type {number} */ (e.abr_buffer_ms ?? 0),
    receivedBytes: /** @type {number} */ (e.media_bytes_received ?? 0), duplicateBytes: /** @type {number} */ (e.duplicate_bytes_received ?? 0),
    timedOut: /** @type {number} */ (e.requests_timed_out ?? 0),
    next: [e.next_chunk_seq, e.next_chunk_pieces_held, e.next_chunk_pieces, e.next_chunk_pieces_asked].join(' ') };
});

/**
 * Samples every viewer for `ms`; returns the samples, each stamped with ms since `start`.
 * @param {import('playwright-core').Page[]} viewers
 * @param {number} start
 * @param {number} ms
 */
async function watch(viewers, start, ms) {
  const samples = [];
  for (const end = Date.now() + ms; Date.now() < end; await sleep(SAMPLE_MS)) {
    const at = Date.now() - start;
    samples.push({ at, viewers: await Promise.all(viewers.map(sampleViewer)) });
  }
  return samples;
}

/**
 * Seconds from `since` to the first sample at or after it where `predicate` holds, or null.
 * @param {{ at: number, viewers: Awaited<ReturnType<typeof sampleViewer>>[] }[]} samples
 * @param {number} since
 * @param {(sample: Awaited<ReturnType<typeof sampleViewer>>) => boolean} predicate
 */
function secondsUntil(samples, since, predicate) {
  const hit = samples.find((s) => s.at >= since && predicate(s.viewers[0]));
  return hit ? +((hit.at - since) / 1000).toFixed(2) : null;
}

/**
 * @param {{ capKbit?: number, rungs?: string, viewers?: number, warmUpS?: number, capS?: number, liftS?: number }} [options]
 *   rungs: the broadcaster element's renditions attribute (height:kbit/s, highest first)
 */
export async function abrOnCappedLink({ capKbit = 1000, rungs = '360p:1400, 180p:300', viewers: count = 4, warmUpS = 10, capS = 20, liftS = 20 } = {}) {
  const field = await Field.create();
  try {
    const server = await startServers(field);
    const hosts = [await field.addHost('bc')];
    for (let i = 0; i < count; i++) hosts.push(await field.addHost(i === 0 ? 'capped' : `v${i}`));
    const [bcBrowser, ...viewerBrowsers] = await Promise.all(hosts.map((host) => launchIn(field, host, server.url)));
    const broadcast = await startBroadcast(bcBrowser, server, { query: `?renditions=${encodeURIComponent(rungs)}` });
    /** @type {import('playwright-core').Page[]} */
    const viewers = [];
    for (const browser of viewerBrowsers) viewers.push(await openViewer(browser, server, broadcast.streamId));
    await waitPlaying(viewers, 30_000);

    const start = Date.now();
    const warm = await watch(viewers, start, warmUpS * 1000);
    const cappedAt = Date.now() - start;
    await field.setDownlink(hosts[1], capKbit);
    const capped = await watch(viewers, start, capS * 1000);
    const liftedAt = Date.now() - start;
    await field.setDownlink(hosts[1], null);
    const lifted = await watch(viewers, start, liftS * 1000);
    const samples = [...warm, ...capped, ...lifted];

    const bc = await broadcast.page.evaluate(() => {
      const s = /** @type {any} */ (window).swarmcast.stats();
      return { encoding: s.encoding, encoderCpuShare: s.encoderCpuShare, framesSkipped: s.framesSkipped,
        renditions: s.renditions.map((/** @type {any} */ r) => ({ id: r.id, height: r.height, bitrate: r.bitrate,
          measuredBitsPerS: r.measuredBitsPerS, encodeMsPerFrame: r.encodeMsPerFrame, encoderCpuShare: r.encoderCpuShare })),
        sourceUploadFactor: s.sourceUploadFactor };
    });
    const first = samples[0].viewers;
    const last = samples.at(-1).viewers;
    const timeline = (/** @type {typeof samples} */ of, /** @type {number} */ i) =>
      of.filter((s, k) => k === 0 || s.viewers[i].rendition !== of[k - 1].viewers[i].rendition)
        .map((s) => ({ atS: s.at / 1000, rendition: s.viewers[i].rendition, reason: s.viewers[i].reason }));
    const onTop = (/** @type {number} */ i) => samples.filter((s) => s.viewers[i].rendition === 0).length / samples.length;
    return {
      capKbit, rungs, viewers: count, cappedAtS: cappedAt / 1000, liftedAtS: liftedAt / 1000,
      wentDownAfterS: secondsUntil(samples, cappedAt, (v) => v.rendition !== 0),
      cameBackUpAfterS: secondsUntil(samples, liftedAt, (v) => v.rendition === 0),
      cappedOnTopWhileCapped: +(capped.filter((s) => s.viewers[0].rendition === 0).length / capped.length).toFixed(3),
      cappedStalls: last[0].stalls - first[0].stalls,
      cappedStalledMs: last[0].stalledMs - first[0].stalledMs,
      othersOnTopShare: viewers.slice(1).map((_, i) => +onTop(i + 1).toFixed(3)),
      othersStalls: last.slice(1).map((v, i) => v.stalls - first[i + 1].stalls),
      cappedTimeline: timeline(samples, 0),
      // The others' switches too: one off the top level says when, and why.
      othersTimelines: viewers.slice(1).map((_, i) => timeline(samples, i + 1)),
      // What the capped viewer's rule saw, once a second: its link's rate, its buffer, its
      // reason, its stalls; and what its link carried since the last line: new media and
      // duplicates (kbit/s), and requests that timed out.
      cappedEverySecondColumns: ['s', 'rendition', 'linkKbit', 'bufferMs', 'reason', 'stalls', 'mediaKbit', 'duplicateKbit', 'timedOut',
        'next chunk: seq, pieces held, pieces, pieces asked'],
      cappedEverySecond: samples.filter((_, i) => i % Math.round(1000 / SAMPLE_MS) === 0).map((s, i, every) => {
        const { rendition, linkKbit, bufferMs, reason, stalls, receivedBytes, duplicateBytes, timedOut, next } = s.viewers[0];
        const before = every[i - 1] ?? s;
        const last = before.viewers[0];
        const seconds = Math.max(1, s.at - before.at) / 1000;
        const kbit = (/** @type {number} */ bytes) => Math.round((bytes * 8) / 1000 / seconds);
        return [+(s.at / 1000).toFixed(1), rendition, linkKbit, bufferMs, reason, stalls,
          kbit(receivedBytes - last.receivedBytes), kbit(duplicateBytes - last.duplicateBytes), timedOut - last.timedOut, next];
      }),
      broadcaster: bc,
      loadAverage1m: +loadavg()[0].toFixed(2),
      problems: [broadcast.page, ...viewers].flatMap((page) => page.problems),
    };
  } finally {
    await field.close();
  }
}
