// The broadcast page's dashboard: while live it charts what the broadcaster uploads
// against what the viewers relay (the server's 'swarm' summary of their reports), and
// shows the stream's health as the viewers see it and the viewers by role and by hops
// from the source, and the quality levels the viewers play.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, waitPlaying } from './pages.mjs';

const session = serverAndBrowser();

const VIEWERS = 3;
const sumOf = (xs) => xs.reduce((total, x) => total + x, 0);
const mediaSent = (page) => page.evaluate(() => window.swarmcast.stats().node.engine.media_bytes_sent);
const dashboardOf = (page) => page.evaluate(() => {
  const $ = (id) => document.getElementById(id);
  const counts = (selector) => [...document.querySelectorAll(selector)].map((el) => Number(el.textContent.match(/(\d+)$/)[1]));
  return {
    hidden: $('dashboard').hidden,
    chartWidth: $('carry-chart').querySelector('canvas')?.width ?? 0,
    legend: [...document.querySelectorAll('#carry-chart .u-legend .u-label')].map((el) => el.textContent),
    carried: $('n-carried').textContent,
    stream: $('n-stream').textContent,
    roles: counts('#roles .role:not([hidden])'),
    layers: counts('#layers li'),
    limited: $('limited').textContent,
    rebuffering: $('n-rebuffering').textContent,
    stalls: $('n-stalls').textContent,
    latency: $('n-latency').textContent,
    relayed: $('n-relayed').textContent,
    renditionRows: [...document.querySelectorAll('#renditions li')].map((el) => el.textContent),
    swarm: window.swarmcast.stats().swarm,
  };
});

test('the broadcast page shows how the swarm carries the stream, and who carries it', async () => {
  const { browser, server } = session;
  const broadcast = await startBroadcast(browser, server);
  const viewers = [];
  for (let i = 0; i < VIEWERS; i++) viewers.push(await openViewer(browser, server, broadcast.streamId));
  await waitPlaying(viewers, 15_000);
  // Long enough for the viewers to relay, report (every 2 s) and be summed (every 2 s).
  await waitFor(async () => (await dashboardOf(broadcast.page)).swarm?.carriedBytesPerS > 0,
    { timeoutMs: 15_000, what: 'the viewers to relay and report it' });

  // What the viewers' engines actually sent in a window, against what they reported.
  const before = await Promise.all(viewers.map(mediaSent));
  const startMs = Date.now();
  const reported = [];
  while (Date.now() - startMs < 8000) {
    await sleep(2000);
    reported.push((await dashboardOf(broadcast.page)).swarm.carriedBytesPerS);
  }
  const after = await Promise.all(viewers.map(mediaSent));
  const sentPerS = (sumOf(after) - sumOf(before)) / ((Date.now() - startMs) / 1000);
  const reportedPerS = sumOf(reported) / reported.length;
  assert.ok(reportedPerS > sentPerS / 3 && reportedPerS < sentPerS * 3,
    `the viewers relay ${Math.round(sentPerS)} B/s; the dashboard says ${Math.round(reportedPerS)} B/s`);

  // What each viewer tells the server of its answers, for the scorer's reliability.
  const engines = await Promise.all(viewers.map((page) => page.evaluate(() => window.swarmcast.stats().node.engine)));
  assert.ok(sumOf(engines.map((e) => e.piece_requests_served)) > 0, 'the viewers answered requests');
  for (const e of engines) assert.ok(e.piece_requests_served + e.piece_requests_refused <= e.piece_requests_received);

  const shown = await dashboardOf(broadcast.page);
  assert.equal(shown.hidden, false);
  assert.ok(shown.chartWidth > 100, `the chart is drawn (${shown.chartWidth} px)`);
  assert.deepEqual(shown.legend, ['You upload', 'Viewers relay', 'Stream']);
  assert.match(shown.carried, /^[1-9]\d* kbit\/s$/);
  assert.match(shown.stream, /^[1-9]\d* kbit\/s$/);
  assert.equal(shown.swarm.viewers, VIEWERS);
  assert.equal(sumOf(shown.roles), VIEWERS, `roles ${shown.roles}`);
  assert.equal(sumOf(shown.layers), VIEWERS, `layers ${shown.layers}`);
  assert.equal(shown.limited, 'Every viewer can relay.');
  // Direct links on loopback: none through TURN (each link counted at both ends).
  assert.ok(shown.swarm.links.open >= 2 * VIEWERS, `links ${JSON.stringify(shown.swarm.links)}`);
  assert.equal(shown.swarm.links.relayed, 0);
  assert.equal(shown.relayed, '0 %');
  // The stream's health as the viewers report it.
  assert.equal(shown.swarm.health.reporting, VIEWERS);
  assert.ok(shown.swarm.health.watchedMs > VIEWERS * 5000, `watched ${shown.swarm.health.watchedMs} ms`);
  assert.match(shown.rebuffering, /^\d+\.\d\d %$/);
  assert.match(shown.stalls, /^\d+$/);
  assert.match(shown.latency, /^\d+\.\d s \/ \d+\.\d s$/);
  assert.ok(shown.swarm.health.latencyP50Ms > 500 && shown.swarm.health.latencyMaxMs < 10_000, JSON.stringify(shown.swarm.health));
  // The quality levels the viewers play: every viewer on one of the broadcast's renditions.
  const { renditions } = shown.swarm;
  assert.equal(renditions.reporting, VIEWERS, JSON.stringify(renditions));
  assert.equal(sumOf(renditions.byId.map((r) => r.viewers)), VIEWERS, JSON.stringify(renditions));
  assert.equal(shown.renditionRows.length, renditions.byId.length);
  assert.match(shown.renditionRows[0], /^\d+p: \d+ viewers? · [\d.]+ (s|min) played$/);
  for (const page of [broadcast.page, ...viewers]) assert.deepEqual(page.problems, []);
});
