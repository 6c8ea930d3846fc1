// An hour's watch in one headless Chromium: the local signaling server, a broadcaster
// with the test pattern and N viewers joined one by one, as bench:swarm starts them;
// then every few seconds each page's heaps, media buffer, DOM and links
// (page-sample.mjs) and each viewer's playback, until the time is up. Returns the
// samples and their summary (summary.mjs). npm run soak (main.mjs) prints it; the 3-minute
// browser test (tests/browser/soak.test.mjs) holds it to bounds.
import { startServer } from '../server/server.js';
import { launchChromium } from '../../tests/browser/launch.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from '../../tests/browser/pages.mjs';
import { installFrameProbe, machineCpuSeconds, takeFrameProbe } from '../../tests/browser/measure.mjs';
import { countQuotaRefusals, samplePage } from './page-sample.mjs';
import { summarize } from './summary.mjs';

export const SOAK_DEFAULTS = Object.freeze({ minutes: 60, viewers: 3, sampleEveryS: 10, settleMinutes: 5 });

// As bench:swarm: the viewers join a stream that is already live.
const STREAM_AGE_BEFORE_JOIN_MS = 3000;
const JOIN_TIMEOUT_MS = 30_000;
// The first minute after every viewer plays: the swarm is still placing its links and
// the players their latency target, so stalls count from here on.
const FIRST_MINUTE_S = 60;

const MB = 2 ** 20;

// A viewer's playback counters, cumulative: what continuity is judged on.
async function samplePlayback(page, frozen) {
  const stats = await viewerStats(page);
  frozen.ms += (await takeFrameProbe(page)).freezeMs;
  return {
    state: stats?.state ?? null, stalls: stats?.stalls ?? 0, stalledMs: stats?.stalledMs ?? 0, frozenMs: frozen.ms,
    behindLiveSeconds: stats?.behindLiveSeconds ?? 0, latencyMs: stats?.latencyMs ?? null, chunksSkipped: stats?.chunksSkipped ?? 0,
  };
}

// One stderr line per sample: the figures to watch while it runs.
function progressLine({ atS, pages }) {
  const mb = (bytes) => (bytes / MB).toFixed(1);
  const viewers = pages.filter((p) => p.playback);
  const clock = `${Math.floor(atS / 60)}:${String(Math.round(atS % 60)).padStart(2, '0')}`;
  return `soak ${clock} js MB ${pages.map((p) => mb(p.jsHeapBytes)).join('/')}`
    + ` wasm MB ${pages.map((p) => `${mb(p.wasmInUseBytes)} of ${mb(p.wasmHeapBytes)}`).join('/')}`
    + ` buffered s ${viewers.map((p) => p.buffered?.seconds.toFixed(1)).join('/')}`
    + ` links ${pages.map((p) => p.links.open).join('/')}`
    + ` stalls ${viewers.map((p) => p.playback.stalls).join('/')}`
    + ` frozen ms ${viewers.map((p) => Math.round(p.playback.frozenMs)).join('/')}`;
}

/**
 * @param {object} [options]
 * @param {number} [options.minutes] How long to sample once every viewer plays.
 * @param {number} [options.viewers]
 * @param {number} [options.sampleEveryS]
 * @param {number} [options.settleMinutes] Heap growth is counted from here on; default the smaller of 5 and a
 *   third of the run.
 * @param {string} [options.viewerInitScript] Runs in each viewer page before its own scripts.
 * @param {(line: string) => void} [options.log] Progress, one line at a time.
 */
export async function runSoak({
  minutes = SOAK_DEFAULTS.minutes, viewers: viewerCount = SOAK_DEFAULTS.viewers, sampleEveryS = SOAK_DEFAULTS.sampleEveryS,
  settleMinutes = Math.min(SOAK_DEFAULTS.settleMinutes, minutes / 3), viewerInitScript = '', log = () => {},
} = {}) {
  const server = await startServer({ port: 0 });
  let browser = null;
  try {
    browser = await launchChromium();
    const broadcast = await startBroadcast(browser, server, { initScript: countQuotaRefusals });
    log(`soak: broadcaster live on ${server.url}, stream ${broadcast.streamId}`);
    await sleep(STREAM_AGE_BEFORE_JOIN_MS);
    const viewers = [];
    for (let i = 0; i < viewerCount; i++) {
      viewers.push(await openViewer(browser, server, broadcast.streamId, { initScript: `(${countQuotaRefusals})();\n${viewerInitScript}` }));
      await waitPlaying(viewers.slice(-1), JOIN_TIMEOUT_MS);
      log(`soak: viewer ${i + 1} playing`);
    }
    await Promise.all(viewers.map(installFrameProbe));
    const pages = [broadcast.page, ...viewers];
    for (const page of pages) page.on('crash', () => page.problems.push('the page crashed'));
    const names = ['broadcaster', ...viewers.map((_, i) => `viewer ${i + 1}`)];
    const frozen = viewers.map(() => ({ ms: 0 }));

    const machineAtStart = machineCpuSeconds();
    const startedAt = performance.now();
    const samples = [];
    let aborted = null;
    for (let k = 0; k * sampleEveryS <= minutes * 60; k++) {
      await sleep(startedAt + k * sampleEveryS * 1000 - performance.now());
      try {
        const atS = (performance.now() - startedAt) / 1000;
        // One page at a time: each sample starts with a full garbage collection, and
        // four at once would take both cores from the pages' media for a moment.
        const sampled = [];
        for (const [i, page] of pages.entries()) {
          const playback = i > 0 ? await samplePlayback(page, frozen[i - 1]) : undefined;
          sampled.push({ page: names[i], ...(await samplePage(page)), ...(playback && { playback }) });
        }
        samples.push({ atS: Number(atS.toFixed(1)), pages: sampled });
        log(progressLine(samples[samples.length - 1]));
      } catch (error) {
        // A crashed or closed page: what was sampled until then is still the result.
        aborted = error instanceof Error ? error.message : String(error);
        log(`soak: sampling stopped: ${aborted}`);
        break;
      }
    }
    const machine = machineCpuSeconds();
    const summary = samples.length
      ? summarize(samples, { settleS: settleMinutes * 60, firstMinuteS: FIRST_MINUTE_S, problems: pages.map((p) => p.problems) })
      : null;
    return {
      soak: 'swarm-browser',
      viewers: viewerCount,
      sample_every_s: sampleEveryS,
      // Everything on the machine, this run included: stalls on a busy machine say as
      // much about the machine as about the swarm.
      machine_busy: Number(((machine.busy - machineAtStart.busy) / (machine.total - machineAtStart.total)).toFixed(2)),
      aborted,
      summary,
      samples,
    };
  } finally {
    await browser?.close();
    await server.close();
  }
}
