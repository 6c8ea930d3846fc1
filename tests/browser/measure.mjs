// Measurements the swarm benchmark takes from outside the product's own stats, so the
// numbers do not rest on the code they judge: the glass-to-glass latency of every frame
// on screen (the test pattern's drawn time code, read back in requestVideoFrameCallback),
// frozen-frame time, the raw RTCDataChannel throughput between two pages, and the CPU
// the browser and the pages' main threads use.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { openPage, waitFor } from './launch.mjs';

// Frames further apart than this on screen are a freeze (30 fps: 33 ms apart).
const FREEZE_GAP_MS = 250;
// A freeze is what the viewer's playback adds, not a hole in the stream itself: when
// the broadcaster's page is starved of CPU, its test pattern's timer runs late (the
// holes in its recording line up with the timer's gaps), every viewer holds the last
// frame exactly as long, and none of them stalled (docs/ARCHITECTURE.md: continuity is the
// watched time not stalled). So a long gap between frames counts in full after a
// seek; otherwise it counts the time the media clock stood still (the gap minus the
// media time played across it, at the playback rate), plus the dropped frames' share
// of the media time played: the picture stayed as it was through their turns. When
// the gap spans one frame and none was dropped, the media time played is the stream's
// own hole (reported as the source's). A gap may span several frames shown: the page's
// main thread missed their callbacks while the compositor showed them (a busy page
// runs requestVideoFrameCallback late). The upper bound beside it counts every gap
// that spans more than one frame, shown or dropped, in full.
// Reading a frame back costs the page a copy of it; every few frames is enough.
const READ_EVERY_FRAMES = 4;

// How a gap between two frames reported by requestVideoFrameCallback counts (see
// above), in ms: { freeze, upperBound, sourceHole }. `last` and `frame`: { shownAt
// (ms), mediaTime (s), presentedFrames, dropped }; seeked: a seek came between them.
// Runs in the page too (installFrameProbe passes its source), so it uses nothing else.
export function accountFrameGap(last, frame, { seeked, playbackRate, freezeGapMs }) {
  const held = frame.shownAt - last.shownAt;
  if (held <= freezeGapMs) return { freeze: 0, upperBound: 0, sourceHole: 0 };
  if (seeked) return { freeze: held, upperBound: held, sourceHole: 0 };
  const playedMs = Math.min(held, Math.max(0, ((frame.mediaTime - last.mediaTime) * 1000) / playbackRate));
  const shown = frame.presentedFrames - last.presentedFrames;
  const dropped = frame.dropped - last.dropped;
  const freeze = held - playedMs + (playedMs * dropped) / Math.max(1, shown + dropped);
  const oneFrame = shown === 1 && dropped === 0;
  return { freeze, upperBound: oneFrame ? freeze : held, sourceHole: oneFrame ? held - freeze : 0 };
}

