// A real capped uplink (tests/field, docs/FIELD.md): broadcaster and 3 viewers in
// network namespaces of their own on one bridge, one viewer's uplink held to 1 Mbit/s
// by tc tbf while the stream runs at ~1.5 Mbit/s. Its peers must learn from what it
// delivers and ask no more of it than it can send, without its requests piling up,
// and every viewer keeps playing. Needs root (CI runs as root); without it the test
// fails with the harness's one line naming what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cappedLink } from '../field/scenarios.mjs';

test('a viewer with a 1 Mbit/s uplink is asked for no more than it can send', { timeout: 120_000 }, async () => {
  const figures = await cappedLink({ capKbit: 1000, warmUpS: 10, windowS: 20 });
  console.log(JSON.stringify({ cappedLink: figures }));
  const { capKbit, streamKbit, askedKbit, servedKbit, linkKbit } = figures;
  assert.ok(streamKbit > capKbit, `the stream (${streamKbit} kbit/s) must outrun the cap for this to test anything`);
  // The tbf cap is real: what left the link over the window.
  assert.ok(linkKbit <= capKbit * 1.05, `the link carried ${linkKbit} kbit/s through a ${capKbit} kbit/s cap`);
  // Pieces asked of it over the window: what it served plus what its peers' pipelines
  // held at the window's ends. A pipeline is sized to the measured rate x (RTT + 150 ms),
  // at least 32 KiB, so 3 peers can hold ~100 KiB, ~40 kbit/s over 20 s: 10 % is that
  // edge with room to spare. An engine that sized requests by the unmeasured default
  // (256 KiB/s per peer) would ask several times the cap.
  assert.ok(askedKbit <= capKbit * 1.1, `asked ${askedKbit} kbit/s of a ${capKbit} kbit/s uplink`);
  assert.ok(askedKbit - servedKbit <= capKbit * 0.05, `requests piled up: asked ${askedKbit}, served ${servedKbit} kbit/s`);
  assert.ok(figures.refusedPerS < 1, `it refused ${figures.refusedPerS} requests/s`);
  assert.ok(figures.othersTimedOutPerS < 1, `the others' requests timed out at ${figures.othersTimedOutPerS}/s`);
  figures.continuity.forEach((c, i) => assert.ok(c >= 0.99, `viewer ${i} continuity ${c}`));
  assert.deepEqual(figures.problems, []);
  // Torn down: no namespace of this run left, no process it started still running.
  assert.deepEqual(figures.leftovers, { namespaces: [], processes: [] });
});
