// The swarm engine in wasm through its JS face: a broadcaster and viewers in one
// process, joined by in-memory links on a virtual clock, carrying a real WebM stream
// segmented and signed by the wasm core.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { SwarmEngine, EngineError, scorePeer, Segmenter, StreamSigner, HeaderKind, TrustError }
  from '../../web/core/index.js';
import { readMedia } from './helpers.mjs';

let core;
before(async () => { core = await loadCoreForNode(); });

const TICK_MS = 20;
const T0 = 1_700_000_000_000;  // wall-clock-sized times, as a browser passes them
const BROADCASTER = 1;
const PIECE_MESSAGE = 5;       // docs/PROTOCOL.md: type byte of a Piece; its bytes start at 11
const RENDITION_LIST_MESSAGE = 17;

const hex = (bytes) => Buffer.from(bytes).toString('hex');
// A stream id is the base64url of the 32-byte public key (decoded here independently of the core).
const keyOf = (signer) => new Uint8Array(Buffer.from(signer.streamId, 'base64url'));

// The file as a live stream: the signed init at T0, then each signed chunk when the
// recorder would have finished it (its start plus its duration).
function signedStream(file, signer) {
  const segmenter = new Segmenter(core);
  const events = [...segmenter.push(readMedia(file)), ...segmenter.finish()];
  segmenter.close();
  assert.deepEqual(events.filter((e) => e.type === 'error'), []);
  return events.map((e) => {
    const init = e.type === 'init';
    const capture = T0 + (init ? 0 : e.startMs);
    const durationMs = init ? 0 : e.durationMs;
    const header = signer.sign(init ? HeaderKind.init : HeaderKind.chunk,
      { epoch: e.epoch, seq: init ? 0 : e.seq, captureMs: capture, durationMs }, e.bytes);
    return { init, epoch: e.epoch, seq: e.seq, capture, at: capture + durationMs, header, bytes: e.bytes };
  });
}

// Engines in a full mesh of in-memory links: what one sends during a tick arrives at
// the next, and a link closes both ways when either end asks. Every link drains within
// a tick, so each backlog is reported as 0. `tamper(from, bytes)` rewrites what a peer sends.
class Mesh {
  constructor(engines, { tamper = (from, bytes) => bytes } = {}) {
    this.engines = engines;
    this.tamper = tamper;
    this.inFlight = [];
    this.closed = new Set();
    this.played = new Map([...engines.keys()].map((id) => [id, []]));
    this.disconnects = new Map([...engines.keys()].map((id) => [id, []]));
    for (const [a, engine] of engines) for (const b of engines.keys()) if (a !== b) engine.connect(b, T0);
  }

  step(now) {
    const due = this.inFlight.filter((m) => m.at <= now);
    this.inFlight = this.inFlight.filter((m) => m.at > now);
    for (const m of due) {
      if (this.open(m.from, m.to)) this.engines.get(m.to).onMessage(m.from, m.bytes, now);
    }
    for (const [a, engine] of this.engines) {
      for (const b of this.engines.keys()) if (this.open(a, b)) engine.setBufferedAmount(b, 0);
    }
    for (const [id, engine] of this.engines) {
      engine.tick(now);
      for (const { to, bytes } of engine.takeOutbox()) {
        this.inFlight.push({ at: now + TICK_MS, from: id, to, bytes: this.tamper(id, bytes) });
      }
      this.played.get(id).push(...engine.takePlayable());
      for (const gone of engine.takeDisconnects()) this.close(id, gone, now);
    }
  }

  open(a, b) {
    return a !== b && !this.closed.has(a < b ? `${a}-${b}` : `${b}-${a}`);
  }

  close(a, b, now) {
    this.disconnects.get(a).push(b);
    this.closed.add(a < b ? `${a}-${b}` : `${b}-${a}`);
    this.engines.get(a).disconnect(b, now);
    this.engines.get(b)?.disconnect(a, now);
  }

  // Publishes each item when it is due and steps from `start` until `end`.
  broadcast(stream, end, start = T0) {
    const source = this.engines.get(BROADCASTER);
    const queue = [...stream];
    for (let now = start; now <= end; now += TICK_MS) {
      while (queue.length && queue[0].at <= now) {
        const item = queue.shift();
        const ok = item.init ? source.publishInit(item.header, item.bytes, now)
          : source.publishChunk(item.header, item.bytes, now);
        assert.equal(ok, true, `publishing ${item.init ? 'init' : `chunk ${item.seq}`}`);
      }
      this.step(now);
    }
  }

  deleteAll() {
    for (const engine of this.engines.values()) engine.delete();
  }
}

