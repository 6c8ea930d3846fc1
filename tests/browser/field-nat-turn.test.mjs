// Real NATs and a real TURN relay (tests/field, docs/FIELD.md): the broadcaster and 3
// viewers each behind a NAT that masquerades (hole punching works between them), a 4th
// viewer behind one that picks a random port for every destination, so no direct path
// reaches it and it plays through coturn. The server mints its TURN credential. Targets
// (issue 17): it plays within 3 s of joining; the source upload factor stays <= 1.2.
// Bounds here are generous (a shared 2-core machine); the exact figures are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natAndTurn } from '../field/scenarios.mjs';

test('a viewer behind a port-randomising NAT plays through TURN; the source sends each byte about once', { timeout: 120_000 }, async () => {
  const figures = await natAndTurn({ windowS: 20 });
  console.log(JSON.stringify({ natAndTurn: figures }));
  // Every link it has goes through the relay (its side or the far side), from the
  // browser's own candidate-pair stats.
  assert.ok(figures.relayOnlyLinks.length > 0, 'it has open links');
  for (const pair of figures.relayOnlyLinks) {
    assert.ok(pair.local === 'relay' || pair.remote === 'relay', `a link not through TURN: ${JSON.stringify(pair)}`);
  }
  // The others reach each other directly (hole punching through the plain masquerade).
  assert.ok(figures.otherLinks.some((pair) => pair.local !== 'relay' && pair.remote !== 'relay'),
    `no direct link between the cone-NAT peers: ${JSON.stringify(figures.otherLinks)}`);
  assert.ok(figures.relayOnlyStartupMs !== null && figures.relayOnlyStartupMs <= 6000, `joined to first frame in ${figures.relayOnlyStartupMs} ms`);
  assert.ok(figures.shareFromPeers[3] > 0.5, `it got ${figures.shareFromPeers[3]} of its video from peers`);
  assert.equal(figures.viewers, 4);
  // Over the renditions the viewers played (a viewer gone down a level is sent that level
  // once more, by the source, as nobody else holds it).
  assert.ok(figures.sourceUploadFactorPlayed <= 1.5, `source upload factor ${figures.sourceUploadFactorPlayed}`);
  figures.continuity.forEach((c, i) => assert.ok(c >= 0.98, `viewer ${i} continuity ${c}`));
  assert.deepEqual(figures.problems, []);
  // Torn down: no namespace of this run left, no process it started still running.
  assert.deepEqual(figures.leftovers, { namespaces: [], processes: [] });
});
