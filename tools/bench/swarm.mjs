#!/usr/bin/env node
// The swarm in real browsers: one headless Chromium, a broadcaster tab with the test
// pattern and N viewer tabs on the local signaling server, measured for S seconds.
//   node tools/bench/swarm.mjs [--viewers 6] [--seconds 30]
// Prints one JSON object with the metrics of DESIGN.md ("What we measure"). The pages
// share the machine's cores, so on a small machine the numbers say as much about the
// CPU as about the swarm; compare runs on the same machine.
import { parseArgs } from 'node:util';
import { startServer } from '../server/server.js';
import { launchChromium } from '../../tests/browser/launch.mjs';
import { broadcasterStats, openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from '../../tests/browser/pages.mjs';

const { values } = parseArgs({ options: { viewers: { type: 'string', default: '6' }, seconds: { type: 'string', default: '30' } } });
const viewerCount = Number(values.viewers);
const seconds = Number(values.seconds);
if (!(viewerCount >= 1 && seconds >= 5)) throw new RangeError('--viewers ≥ 1 and --seconds ≥ 5');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, digits = 3) => Number(x.toFixed(digits));

const server = await startServer({ port: 0 });
const browser = await launchChromium();
try {
  const broadcast = await startBroadcast(browser, server);
  const viewers = [];
  for (let i = 0; i < viewerCount; i++) viewers.push(await openViewer(browser, server, broadcast.streamId));
  await waitPlaying(viewers, 30_000);
  const start = await Promise.all(viewers.map(viewerStats));
  await sleep(seconds * 1000);
  const end = await Promise.all(viewers.map(viewerStats));
  const source = await broadcasterStats(broadcast.page);

  const received = end.reduce((sum, s) => sum + s.received, 0);
  const mediaSent = source.sent + end.reduce((sum, s) => sum + s.sent, 0);
  const controlSent = source.controlSent + end.reduce((sum, s) => sum + s.controlSent, 0);
  const stalledMs = end.reduce((sum, s, i) => sum + s.stalledMs - start[i].stalledMs, 0);
  console.log(JSON.stringify({
    bench: 'swarm-browser',
    viewers: viewerCount,
    seconds,
    p2p_offload: round(1 - source.sent / received),
    source_upload_factor: round(source.factor),
    startup_ms: { median: median(end.map((s) => s.startupMs)), max: Math.max(...end.map((s) => s.startupMs)) },
    glass_to_glass_ms_median: Math.round(median(end.map((s) => s.latencyMs))),
    handover_latency_ms: { p50_median: median(end.map((s) => s.handoverLatencyMs)), p95_max: Math.max(...end.map((s) => s.latencyP95Ms)) },
    behind_live_s_median: round(median(end.map((s) => s.behindLiveSeconds)), 2),
    rebuffer_ratio: round(stalledMs / (viewerCount * seconds * 1000), 4),
    control_overhead: round(controlSent / mediaSent, 4),
    chunks_skipped: end.reduce((sum, s) => sum + s.chunksSkipped, 0),
    produced_bytes: source.produced,
  }, null, 2));
} finally {
  await browser.close();
  await server.close();
}