function swarm(signer, viewerIds) {
  const source = new SwarmEngine(core, { self: BROADCASTER, broadcaster: true, streamKey: keyOf(signer) });
  const engines = new Map([[BROADCASTER, source]]);
  // One viewer is given the stream id (text) instead of the key bytes: if decoding it
  // went wrong, its handshakes would be refused and it would play nothing.
  viewerIds.forEach((id, i) => {
    engines.set(id, new SwarmEngine(core, { self: id, streamKey: i === 0 ? signer.streamId : keyOf(signer) }));
  });
  return engines;
}

// Asserts the viewer's player got the init segment, then consecutive chunks, each
// byte-identical to what was published; returns the chunks' sequence numbers.
function assertPlayedAsPublished(played, stream, viewer) {
  const init = stream.find((item) => item.init);
  const bySeq = new Map(stream.filter((item) => !item.init).map((item) => [item.seq, item]));
  assert.ok(played.length > 0, `viewer ${viewer} played nothing`);
  assert.equal(played[0].init, true, `viewer ${viewer}: the init segment comes first`);
  assert.equal(played[0].epoch, init.epoch);
  assert.equal(hex(played[0].bytes), hex(init.bytes));
  const chunks = played.slice(1);
  chunks.forEach((item, i) => {
    assert.equal(item.init, false, `viewer ${viewer}: one init segment per epoch`);
    if (i > 0) assert.equal(item.seq, chunks[i - 1].seq + 1, `viewer ${viewer}: chunks in order, none skipped`);
    const published = bySeq.get(item.seq);
    assert.ok(published, `viewer ${viewer} played chunk ${item.seq}, which was never published`);
    assert.equal(item.capture, published.capture);
    assert.equal(item.bytes.length, published.bytes.length);
    assert.ok(Buffer.from(item.bytes).equals(Buffer.from(published.bytes)),
      `viewer ${viewer}: chunk ${item.seq} differs from what was published`);
  });
  return chunks.map((item) => item.seq);
}

describe('SwarmEngine (wasm) over an in-memory mesh', () => {
  test('three viewers play the real stream byte for byte, mostly from each other', () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(21));
    const stream = signedStream('bench-vp8-opus.webm', signer);
    const chunks = stream.filter((item) => !item.init);
    assert.ok(chunks.length >= 15, `the test file gives ${chunks.length} chunks`);
    const viewers = [7, 8, 9];
    const mesh = new Mesh(swarm(signer, viewers));
    const end = stream.at(-1).at + 4000;
    mesh.broadcast(stream, end);

    const lastSeq = chunks.at(-1).seq;
    for (const id of viewers) {
      const seqs = assertPlayedAsPublished(mesh.played.get(id), stream, id);
      assert.ok(seqs.length >= chunks.length - 2, `viewer ${id} played ${seqs.length} of ${chunks.length} chunks`);
      assert.equal(seqs.at(-1), lastSeq, `viewer ${id} reached the live edge`);
      const stats = mesh.engines.get(id).stats(end);
      assert.equal(stats.chunks_skipped, 0);
      assert.equal(stats.bans, 0);
      assert.ok(stats.share_from_peers > 0.3, `viewer ${id}: share from peers ${stats.share_from_peers}`);
      assert.equal(mesh.engines.get(id).peerCount, viewers.length);
    }
    // The source sent each chunk about once, not once per viewer.
    const published = chunks.reduce((sum, item) => sum + item.bytes.length, 0);
    const source = mesh.engines.get(BROADCASTER).stats(end);
    assert.equal(source.chunks_published, chunks.length);
    assert.ok(source.media_bytes_sent < 1.5 * published, `source upload factor ${source.media_bytes_sent / published}`);
    mesh.deleteAll();
    signer.close();
  });

  test('a viewer whose player aims 3 s further back mid-stream has its later chunks due 3 s later', () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(25));
    const stream = signedStream('bench-vp8-opus.webm', signer);
    const mesh = new Mesh(swarm(signer, [7, 8]));
    // Ticks fall on T0 + k * TICK_MS: the change comes between two of them.
    const half = T0 + Math.floor((stream.at(-1).at - T0) / 2 / TICK_MS) * TICK_MS;
    mesh.broadcast(stream.filter((item) => item.at <= half), half);
    mesh.engines.get(8).setTargetLatency(2500 + 3000, half);
    // Before the steady viewer's next chunk would be due (2.5 s after the last ended).
    const end = stream.at(-1).at + 2000;
    mesh.broadcast(stream.filter((item) => item.at > half), end, half + TICK_MS);
    const [steady, held] = [7, 8].map((id) => mesh.engines.get(id).stats(end));
    for (const stats of [steady, held]) assert.equal(stats.stalls, 0);
    assert.ok(steady.latency_p95_ms <= 2500, `steady viewer: p95 ${steady.latency_p95_ms} ms`);
    assert.ok(held.latency_p95_ms >= 5500, `held viewer: p95 ${held.latency_p95_ms} ms`);
    mesh.deleteAll();
    signer.close();
  });

  test('a peer that sends a corrupt piece is banned and none of its bytes are played', () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(22));
    const stream = signedStream('vp8-opus-live.webm', signer);
    // The polluter takes the lowest viewer id: ranking ties go to lower ids, so the
    // broadcaster stripes chunks through it and the others are offered its pieces.
    const polluter = 2;
    const honest = [7, 8, 9];
    let corrupted = 0;
    const mesh = new Mesh(swarm(signer, [polluter, ...honest]), {
      tamper(from, bytes) {
        if (from !== polluter || bytes[0] !== PIECE_MESSAGE) return bytes;
        const bad = bytes.slice();
        bad[11 + ((bad.length - 11) >> 1)] ^= 0x40;
        corrupted++;
        return bad;
      },
    });
    const end = stream.at(-1).at + 4000;
    mesh.broadcast(stream, end);

    assert.ok(corrupted > 0, 'the polluter sent no pieces, so the test proves nothing');
    let bans = 0;
    for (const id of honest) {
      const stats = mesh.engines.get(id).stats(end);
      bans += stats.bans;
      if (stats.bad_pieces > 0) {
        assert.ok(mesh.disconnects.get(id).includes(polluter), `viewer ${id} got a bad piece but kept the polluter`);
        assert.equal(stats.bans, 1);
      }
      const seqs = assertPlayedAsPublished(mesh.played.get(id), stream, id);
      assert.ok(seqs.length >= 4, `viewer ${id} played ${seqs.length} chunks`);
      // The broadcaster, the other honest viewers, and the polluter unless banned.
      assert.equal(mesh.engines.get(id).peerCount, 1 + (honest.length - 1) + (stats.bans > 0 ? 0 : 1));
    }
    assert.ok(bans >= 1, 'nobody banned the polluter');
    assert.equal(mesh.engines.get(BROADCASTER).stats(end).bans, 0);
    mesh.deleteAll();
    signer.close();
  });
});

