// The HTTP origin across renditions: the broadcaster PUTs the stream's signed rendition
// list, then items of any listed rendition under /renditions/<r>/; the origin judges
// each item's rendition against the list it verified, keeps nothing it refuses, and
// holds the stream's bounds whatever the number of renditions.
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { startServer } from '../../tools/server/server.js';
import { RenditionWindow } from '../../tools/server/origin-window.js';
import { HeaderKind, StreamSigner } from '../../web/core/index.js';
import { OriginClient } from '../../web/shim/origin-client.js';
import { Peer, sockets } from './signaling-peer.mjs';

let core;
let keys;  // the broadcaster's key and another
const servers = [];

before(async () => {
  core = await loadCoreForNode();
  keys = [41, 42].map((n) => new StreamSigner(core, new Uint8Array(32).fill(n)));
});
after(() => keys.forEach((key) => key.close()));
afterEach(async () => {
  sockets.splice(0).forEach((ws) => ws.terminate());
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function originServer(limits = {}) {
  const server = await startServer({ port: 0, host: '127.0.0.1', core, origin: true, limits });
  servers.push(server);
  return server;
}

// A live stream on an origin: the broadcaster joined and proved its key.
async function liveOrigin(limits = {}, server = null) {
  server ??= await originServer(limits);
  const signer = keys[0];
  const peer = await Peer.connect(server.url);
  peer.send({ type: 'join', role: 'broadcaster', streamId: signer.streamId, canUpload: true, uploadKbps: 5000 });
  const { nonce } = await peer.next('challenge');
  peer.send({ type: 'prove', signature: Buffer.from(signer.signChallenge(new Uint8Array(Buffer.from(nonce, 'base64url')))).toString('base64url') });
  await peer.next('welcome');
  const base = `${server.url}/api/streams/${signer.streamId}`;
  return { server, base, peer };
}

const RENDITION = { width: 640, height: 360, frameRateMilli: 30_000, codecs: 'vp8,opus' };
// Renditions 0 and 1 (and 3 when asked), highest bitrate first.
const ladder = (signer, { revision = 1, ids = [0, 1] } = {}) => signer.signLadder({
  revision, renditions: ids.map((id, i) => ({ ...RENDITION, id, bitrate: 2_000_000 >> i })),
});

// A signed item's body: the header, then the payload.
function signed(signer, { kind = 'chunk', rendition = 0, number, size = 1000 }) {
  const payload = new Uint8Array(size).map((_, i) => (i * (number + 1) + rendition * 7) & 0xff);
  const fields = { epoch: kind === 'init' ? number : 0, seq: kind === 'init' ? 0 : number, captureMs: 1_700_000_000_000 + number * 1000,
    durationMs: kind === 'init' ? 0 : 1000, rendition };
  return Buffer.concat([signer.sign(HeaderKind[kind], fields, payload), payload]);
}

// A body as the broadcaster has it: the signed header and the payload apart.
const splitBody = (body) => [body.subarray(0, core.SIGNED_HEADER_SIZE), body.subarray(core.SIGNED_HEADER_SIZE)];
const route = (kind) => (kind === 'init' ? 'init' : 'chunks');
const put = (url, body) => fetch(url, { method: 'PUT', body });
const putItem = (base, { kind = 'chunk', rendition = 0, number }, body) =>
  put(`${base}/renditions/${rendition}/${route(kind)}/${number}`, body);
const getItem = (base, { kind = 'chunk', rendition = 0, number }) => fetch(`${base}/renditions/${rendition}/${route(kind)}/${number}`);
const index = async (base, rendition) => (await fetch(`${base}/renditions/${rendition}/chunks`)).json();

describe('HTTP origin across renditions', () => {
  test('with the signed list stored, each rendition has its items and index; the old paths are rendition 0', async () => {
    const { base } = await liveOrigin();
    const list = ladder(keys[0]);
    assert.equal((await put(`${base}/renditions`, list)).status, 204);
    const sent = new Map();
    for (const rendition of [0, 1]) {
      for (const item of [{ kind: 'init', rendition, number: 0 }, { rendition, number: 1 }, { rendition, number: 2 }]) {
        const body = signed(keys[0], item);
        sent.set(`${rendition}/${item.kind ?? 'chunk'}/${item.number}`, body);
        assert.equal((await putItem(base, item, body)).status, 204, JSON.stringify(item));
      }
    }
    const got = await getItem(base, { rendition: 1, number: 2 });
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), sent.get('1/chunk/2'));
    const init = await getItem(base, { kind: 'init', rendition: 1, number: 0 });
    assert.deepEqual(Buffer.from(await init.arrayBuffer()), sent.get('1/init/0'));
    const old = await fetch(`${base}/chunks/2`);
    assert.deepEqual(Buffer.from(await old.arrayBuffer()), sent.get('0/chunk/2'), 'the path without a rendition is rendition 0');

    const answer = await index(base, 1);
    assert.deepEqual({ ...answer, ladder: undefined }, { chunks: [1, 2], inits: [0], renditions: [0, 1], ladder: undefined });
    assert.deepEqual(Buffer.from(answer.ladder, 'base64url'), Buffer.from(list), 'the index carries the signed list');
    const stored = await fetch(`${base}/renditions`);
    assert.deepEqual(Buffer.from(await stored.arrayBuffer()), Buffer.from(list));
    assert.equal((await getItem(base, { rendition: 2, number: 2 })).status, 404);
    assert.equal((await fetch(`${base}/renditions/8/chunks/2`)).status, 404, 'no rendition 8');
  });

  test('an unlisted rendition, or one before any list, is refused and nothing is kept', async () => {
    const { base } = await liveOrigin();
    const early = await putItem(base, { rendition: 1, number: 1 }, signed(keys[0], { rendition: 1, number: 1 }));
    assert.equal(early.status, 409);
    assert.equal((await early.json()).error, 'no_rendition_list');

    assert.equal((await put(`${base}/renditions`, ladder(keys[0]))).status, 204);
    for (const kind of ['chunk', 'init']) {
      const refused = await putItem(base, { kind, rendition: 3, number: 1 }, signed(keys[0], { kind, rendition: 3, number: 1 }));
      assert.equal(refused.status, 403, kind);
      assert.equal((await refused.json()).error, 'unlisted_rendition');
      assert.equal((await getItem(base, { kind, rendition: 3, number: 1 })).status, 404);
    }
    const mislabelled = await putItem(base, { rendition: 0, number: 1 }, signed(keys[0], { rendition: 1, number: 1 }));
    assert.equal(mislabelled.status, 400, 'the path names another rendition than the signed header');
    assert.equal((await mislabelled.json()).error, 'mismatch');
    assert.deepEqual((await index(base, 1)).chunks, []);
    assert.deepEqual((await index(base, 3)).renditions, []);

    // A later list that adds rendition 3 lets it in.
    assert.equal((await put(`${base}/renditions`, ladder(keys[0], { revision: 2, ids: [0, 1, 3] }))).status, 204);
    assert.equal((await putItem(base, { rendition: 3, number: 1 }, signed(keys[0], { rendition: 3, number: 1 }))).status, 204);
  });

  test('a list not signed by the stream key, malformed or not newer is refused and not kept', async () => {
    const { base } = await liveOrigin();
    const refusal = async (body) => {
      const res = await put(`${base}/renditions`, body);
      return [res.status, res.status === 204 ? null : (await res.json()).error];
    };
    assert.deepEqual(await refusal(ladder(keys[1])), [403, 'wrong_stream'], 'signed by another key');
    const forged = ladder(keys[0]);
    forged[forged.length - 1] ^= 1;
    assert.deepEqual(await refusal(forged), [403, 'bad_signature']);
    const unsigned = ladder(keys[0]).subarray(0, forged.length - 64);
    assert.deepEqual(await refusal(unsigned), [400, 'malformed_ladder'], 'no signature at all');
    assert.deepEqual(await refusal(new Uint8Array(5000)), [413, 'too_large']);
    assert.equal((await fetch(`${base}/renditions`)).status, 404, 'nothing kept');
    const refusedItem = await putItem(base, { rendition: 1, number: 1 }, signed(keys[0], { rendition: 1, number: 1 }));
    assert.equal((await refusedItem.json()).error, 'no_rendition_list', 'a refused list lets no rendition in');

    const second = ladder(keys[0], { revision: 2 });
    assert.deepEqual(await refusal(second), [204, null]);
    assert.deepEqual(await refusal(second), [204, null], 'the same list again');
    assert.deepEqual(await refusal(ladder(keys[0], { revision: 1 })), [409, 'stale_ladder']);
    const held = await fetch(`${base}/renditions`);
    assert.deepEqual(Buffer.from(await held.arrayBuffer()), Buffer.from(second));
  });

  test('the window bounds the stream, not each rendition', async () => {
    const { base } = await liveOrigin({ originChunks: 3, originBytes: 200_000 });
    assert.equal((await put(`${base}/renditions`, ladder(keys[0], { ids: [0, 1, 3] }))).status, 204);
    for (let seq = 1; seq <= 5; seq++) {
      for (const rendition of [0, 1, 3]) {
        assert.equal((await putItem(base, { rendition, number: seq }, signed(keys[0], { rendition, number: seq, size: 20_000 }))).status, 204);
      }
    }
    for (const rendition of [0, 1, 3]) assert.deepEqual((await index(base, rendition)).chunks, [3, 4, 5], `rendition ${rendition}`);
    // 3 x 3 chunks of ~20 kB fit in 200 kB; 3 more renditions of one seq do not.
    for (const rendition of [0, 1, 3]) {
      assert.equal((await putItem(base, { rendition, number: 6 }, signed(keys[0], { rendition, number: 6, size: 60_000 }))).status, 204);
    }
    assert.deepEqual((await index(base, 1)).chunks, [6], 'the oldest seqs went, every rendition of each');
    assert.deepEqual((await index(base, 0)).chunks, [6]);
  });
});