// Installs the frame probe in a /watch page: for each composited frame, the time it is
// shown minus the time its time code was drawn at the broadcaster (one machine, one
// clock), and the time spent on frames that stayed up longer than FREEZE_GAP_MS (see
// above: freezeMs for the playback's, sourceFrozenMs for the stream's own holes,
// freezeUpperMs counting every long gap that spans more than one frame in full).
export function installFrameProbe(page) {
  const install = async (accountGap, { freezeGapMs, readEvery }) => {
    const { readTimecode, TIMECODE_HEIGHT } = await import('/web/shim/test-pattern.js');
    const video = window.swarmcast.video;
    const canvas = new OffscreenCanvas(1, TIMECODE_HEIGHT);
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const probe = { latencies: [], unreadable: 0, frames: 0, freezeMs: 0, sourceFrozenMs: 0, freezeUpperMs: 0, last: null, seeked: false };
    video.addEventListener('seeking', () => { probe.seeked = true; });
    const onFrame = (_, { expectedDisplayTime, mediaTime, presentedFrames }) => {
      const shownAt = performance.timeOrigin + expectedDisplayTime;
      const frame = { shownAt, mediaTime, presentedFrames, dropped: video.getVideoPlaybackQuality().droppedVideoFrames };
      if (probe.last !== null) {
        const gap = accountGap(probe.last, frame, { seeked: probe.seeked, playbackRate: video.playbackRate, freezeGapMs });
        probe.freezeMs += gap.freeze;
        probe.freezeUpperMs += gap.upperBound;
        probe.sourceFrozenMs += gap.sourceHole;
      }
      probe.last = frame;
      probe.seeked = false;
      video.requestVideoFrameCallback(onFrame);
      if (probe.frames++ % readEvery) return;
      const width = video.videoWidth;
      if (canvas.width !== width) canvas.width = width;
      g.drawImage(video, 0, 0, width, TIMECODE_HEIGHT, 0, 0, width, TIMECODE_HEIGHT);
      const drawnAt = readTimecode(g.getImageData(0, 0, width, TIMECODE_HEIGHT).data, width);
      if (drawnAt === null) probe.unreadable++;
      // The time code is ms mod 2^32: so is the difference.
      else probe.latencies.push((Math.floor(shownAt) - drawnAt + 2 ** 32) % 2 ** 32);
    };
    video.requestVideoFrameCallback(onFrame);
    window.frameProbe = probe;
  };
  const options = JSON.stringify({ freezeGapMs: FREEZE_GAP_MS, readEvery: READ_EVERY_FRAMES });
  return page.evaluate(`(${install})(${accountFrameGap}, ${options})`);
}

// What the probe gathered since the last call, and a fresh start.
export function takeFrameProbe(page) {
  return page.evaluate(() => {
    const probe = window.frameProbe;
    const taken = {
      latencies: probe.latencies, unreadable: probe.unreadable, frames: probe.frames, freezeMs: probe.freezeMs,
      sourceFrozenMs: probe.sourceFrozenMs, freezeUpperMs: probe.freezeUpperMs,
    };
    Object.assign(probe, { latencies: [], unreadable: 0, frames: 0, freezeMs: 0, sourceFrozenMs: 0, freezeUpperMs: 0 });
    return taken;
  });
}