describe('SwarmEngine (wasm) API', () => {
  const seed = new Uint8Array(32).fill(23);

  test('peer ids must be non-negative integers below 2^53', () => {
    const signer = new StreamSigner(core, seed);
    for (const bad of [-1, 1.5, '7', 7n, NaN, 2 ** 53, undefined]) {
      assert.throws(() => new SwarmEngine(core, { self: bad, streamKey: keyOf(signer) }), TypeError, String(bad));
    }
    const engine = new SwarmEngine(core, { self: 0, streamKey: keyOf(signer) });
    for (const bad of [-1, 2.5, '3', null]) {
      assert.throws(() => engine.connect(bad, T0), TypeError);
      assert.throws(() => engine.onMessage(bad, new Uint8Array(1), T0), TypeError);
      assert.throws(() => engine.disconnect(bad, T0), TypeError);
      assert.throws(() => engine.setBufferedAmount(bad, 0), TypeError);
    }
    assert.throws(() => engine.onMessage(3, [1, 2, 3], T0), TypeError);
    assert.throws(() => engine.tick('now'), TypeError);
    engine.connect(2 ** 53 - 1, T0);
    assert.equal(engine.peerCount, 1);
    // The handshake goes out to the largest id intact.
    assert.deepEqual(engine.takeOutbox().map((m) => m.to), [2 ** 53 - 1]);
    engine.delete();
    signer.close();
  });

  test('the latency target and the leads are whole milliseconds up to a minute', () => {
    const signer = new StreamSigner(core, seed);
    for (const option of ['targetLatencyMs', 'startLeadMs', 'playerLeadMs']) {
      for (const bad of [-1, 2.5, '500', 60_001, null]) {
        assert.throws(() => new SwarmEngine(core, { self: 1, streamKey: keyOf(signer), [option]: bad }), TypeError,
          `${option}: ${bad}`);
      }
      new SwarmEngine(core, { self: 1, streamKey: keyOf(signer), [option]: 60_000 }).delete();
    }
    const engine = new SwarmEngine(core, { self: 1, streamKey: keyOf(signer) });
    for (const bad of [-1, 2.5, '500', 60_001, null]) assert.throws(() => engine.setTargetLatency(bad, T0), TypeError, `${bad}`);
    engine.setTargetLatency(60_000, T0);
    engine.delete();
    signer.close();
  });

  test('the stream key is 32 bytes or a stream id; publishing checks what it is given', () => {
    const signer = new StreamSigner(core, seed);
    const stranger = new StreamSigner(core, new Uint8Array(32).fill(24));
    assert.throws(() => new SwarmEngine(core, { self: 1, streamKey: new Uint8Array(31) }), TypeError);
    assert.throws(() => new SwarmEngine(core, { self: 1, streamKey: 'not-a-stream-id' }), TrustError);
    const engine = new SwarmEngine(core, { self: 1, broadcaster: true, streamKey: signer.streamId });
    const payload = new Uint8Array(40000).map((_, i) => (i * 31) & 0xff);
    const fields = { epoch: 0, seq: 5, captureMs: T0, durationMs: 1000 };
    assert.equal(engine.publishChunk(stranger.sign(HeaderKind.chunk, fields, payload), payload, T0), false);
    const tampered = payload.slice();
    tampered[100] ^= 1;
    assert.equal(engine.publishChunk(signer.sign(HeaderKind.chunk, fields, payload), tampered, T0), false);
    assert.equal(engine.publishInit(signer.sign(HeaderKind.chunk, fields, payload), payload, T0), false);
    assert.equal(engine.publishChunk(signer.sign(HeaderKind.chunk, fields, payload), payload, T0), true);
    assert.equal(engine.stats(T0).chunks_published, 1);
    engine.delete();
    assert.throws(() => engine.tick(T0), EngineError);
    engine.delete();  // twice is harmless
    [signer, stranger].forEach((s) => s.close());
  });

  test('the broadcaster publishes its signed rendition list to every viewer, newest revision only', () => {
    const signer = new StreamSigner(core, seed);
    const stranger = new StreamSigner(core, new Uint8Array(32).fill(24));
    const engines = new Map([[BROADCASTER, new SwarmEngine(core, { self: BROADCASTER, broadcaster: true, streamKey: signer.streamId })],
      [2, new SwarmEngine(core, { self: 2, streamKey: signer.streamId })]]);
    const mesh = new Mesh(engines);
    for (let t = T0; t < T0 + 200; t += TICK_MS) mesh.step(t);
    const renditions = [{ id: 0, width: 640, height: 360, bitrate: 800_000, frameRateMilli: 30_000, codecs: 'vp8,opus' }];
    const broadcaster = engines.get(BROADCASTER);
    assert.equal(broadcaster.publishLadder(stranger.signLadder({ revision: 1, renditions }), T0), false);
    const ladder = signer.signLadder({ revision: 1, renditions });
    assert.equal(broadcaster.publishLadder(ladder, T0 + 200), true);
    assert.equal(broadcaster.publishLadder(ladder, T0 + 200), false, 'not newer');
    const sent = broadcaster.takeOutbox().filter((m) => m.bytes[0] === RENDITION_LIST_MESSAGE);
    assert.deepEqual(sent.map((m) => [m.to, hex(m.bytes.subarray(1))]), [[2, hex(ladder)]]);
    // What the player reads of it: the verified list, on both sides once it arrived.
    const viewer = engines.get(2);
    assert.equal(viewer.ladder(), null, 'no list before one arrives');
    assert.deepEqual(broadcaster.ladder(), { revision: 1, firstSeq: 0, renditions });
    for (const m of sent) viewer.onMessage(BROADCASTER, m.bytes, T0 + 250);
    assert.deepEqual(viewer.ladder(), { revision: 1, firstSeq: 0, renditions });
    [...engines.values()].forEach((e) => e.delete());
    [signer, stranger].forEach((s) => s.close());
  });
});

