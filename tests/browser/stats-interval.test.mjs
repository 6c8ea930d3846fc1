// The pages report their stats as often as the server asks (welcome.statsIntervalMs,
// and each pong), not on their own 2 s timer: a full instance asks its clients for
// fewer reports, and the product's client must follow, or the instance's relief is
// only on paper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, waitPlaying } from './pages.mjs';

// An eighth of a report a second for the instance: a lone client every 8 s, two every 16 s.
const session = serverAndBrowser({ limits: { statsIntervalMs: 2000, statsReportsPerS: 0.125 } });
const SHORTEST_ASKED_MS = 8000;
const WINDOW_MS = 16_000;

/** @returns {Promise<number>} the stats messages the server has taken so far */
async function statsReceived(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('swarmcast_messages_received_total{') && l.includes('type="stats"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('a broadcaster and a viewer report their stats at the interval the server asks for', async () => {
  const { browser, server } = session;
  const broadcast = await startBroadcast(browser, server);
  const viewer = await openViewer(browser, server, broadcast.streamId);
  await waitPlaying([viewer], 15_000);
  await waitFor(async () => (await statsReceived(server)) > 0, { timeoutMs: 20_000, what: 'a first report' });
  const before = await statsReceived(server);
  await sleep(WINDOW_MS);
  const reports = (await statsReceived(server)) - before;
  // Each client reports once per interval asked, give or take one at the window's
  // edges; on their own 2 s timers the two would send 16.
  const most = 2 * (WINDOW_MS / SHORTEST_ASKED_MS + 1);
  assert.ok(reports >= 1 && reports <= most, `${reports} reports in ${WINDOW_MS / 1000} s (at most ${most})`);
});
