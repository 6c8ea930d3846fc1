// A hostile viewer: a normal watch page whose data channel corrupts every piece it
// sends. Honest engines must verify, ban it, and never hand its bytes to the player,
// which is checked where it matters: every buffer given to any SourceBuffer is
// hashed and must be one the broadcaster published.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, waitFor } from './launch.mjs';
import { openViewer, sleep, startBroadcast, viewerStats, waitPlaying } from './pages.mjs';

// Records the SHA-256 of every buffer appended to any SourceBuffer in the page.
function recordAppends() {
  window.appendedDigests = [];
  const append = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function (data) {
    const bytes = ArrayBuffer.isView(data) ? data : new Uint8Array(data);
    const copy = new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    crypto.subtle.digest('SHA-256', copy).then((digest) => {
      window.appendedDigests.push([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
    });
    return append.call(this, data);
  };
}

// Flips a byte in the payload of every Piece message (wire type 5, payload at byte 11).
function corruptPieces() {
  window.corruptedPieces = 0;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (bytes && bytes.length > 11 && bytes[0] === 5) {
      const bad = bytes.slice();
      bad[11 + ((bad.length - 11) >> 1)] ^= 0xff;
      window.corruptedPieces++;
      return send.call(this, bad);
    }
    return send.call(this, data);
  };
}

// Hashes everything the broadcaster publishes (init segments and chunks), as players
// append them: byte for byte.
async function recordPublished(page) {
  await page.evaluate(() => {
    window.publishedDigests = new Set();
    window.swarmcast.broadcaster.addEventListener('published', ({ detail }) => {
      crypto.subtle.digest('SHA-256', detail.bytes).then((digest) => {
        window.publishedDigests.add([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
      });
    });
  });
}

const session = serverAndBrowser();

test('a peer sending corrupted pieces is banned and none of its bytes reach a SourceBuffer', async () => {
  const broadcast = await startBroadcast(session.browser, session.server, { beforeLive: recordPublished });
  const honest = [await openViewer(session.browser, session.server, broadcast.streamId, { initScript: recordAppends })];
  // Early, so the session.server hands it to the viewers that come after as a relay.
  const hostile = await openViewer(session.browser, session.server, broadcast.streamId, { initScript: corruptPieces });
  await waitPlaying([hostile]);
  for (let i = 0; i < 3; i++) honest.push(await openViewer(session.browser, session.server, broadcast.streamId, { initScript: recordAppends }));
  await waitPlaying(honest);

  const banned = await waitFor(async () => {
    const all = await Promise.all(honest.map(viewerStats));
    return all.reduce((sum, s) => sum + s.bans, 0) >= 1 && all;
  }, { timeoutMs: 20_000, intervalMs: 500, what: 'an honest viewer to ban the hostile one' });
  await sleep(3000);

  const corrupted = await hostile.evaluate(() => window.corruptedPieces);
  const stats = await Promise.all(honest.map(viewerStats));
  const published = new Set(await broadcast.page.evaluate(() => [...window.publishedDigests]));
  const appended = await Promise.all(honest.map((page) => page.evaluate(() => window.appendedDigests)));
  console.log(JSON.stringify({ corrupted, bans: stats.map((s) => s.bans), badPieces: stats.map((s) => s.badPieces),
    appended: appended.map((list) => list.length), published: published.size }));

  assert.ok(corrupted > 0, 'the hostile peer sent corrupted pieces');
  assert.ok(banned.some((s) => s.badPieces > 0), 'the corrupted pieces were caught');
  appended.forEach((digests, i) => {
    assert.ok(digests.length >= 5, `viewer ${i} appended ${digests.length} buffers`);
    for (const digest of digests) assert.ok(published.has(digest), `viewer ${i} appended bytes the broadcaster never published`);
  });
  // Every honest viewer keeps playing: a viewer caught between chunks at the moment
  // it is sampled must be playing again within 3 s (what a person would notice).
  await Promise.all(honest.map((page, i) => waitFor(async () => (await viewerStats(page)).state === 'playing',
    { timeoutMs: 3000, what: `viewer ${i} to be playing` })));
});