describe('chat through the wasm engines', () => {
  test('a signed line crosses the mesh once to every engine; a forged one bans the peer that sent it', () => {
    const signer = new StreamSigner(core, new Uint8Array(32).fill(31));
    const author = new StreamSigner(core, new Uint8Array(32).fill(32));
    const mesh = new Mesh(swarm(signer, [7, 8, 9]));
    for (let now = T0; now < T0 + 200; now += TICK_MS) mesh.step(now);
    const line = author.signChat(signer.streamId, { number: 1, sentAtMs: T0, name: 'Zoë', text: 'hi there 👋' });
    assert.equal(mesh.engines.get(7).postChat(line, T0 + 200), 'new');
    assert.equal(mesh.engines.get(7).postChat(line, T0 + 200), 'duplicate');
    for (let now = T0 + 200; now < T0 + 400; now += TICK_MS) mesh.step(now);
    for (const [id, engine] of mesh.engines) {
      const lines = engine.takeChat();
      assert.equal(lines.length, 1, `engine ${id}`);
      assert.deepEqual({ ...lines[0], hops: 0 }, {
        author: author.streamId, number: 1, sentAtMs: T0, kind: 'text', name: 'Zoë', text: 'hi there 👋', hops: 0,
      });
    }
    // The broadcaster's own lines carry its stream id as their author.
    const fromSource = signer.signChat(signer.streamId, { number: 1, sentAtMs: T0, kind: 'reaction', text: '🔥' });
    assert.equal(mesh.engines.get(BROADCASTER).postChat(fromSource, T0 + 400), 'new');
    assert.equal(mesh.engines.get(BROADCASTER).takeChat()[0].author, signer.streamId);

    // A line signed for another stream: the engine that receives it bans the sender.
    const elsewhere = author.signChat(author.streamId, { number: 2, sentAtMs: T0, text: 'wrong stream' });
    assert.equal(mesh.engines.get(8).postChat(elsewhere, T0 + 400), 'forged');
    mesh.engines.get(9).onMessage(8, elsewhere, T0 + 400);
    assert.deepEqual(mesh.engines.get(9).takeChat(), []);
    assert.equal(mesh.engines.get(9).stats(T0 + 400).bans, 1);
    assert.equal(mesh.engines.get(9).postChat(new Uint8Array([15, 0]), T0 + 400), 'malformed');
    mesh.deleteAll();
    [signer, author].forEach((s) => s.close());
  });

  test('signChat refuses what the wire cannot carry', () => {
    const author = new StreamSigner(core, new Uint8Array(32).fill(33));
    const ok = { number: 1, sentAtMs: T0, name: 'n', text: 't' };
    assert.ok(author.signChat(author.streamId, ok) instanceof Uint8Array);
    for (const bad of [{ text: '' }, { text: 'x'.repeat(501) }, { name: 'n'.repeat(33) }, { name: 'é'.repeat(17) },
      { kind: 'reaction', text: '🔥'.repeat(5) }, { kind: 'shout' }, { number: -1 }, { number: 2 ** 32 }, { sentAtMs: 1.5 }]) {
      assert.throws(() => author.signChat(author.streamId, { ...ok, ...bad }), RangeError, JSON.stringify(bad));
    }
    assert.throws(() => author.signChat('not-a-stream', ok), RangeError);
    author.close();
  });
});

