// Two pages, one PeerLink each, signaled through this test process: the channel
// opens, moves bytes in order under backpressure, and a close reaches the other side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, openPage, waitFor } from './launch.mjs';

const session = serverAndBrowser();

async function makeLink(page, peerId, initiator) {
  await page.evaluate(async ({ peerId, initiator }) => {
    const { PeerLink } = await import('/web/shim/peer-link.js');
    const received = { bytes: 0, messages: 0, checksum: 0, inOrder: true, next: 0 };
    const link = new PeerLink({ peerId, initiator, signal: (data) => window.sendSignal(data) });
    link.addEventListener('message', ({ detail }) => {
      received.bytes += detail.length;
      received.messages++;
      // Each message starts with its index: order is checked, not assumed.
      const index = new DataView(detail.buffer, detail.byteOffset).getUint32(0);
      if (index !== received.next++) received.inOrder = false;
      for (let i = 0; i < detail.length; i += 997) received.checksum = (received.checksum + detail[i]) % 1_000_003;
    });
    window.closedBecause = null;
    link.addEventListener('close', ({ detail }) => { window.closedBecause = detail; });
    window.link = link;
    window.received = received;
  }, { peerId, initiator });
}

test('two PeerLinks open, move 16 MiB in order under backpressure, and close cleanly', async () => {
  const a = await openPage(session.browser, `${session.server.url}/`);
  const b = await openPage(session.browser, `${session.server.url}/`);
  await a.exposeFunction('sendSignal', (data) => b.evaluate((d) => window.link.handleSignal(d), data));
  await b.exposeFunction('sendSignal', (data) => a.evaluate((d) => window.link.handleSignal(d), data));
  await makeLink(b, 1, false);
  await makeLink(a, 2, true);
  await waitFor(() => a.evaluate(() => window.link.open) && b.evaluate(() => window.link.open), { what: 'the channel to open' });

  const sent = await a.evaluate(async () => {
    const size = 64 * 1024;
    const count = 256;
    let checksum = 0;
    let maxBuffered = 0;
    const started = performance.now();
    for (let n = 0; n < count; n++) {
      const message = new Uint8Array(size).map((_, i) => (i * 31 + n) & 0xff);
      new DataView(message.buffer).setUint32(0, n);
      for (let i = 0; i < size; i += 997) checksum = (checksum + message[i]) % 1_000_003;
      window.link.send(message);
      maxBuffered = Math.max(maxBuffered, window.link.bufferedAmount);
    }
    return { bytes: size * count, checksum, maxBuffered, started };
  });
  await waitFor(() => b.evaluate(() => window.received.bytes) .then((n) => n === sent.bytes),
    { timeoutMs: 20_000, what: 'all bytes to arrive' });
  const received = await b.evaluate(() => window.received);
  assert.equal(received.checksum, sent.checksum);
  assert.equal(received.inOrder, true);
  assert.ok(sent.maxBuffered >= sent.bytes / 2, 'sends beyond the high-water mark were queued, not thrown');
  assert.equal(await a.evaluate(() => window.link.bufferedAmount), 0, 'the queue drained');

  await a.evaluate(() => window.link.close());
  await waitFor(() => b.evaluate(() => window.closedBecause), { what: 'the far side to see the close' });
  assert.deepEqual([...a.problems, ...b.problems], []);
});
