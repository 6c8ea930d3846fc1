// The HTTP fallback end to end in Node: a broadcaster PUTs a real signed stream to a
// real server's origin, and a wasm viewer engine that has no peers at all finds the
// live edge in the origin's index and plays every chunk from there on, byte for byte;
// with two renditions, of the rendition it plays. The engine runs on a virtual clock;
// the HTTP requests are real.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { startServer } from '../../tools/server/server.js';
import { HeaderKind, Segmenter, StreamSigner, SwarmEngine } from '../../web/core/index.js';
import { OriginClient } from '../../web/shim/origin-client.js';
import { readMedia } from './helpers.mjs';

let core;
let server;
before(async () => {
  core = await loadCoreForNode();
  server = await startServer({ port: 0, host: '127.0.0.1', origin: true, core });
});
after(() => server.close());

const T0 = 1_700_000_000_000;
const TICK_MS = 50;

// The file as a live stream: each signed item with the time its recorder finished it.
function signedStream(file, signer, rendition = 0) {
  const segmenter = new Segmenter(core);
  const events = [...segmenter.push(readMedia(file)), ...segmenter.finish()];
  segmenter.close();
  return events.filter((e) => e.type === 'init' || e.type === 'chunk').map((e) => {
    const init = e.type === 'init';
    const capture = T0 + (init ? 0 : e.startMs);
    const durationMs = init ? 0 : e.durationMs;
    const header = signer.sign(init ? HeaderKind.init : HeaderKind.chunk,
      { epoch: e.epoch, seq: init ? 0 : e.seq, captureMs: capture, durationMs, rendition }, e.bytes);
    return { init, rendition, epoch: e.epoch, seq: e.seq, at: capture + durationMs, header, bytes: e.bytes };
  });
}

