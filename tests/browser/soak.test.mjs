// npm run soak's check, 3 minutes long (tools/soak/soak.mjs): a broadcaster and 3 viewers
// watched once every 10 s. Once the swarm has settled (minute 1) nothing may pile up:
// not the heaps, not the media the players hold, not the DOM, not the links; and no
// viewer may stall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from '../../tools/soak/soak.mjs';
import { MSE_PLAYER_DEFAULTS } from '../../web/shim/mse-player-defaults.js';

const MINUTES = 3;
const SETTLE_MINUTES = 1;

// Heap growth from minute 1 to minute 3, in %, of any page (summary.mjs: the largest
// samples of the first and the last 20 s). Measured on a shared 2-core machine, the
// largest of the 4 pages: JS heap 4.6 %, its V8 part 2.1 %, the wasm heap in use 5.6 %,
// its part outside the engine's chunk buffer 1.5 %; the totals move with the media the
// clip buffer (JS) and the chunk buffer (wasm) hold, whose size follows the test
// pattern's bitrate. With a leak put in every viewer page on purpose, a copy of each
// chunk appended kept and 1 KB a second malloc'ed and never freed: JS heap +98-101 %,
// wasm heap in use +65-90 %, its part outside the chunk buffer +59-67 %.
const HEAP_GROWTH_PCT_MAX = { js_heap_mb: 20, js_v8_heap_mb: 10, wasm_in_use_mb: 25, wasm_outside_buffer_mb: 25 };
// The most a player may hold: MsePlayer keeps backBufferS behind the playhead and trims
// once 10 s more have piled up behind it; ahead it holds at most its highest latency target.
const TRIM_STEP_S = 10;
const BUFFERED_SECONDS_MAX = MSE_PLAYER_DEFAULTS.backBufferS + TRIM_STEP_S + MSE_PLAYER_DEFAULTS.maxLatencyMs / 1000;
// The bound is no stall (the player waiting for media) after the first minute.
// Frozen frames count too, as bench:swarm counts continuity, but a frame the renderer
// shows late on 2 shared cores is the CPU's, not the swarm's: on a quiet machine the
// viewers measured 0.995-0.997, under load average 8-12 0.990-0.993. Below this bound a
// viewer lost more than 1.2 s a minute to frozen frames, which no load here explains.
const CONTINUITY_MIN = 0.98;
// DOM nodes and event listeners a page comes back to between re-renders (summary.mjs):
// measured, the same at minute 10 as at minute 3; one left behind per chunk would make
// 120 more in 2 minutes. The count is the renderer's, so it has parts that move in
// steps and then hold: the dashboard's lists follow the swarm's shape (a row per hop
// layer, up to 4, and per rendition, 3 nodes each) and the browser's own shadow trees
// (of the <video>, the <select>) count too. Once, in CI under load, the broadcaster
// page stepped 511 → 536 and held there; on a quiet machine it held 511 for 3 minutes.
const DOM_NODES_GROWTH_MAX = 60;
const LISTENERS_GROWTH_MAX = 10;

test(`${MINUTES} minutes of a broadcaster and 3 viewers: heaps, buffers, DOM and links hold steady, no stall after the first minute`,
  { timeout: 300_000 }, async () => {
    const result = await runSoak({ minutes: MINUTES, settleMinutes: SETTLE_MINUTES, viewers: 3 });
    const { summary } = result;
    console.log(JSON.stringify({ machine_busy: result.machine_busy, ...summary }));
    assert.equal(result.aborted, null);
    assert.deepEqual(summary.page_errors, []);
    assert.equal(summary.quota_exceeded, 0, 'a SourceBuffer append was refused for its quota');
    for (const page of summary.pages) {
      for (const [heap, max] of Object.entries(HEAP_GROWTH_PCT_MAX)) {
        const { baseline, end, growth_pct: growth } = page[heap];
        assert.ok(growth <= max, `${page.page}: ${heap} ${baseline} → ${end} MB (${growth} %, at most ${max} %)`);
      }
      assert.ok(page.dom_nodes.end - page.dom_nodes.baseline <= DOM_NODES_GROWTH_MAX,
        `${page.page}: DOM nodes ${page.dom_nodes.baseline} → ${page.dom_nodes.end}`);
      assert.ok(page.listeners.end - page.listeners.baseline <= LISTENERS_GROWTH_MAX,
        `${page.page}: event listeners ${page.listeners.baseline} → ${page.listeners.end}`);
      // Every page keeps a link to each of the 3 others all along.
      assert.deepEqual(page.open_links_after_settle, { min: 3, max: 3 }, `${page.page}: open links`);
    }
    assert.ok(summary.buffered_seconds_max <= BUFFERED_SECONDS_MAX, `a player held ${summary.buffered_seconds_max} s of media`);
    summary.after_first_minute.viewers.forEach((viewer, i) => {
      assert.equal(viewer.stalls, 0, `viewer ${i + 1} stalled after the first minute: ${JSON.stringify(viewer)}`);
      assert.ok(viewer.continuity >= CONTINUITY_MIN, `viewer ${i + 1} after the first minute: ${JSON.stringify(viewer)}`);
    });
    assert.equal(summary.after_first_minute.samples_not_playing, 0);
  });