// Raw RTCDataChannel throughput between two fresh pages of `browser` (no engine, no
// PeerLink): `megabytes` MiB in 64 KiB messages, kept flowing with
// bufferedAmountLowThreshold. Returns { bytes, seconds, megabytesPerS, mbitPerS }.
export async function measureChannelThroughput(browser, server, megabytes = 32) {
  const [a, b] = await Promise.all([openPage(browser, `${server.url}/`), openPage(browser, `${server.url}/`)]);
  try {
    // Non-trickle: once gathering is complete, a description carries all the (host)
    // candidates, so one exchange each way is the whole signaling.
    const gathered = async () => {
      const { pc } = window;
      await new Promise((resolve) => {
        const check = () => pc.iceGatheringState === 'complete' && resolve();
        pc.addEventListener('icegatheringstatechange', check);
        check();
      });
      return pc.localDescription.toJSON();
    };
    await Promise.all([a, b].map((page) => page.evaluate(`window.gathered = ${gathered}`)));
    const offer = await a.evaluate(async () => {
      window.pc = new RTCPeerConnection();
      window.channel = window.pc.createDataChannel('raw', { ordered: true });
      await window.pc.setLocalDescription();
      return window.gathered();
    });
    const answer = await b.evaluate(async (offer) => {
      window.pc = new RTCPeerConnection();
      window.received = 0;
      window.pc.addEventListener('datachannel', ({ channel }) => {
        channel.binaryType = 'arraybuffer';
        channel.addEventListener('message', ({ data }) => { window.received += data.byteLength; });
      });
      await window.pc.setRemoteDescription(offer);
      await window.pc.setLocalDescription();
      return window.gathered();
    }, offer);
    await a.evaluate((answer) => window.pc.setRemoteDescription(answer), answer);
    await waitFor(() => a.evaluate(() => window.channel.readyState === 'open'), { what: 'the raw channel to open' });

    const total = megabytes * 1024 * 1024;
    const startedAt = await a.evaluate(async (total) => {
      const channel = window.channel;
      const message = new Uint8Array(64 * 1024);
      channel.bufferedAmountLowThreshold = 1024 * 1024;
      const startedAt = performance.timeOrigin + performance.now();
      for (let sent = 0; sent < total; sent += message.length) {
        if (channel.bufferedAmount > 4 * 1024 * 1024) {
          await new Promise((resolve) => channel.addEventListener('bufferedamountlow', resolve, { once: true }));
        }
        channel.send(message);
      }
      return startedAt;
    }, total);
    const doneAt = await waitFor(() => b.evaluate((total) => window.received >= total && performance.timeOrigin + performance.now(), total),
      { timeoutMs: 60_000, intervalMs: 20, what: 'the raw transfer to finish' });
    const seconds = (doneAt - startedAt) / 1000;
    return { bytes: total, seconds, megabytesPerS: total / 2 ** 20 / seconds, mbitPerS: (total * 8) / 1e6 / seconds };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

// CPU seconds (user + system) of every process below this one: the browser's
// processes, whatever they are. Linux only (/proc).
export function childCpuSeconds() {
  const parents = new Map();
  const ticks = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name (which may hold spaces).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process exited while we looked.
    }
  }
  const isBelow = (pid) => {
    for (let p = parents.get(pid); p; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, t] of ticks) if (isBelow(pid)) total += t;
  return total / 100;  // USER_HZ is 100 on Linux
}

export const coreCount = () => cpus().length;

// Busy and total CPU seconds of the whole machine (/proc/stat), so a run can tell its
// own load from other work on the same machine.
export function machineCpuSeconds() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / 100, total: (busy + idle + iowait) / 100 };
}

// Wall ms one thread of this process takes for a fixed piece of arithmetic: how fast
// the machine is right now (a shared VM's cores are not always as fast as they were;
// compare runs only at like figures). Measured while the pages run, it also shows how
// much of a core a thread gets among them.
export function fixedWorkMs() {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x + i * 7) % 1_000_003;
  fixedWorkMs.result = x;  // used, so the loop cannot be optimised away
  return Math.round(performance.now() - started);
}

// Main-thread busy seconds of a page (Chromium's TaskDuration), through CDP.

export async function mainThreadSeconds(page) {
  page.cdp ??= await page.context().newCDPSession(page);
  await page.cdp.send('Performance.enable');
  const { metrics } = await page.cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
}

// Where a watch page's time went before its viewer asked to join, in ms from the
// navigation: the HTML, the wasm download, the core compiled and instantiated.
export function pageTimeline(page) {
  return page.evaluate(() => {
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
    const s = window.swarmcast?.stats();
    return {
      html: performance.getEntriesByType('navigation')[0]?.responseEnd ?? null,
      wasmFetched: wasm?.responseEnd ?? null,
      coreLoaded: performance.getEntriesByName('swarmcast:core-loaded')[0]?.startTime ?? null,
      joinAsked: s?.joinAskedAt ? s.joinAskedAt - performance.timeOrigin : null,
    };
  });
}

// An init script (openPage's initScript) that counts the page's long tasks (main-thread
// tasks over 50 ms): what delays timers, channel messages and appends.
export function countLongTasks() {
  window.longTasks = { count: 0, ms: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.longTasks.count++;
      window.longTasks.ms += entry.duration;
      window.longTasks.maxMs = Math.max(window.longTasks.maxMs, entry.duration);
    }
  }).observe({ type: 'longtask' });
}

export const takeLongTasks = (page) => page.evaluate(() => ({ ...window.longTasks }));