// Only a proven broadcaster may PUT: join over the signaling socket and sign the nonce.
async function goLive(signer) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signal`);
  await once(ws, 'open');
  const next = async (type) => {
    for (;;) {
      const [data] = await once(ws, 'message');
      const message = JSON.parse(data);
      if (message.type === type) return message;
    }
  };
  ws.send(JSON.stringify({ type: 'join', role: 'broadcaster', streamId: signer.streamId }));
  const { nonce } = await next('challenge');
  const signature = signer.signChallenge(new Uint8Array(Buffer.from(nonce, 'base64url')));
  ws.send(JSON.stringify({ type: 'prove', signature: Buffer.from(signature).toString('base64url') }));
  await next('welcome');
  return ws;
}

const routeOf = (kind) => (kind === 'init' ? 'init' : 'chunks');

async function put(streamId, item) {
  const url = `${server.url}/api/streams/${streamId}/${routeOf(item.init ? 'init' : 'chunk')}/${item.init ? item.epoch : item.seq}`;
  const res = await fetch(url, { method: 'PUT', body: Buffer.concat([item.header, item.bytes]) });
  assert.equal(res.status, 204, `PUT ${url}`);
}

// What the watch page does with each fetch the engine asks for; returns the GET's status.
async function perform(engine, streamId, { kind, number }, now) {
  const path = kind === 'index' ? 'chunks' : `${routeOf(kind)}/${number}`;
  const res = await fetch(`${server.url}/api/streams/${streamId}/${path}`);
  if (!res.ok) return res.status;
  if (kind === 'index') {
    engine.onHttpIndex((await res.json()).chunks, now);
    return res.status;
  }
  const body = new Uint8Array(await res.arrayBuffer());
  const size = core.SIGNED_HEADER_SIZE;
  assert.equal(engine.onHttpChunk(body.subarray(0, size), body.subarray(size), now), true, `${kind} ${number} verifies`);
  return res.status;
}

// Publishes each item when due and steps the viewer until `end`.
async function run({ signer, stream, viewer, end }) {
  const queue = [...stream];
  const played = [];
  const fetches = [];
  for (let now = T0; now <= end; now += TICK_MS) {
    while (queue.length && queue[0].at <= now) await put(signer.streamId, queue.shift());
    viewer.tick(now);
    for (const fetch of viewer.takeHttpFetches()) {
      fetches.push({ ...fetch, status: await perform(viewer, signer.streamId, fetch, now) });
    }
    played.push(...viewer.takePlayable());
  }
  return { played, fetches };
}

describe('HTTP fallback (wasm engine, real origin)', () => {
  test('a viewer with no peers finds the live edge and plays every later chunk byte for byte', async () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(31));
    const ws = await goLive(signer);
    const stream = signedStream('bench-vp8-opus.webm', signer);
    const chunks = stream.filter((item) => !item.init);
    assert.ok(chunks.length >= 15, `the test file gives ${chunks.length} chunks`);
    const viewer = new SwarmEngine(core, { self: 5, streamKey: signer.streamId, httpOrigin: true });
    const end = stream.at(-1).at + 4000;
    const { played, fetches } = await run({ signer, stream, viewer, end });

    assert.equal(fetches[0].kind, 'index', 'the live edge comes from the index');
    assert.equal(played[0]?.init, true, 'the init segment first');
    assert.ok(Buffer.from(played[0].bytes).equals(Buffer.from(stream[0].bytes)));
    const bySeq = new Map(chunks.map((item) => [item.seq, item]));
    const seqs = played.slice(1).map((item) => item.seq);
    seqs.forEach((seq, i) => {
      if (i > 0) assert.equal(seq, seqs[i - 1] + 1, 'chunks in order, none skipped');
      assert.ok(Buffer.from(played[i + 1].bytes).equals(Buffer.from(bySeq.get(seq).bytes)), `chunk ${seq} as published`);
    });
    assert.equal(seqs.at(-1), chunks.at(-1).seq, 'it reached the live edge');
    assert.ok(seqs.length >= chunks.length - 4, `played ${seqs.length} of ${chunks.length}`);
    // Each chunk was fetched once; a few GETs may come a moment before its PUT.
    const got = fetches.filter((f) => f.kind === 'chunk' && f.status === 200).map((f) => f.number);
    assert.equal(new Set(got).size, got.length, 'no chunk fetched twice');
    assert.ok(fetches.length <= got.length + 6, `${fetches.length} GETs for ${got.length} chunks`);

    const stats = viewer.stats(end);
    assert.equal(stats.chunks_skipped, 0);
    assert.equal(stats.media_bytes_from_http, stats.media_bytes_received);
    assert.equal(stats.share_from_http, 1);
    assert.equal(stats.share_from_peers, 0);
    viewer.delete();
    ws.close();
    signer.close();
  });

  test('without httpOrigin the engine asks the origin for nothing; a tampered body is refused', async () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(32));
    const ws = await goLive(signer);
    const stream = signedStream('vp8-opus-live.webm', signer);
    const viewer = new SwarmEngine(core, { self: 5, streamKey: signer.streamId });
    const { played, fetches } = await run({ signer, stream, viewer, end: stream.at(-1).at + 3000 });
    assert.deepEqual(fetches, []);
    assert.deepEqual(played, []);

    const chunk = stream.find((item) => !item.init);
    const tampered = chunk.bytes.slice();
    tampered[tampered.length >> 1] ^= 1;
    assert.equal(viewer.onHttpChunk(chunk.header, tampered, T0), false);
    assert.equal(viewer.stats(T0).buffered_chunks, 0);
    assert.equal(viewer.onHttpChunk(chunk.header, chunk.bytes, T0), true);
    assert.throws(() => viewer.onHttpIndex([1, -2], T0), TypeError);
    viewer.delete();
    ws.close();
    signer.close();
  });

  test('two renditions: the viewer learns the list from the index and gets the rendition it plays', async () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(33));
    const ws = await goLive(signer);
    const signalUrl = `${server.url.replace('http', 'ws')}/signal`;
    const upload = new OriginClient(core, signalUrl, signer.streamId);
    const rendition = { width: 320, height: 180, frameRateMilli: 30_000, codecs: 'vp8,opus' };
    const list = signer.signLadder({ revision: 1, renditions: [{ ...rendition, id: 0, bitrate: 800_000 }, { ...rendition, id: 1, bitrate: 300_000 }] });
    assert.equal(await upload.putLadder(list), null);
    // The same recording signed as either rendition: cut at the same moments, as a broadcaster's renditions are.
    const [top, low] = [0, 1].map((id) => signedStream('vp8-opus-live.webm', signer, id));
    const queue = top.flatMap((item, i) => [item, low[i]]);
    const viewer = new SwarmEngine(core, { self: 6, streamKey: signer.streamId, httpOrigin: true });
    viewer.setRenditionChoice(1);  // the viewer picked the lower level by hand
    const fetch = new OriginClient(core, signalUrl, signer.streamId);
    const played = [];
    const fetches = [];
    for (let now = T0; now <= top.at(-1).at + 4000; now += TICK_MS) {
      while (queue.length && queue[0].at <= now) {
        const item = queue.shift();
        const name = { kind: item.init ? 'init' : 'chunk', rendition: item.rendition, number: item.init ? item.epoch : item.seq };
        assert.equal(await upload.put(name, item.header, item.bytes), null, JSON.stringify(name));
      }
      viewer.tick(now);
      for (const request of viewer.takeHttpFetches()) {
        fetches.push(request);
        const got = await fetch.get(request);
        if (!got) continue;
        if ('chunks' in got) {
          assert.ok(got.ladder && Buffer.from(got.ladder).equals(Buffer.from(list)), 'the index carries the signed list');
          viewer.publishLadder(got.ladder, now);
          viewer.onHttpIndex(got.chunks, now);
        } else {
          assert.equal(viewer.onHttpChunk(got.header, got.payload, now), true, `${request.kind} ${request.number} verifies`);
        }
      }
      played.push(...viewer.takePlayable());
    }
    assert.equal(fetches[0].kind, 'index');
    assert.deepEqual(new Set(fetches.slice(1).map((f) => f.rendition)), new Set([1]), 'every item asked of rendition 1');
    assert.equal(played[0]?.init, true, 'its init segment first');
    assert.ok(played.length >= 5, `played ${played.length} items`);
    const published = new Map(low.map((item) => [item.init ? `init ${item.epoch}` : `chunk ${item.seq}`, item]));
    for (const item of played) {
      assert.equal(item.rendition, 1);
      const sent = published.get(item.init ? `init ${item.epoch}` : `chunk ${item.seq}`);
      assert.ok(Buffer.from(item.bytes).equals(Buffer.from(sent.bytes)), 'as published');
    }
    assert.equal(viewer.stats(T0 + 60_000).chunks_skipped, 0);
    viewer.delete();
    ws.close();
    signer.close();
  });
});