test('the broadcaster\'s client sends the list again after its upload failed, or when an origin has none', async () => {
  const [first, second] = [await originServer(), await originServer()];
  let server = first;
  const client = new OriginClient(core, () => `${server.url.replace('http', 'ws')}/signal`, keys[0].streamId);
  const item = (number) => [{ kind: 'chunk', rendition: 1, number }, ...splitBody(signed(keys[0], { rendition: 1, number }))];
  const list = ladder(keys[0]);
  assert.match(await client.putLadder(list), /rendition list refused: HTTP 404/, 'not live yet');
  const { base } = await liveOrigin({}, first);
  assert.equal(await client.put(...item(1)), null, 'the list went first, then the item');
  assert.equal((await fetch(`${base}/renditions`)).status, 200);

  // The signaling moved to another instance, whose origin has no list yet.
  await liveOrigin({}, second);
  server = second;
  assert.match(await client.put(...item(2)), /refused: HTTP 409/);
  assert.equal(await client.put(...item(3)), null, 'the list was sent again before it');
  const held = await fetch(`${second.url}/api/streams/${keys[0].streamId}/renditions`);
  assert.deepEqual(Buffer.from(await held.arrayBuffer()), Buffer.from(list));
});

test('RenditionWindow: bytes stay under the cap; inits by epoch; an init outlives chunks under the byte cap', () => {
  const window = new RenditionWindow({ originChunks: 4, originInits: 2, originBytes: 1000 });
  const body = (size) => new Uint8Array(size);
  for (const epoch of [0, 1, 2]) for (const rendition of [0, 1]) window.keep('init', rendition, epoch, body(50));
  assert.deepEqual(window.index(1).inits, [1, 2], 'the oldest epoch went, both its renditions');
  assert.equal(window.bytes, 200);
  for (let seq = 0; seq < 6; seq++) for (const rendition of [0, 2]) window.keep('chunk', rendition, seq, body(100));
  assert.deepEqual(window.index(2).chunks, [2, 3, 4, 5]);
  assert.equal(window.bytes, 200 + 8 * 100);
  window.keep('chunk', 0, 6, body(500));
  assert.ok(window.bytes <= 1000, `${window.bytes} bytes held`);
  assert.deepEqual(window.index(0).chunks, [5, 6]);
  assert.deepEqual(window.index(0).inits, [1, 2], 'chunks went first');
  window.keep('chunk', 1, 6, body(100));
  window.keep('chunk', 1, 6, body(300));
  assert.equal(window.get('chunk', 1, 6)?.length, 300, 'a second upload replaces the first');
  assert.ok(window.bytes <= 1000);
  assert.deepEqual(window.renditions(), [0, 1], 'rendition 2 had only seq 5, gone');
});
