// The soak's verdict from its samples: how each page's heaps grew once the swarm had
// settled, the most media any player held, whether the DOM and the links stayed put,
// and the viewers' continuity after the first minute (as bench:swarm counts it: the
// larger of the player's stalled time and the frozen-frame time seen from outside).
// A sample is { atS, pages: [{ page, ...samplePage(), playback? }] } with pages[0] the
// broadcaster; playback (viewers only) holds cumulative counters.

// Each end of a growth figure is the largest sample of a stretch at the start and at the
// end of the window, a sixth of it and at most a minute long: the heaps that hold media
// move with the stream's bitrate from one sample to the next, and a stream starved of
// CPU for half a minute left them a third lower for that long (the mean of the first
// 30 s then made a growth of 56 % where the largest values of the first and the last
// minute said 14 %). A leak raises the whole line.
const ENDS_MAX_S = 60;
const MB = 2 ** 20;

const round = (x, digits = 1) => (x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
const mean = (xs) => xs.reduce((total, x) => total + x, 0) / xs.length;

// { baseline, end, max, growth_pct, trend_pct_per_hour } of `values` (one per sample at
// `times` seconds) from settleS on, scaled by `unit`: baseline and end are the largest
// values (or what `pick` picks) of the first and the last stretch there (see
// ENDS_MAX_S), the trend a least-squares line through all.
export function growth(times, values, settleS, unit = 1, pick = Math.max) {
  const from = Math.max(0, times.findIndex((t) => t >= settleS));
  const ts = times.slice(from);
  const xs = values.slice(from);
  const endsS = Math.min(ENDS_MAX_S, (ts[ts.length - 1] - ts[0]) / 6);
  const pickWhere = (keep) => pick(...xs.filter((_, i) => keep(ts[i])));
  const baseline = pickWhere((t) => t <= ts[0] + endsS);
  const end = pickWhere((t) => t >= ts[ts.length - 1] - endsS);
  const tMean = mean(ts);
  const xMean = mean(xs);
  const spread = ts.reduce((total, t) => total + (t - tMean) ** 2, 0);
  const slopePerS = spread ? ts.reduce((total, t, i) => total + (t - tMean) * (xs[i] - xMean), 0) / spread : 0;
  return {
    baseline: round(baseline / unit, 3), end: round(end / unit, 3), max: round(Math.max(...xs) / unit, 3),
    growth_pct: round(((end - baseline) / baseline) * 100, 2),
    trend_pct_per_hour: round(((slopePerS * 3600) / baseline) * 100, 1),
  };
}

// The viewer's continuity between the samples at `fromS` and the last one: stalls, the
// stalled and frozen ms, and 1 - the larger of the two over the time watched.
function continuityFrom(samples, index, fromS) {
  const first = samples.find((s) => s.atS >= fromS) ?? samples[samples.length - 1];
  const last = samples[samples.length - 1];
  const a = first.pages[index].playback;
  const b = last.pages[index].playback;
  const watchedMs = (last.atS - first.atS) * 1000;
  const stalledMs = b.stalledMs - a.stalledMs;
  const frozenMs = b.frozenMs - a.frozenMs;
  return {
    stalls: b.stalls - a.stalls, stalled_ms: Math.round(stalledMs), frozen_ms: Math.round(frozenMs),
    continuity: watchedMs > 0 ? round(1 - Math.max(stalledMs, frozenMs) / watchedMs, 5) : null,
  };
}

/**
 * @param {object[]} samples
 * @param {{ settleS: number, firstMinuteS: number, problems: string[][] }} options problems: each page's
 *   page errors and console errors/warnings, pages in the samples' order.
 */
export function summarize(samples, { settleS, firstMinuteS, problems }) {
  const times = samples.map((s) => s.atS);
  const names = samples[0].pages.map((p) => p.page);
  const series = (index, pick) => samples.map((s) => pick(s.pages[index]));
  const after = (index, pick) => samples.filter((s) => s.atS >= settleS).map((s) => pick(s.pages[index]));
  const pages = names.map((page, i) => ({
    page,
    js_heap_mb: growth(times, series(i, (p) => p.jsHeapBytes), settleS, MB),
    // V8's own heap: the page's JS objects without the media bytes of its ArrayBuffers
    // (the clip buffer's 30 s of stream, whose size follows the bitrate).
    js_v8_heap_mb: growth(times, series(i, (p) => p.v8HeapBytes), settleS, MB),
    wasm_in_use_mb: growth(times, series(i, (p) => p.wasmInUseBytes), settleS, MB),
    // The core's bookkeeping: what malloc holds beyond the engine's chunk buffer, whose
    // size follows the bitrate. On the broadcast page it includes each rendition's open
    // chunk in its muxer: while those grew by doubling, this moved by up to 0.35 MB from
    // one sample to the next (0.50-0.84 MB in a 3-minute run beside a busy loop, and a
    // CI run read 57 % growth from it); reserved a chunk's worth ahead, 0.71-0.78 MB.
    wasm_outside_buffer_mb: growth(times, series(i, (p) => p.wasmInUseBytes - (p.engineBufferBytes ?? 0)), settleS, MB),
    wasm_memory_mb: growth(times, series(i, (p) => p.wasmHeapBytes), settleS, MB),
    engine_buffer_mb_max: round(Math.max(...series(i, (p) => p.engineBufferBytes ?? 0)) / MB, 2),
    // The counts a page comes back to between its re-renders (the broadcast page's
    // dashboard holds 20 nodes more for a moment, a watch page's status line 7).
    dom_nodes: growth(times, series(i, (p) => p.domNodes), settleS, 1, Math.min),
    listeners: growth(times, series(i, (p) => p.listeners), settleS, 1, Math.min),
    open_links_after_settle: { min: Math.min(...after(i, (p) => p.links.open)), max: Math.max(...after(i, (p) => p.links.open)) },
  }));
  const viewerIndexes = names.map((_, i) => i).filter((i) => samples[0].pages[i].playback);
  const all = samples.flatMap((s) => s.pages);
  const continuity = viewerIndexes.map((i) => continuityFrom(samples, i, firstMinuteS));
  const lateSamples = samples.filter((s) => s.atS >= firstMinuteS);
  return {
    minutes: round(times[times.length - 1] / 60, 2),
    samples: samples.length,
    settle_minutes: round(settleS / 60, 2),
    // Growth of each heap from the settle point to the end, in %, the largest of the
    // pages: the JS heap (and V8's part of it), what the wasm core's malloc holds (and
    // its part outside the chunk buffer), the wasm memory's size.
    heap_growth_pct: Object.fromEntries(['js_heap_mb', 'js_v8_heap_mb', 'wasm_in_use_mb', 'wasm_outside_buffer_mb', 'wasm_memory_mb']
      .map((key) => [key.replace(/_mb$/, ''), Math.max(...pages.map((p) => p[key].growth_pct))])),
    gc_ms_max: Math.max(...all.map((p) => p.gcMs)),
    buffered_seconds_max: round(Math.max(...all.map((p) => p.buffered?.seconds ?? 0)), 2),
    buffered_ranges_max: Math.max(...all.map((p) => p.buffered?.ranges ?? 0)),
    data_channel_buffered_bytes: {
      sum_max: Math.max(...all.map((p) => p.links.bufferedSum)), max: Math.max(...all.map((p) => p.links.bufferedMax)),
    },
    after_first_minute: {
      stalls: continuity.reduce((total, c) => total + c.stalls, 0),
      continuity_min: Math.min(...continuity.map((c) => c.continuity ?? 1)),
      samples_not_playing: lateSamples.reduce((n, s) => n + viewerIndexes.filter((i) => s.pages[i].playback.state !== 'playing').length, 0),
      behind_live_seconds_max: round(Math.max(...lateSamples.flatMap((s) => viewerIndexes.map((i) => s.pages[i].playback.behindLiveSeconds))), 2),
      viewers: continuity,
    },
    quota_exceeded: samples[samples.length - 1].pages.reduce((total, p) => total + p.quotaExceeded, 0),
    page_errors: problems.flatMap((list, i) => list.map((problem) => `${names[i]}: ${problem}`)),
    pages,
  };
}