describe('scorePeer (wasm)', () => {
  const minutes = (n) => n * 60_000;

  test('a steady fast peer is a super-seed; a new, slow, unreliable one is a leaf', () => {
    const steady = scorePeer(core, {
      connectedAt: T0, nowMs: T0 + minutes(10), deliveryBytesPerS: 1_500_000, rttMs: 30,
      requestsSent: 200, requestsServed: 198, requestsFailed: 2, badPieces: 0,
      device: { metered: false, batteryLow: false, hidden: false, uploadBudgetBytesPerS: 0 },
    });
    const flaky = scorePeer(core, {
      connectedAt: T0 + minutes(10) - 5000, nowMs: T0 + minutes(10), deliveryBytesPerS: 40_000, rttMs: 350,
      requestsSent: 20, requestsServed: 8, requestsFailed: 12,
    });
    assert.equal(steady.role, 'super-seed');
    assert.ok(steady.score >= 75 && steady.score <= 100, `steady scored ${steady.score}`);
    assert.equal(flaky.role, 'leaf');
    assert.ok(flaky.score >= 0 && flaky.score < 50, `flaky scored ${flaky.score}`);
  });

  test('device constraints and bad pieces bound the score', () => {
    const base = { connectedAt: T0, nowMs: T0 + minutes(10), deliveryBytesPerS: 1_500_000, rttMs: 30,
      requestsSent: 200, requestsServed: 200 };
    const metered = scorePeer(core, { ...base, device: { metered: true } });
    assert.equal(metered.role, 'leaf');
    assert.ok(metered.score < 50, `a metered peer scored ${metered.score}`);
    const lowBudget = scorePeer(core, { ...base, device: { uploadBudgetBytesPerS: 100_000 } });
    assert.equal(lowBudget.role, 'relay');
    assert.equal(scorePeer(core, { ...base, badPieces: 1 }).score, 0);
    assert.throws(() => scorePeer(core, { ...base, requestsSent: -1 }), TypeError);
    assert.throws(() => scorePeer(core, { ...base, nowMs: undefined }), TypeError);
  });
});
