// The WebCodecs muxer through its JS face (web/core/frame-muxer.js), as the broadcaster
// will call it: synthetic encoded frames in, init segment and chunks out, read back by
// the project's own segmenter.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadCoreForNode } from '../../tools/lib/load-core.mjs';
import { FrameMuxer, MuxSpecError, RenditionAlignment, Segmenter } from '../../web/core/index.js';

let core;
before(async () => { core = await loadCoreForNode(); });

const hex = (bytes) => Buffer.from(bytes).toString('hex');
// OpusHead: mono, pre-skip 312, 48 kHz (what both browsers' AudioEncoders report).
const OPUS_HEAD = new Uint8Array([0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, 1, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0]);
const spec = (width, height) => ({ videoCodec: /** @type {const} */ ('V_VP8'), width, height,
  audio: { sampleRate: 48000, channels: 1, opusHead: OPUS_HEAD } });

/** `seconds` of 30 fps video (a boundary keyframe each second) and 20 ms Opus packets, in capture order. */
function captureScript(seconds, rendition) {
  const frames = [];
  const endUs = seconds * 1e6;
  let video = 0;
  let audioUs = 0;
  let nextBoundaryUs = 0;
  for (let videoUs = 0; videoUs < endUs; videoUs = Math.floor((++video * 1e6) / 30)) {
    for (; audioUs < videoUs; audioUs += 20000) {
      frames.push({ track: 'audio', timestampUs: audioUs, keyframe: true, bytes: new Uint8Array(40).fill(audioUs / 20000) });
    }
    const boundary = videoUs >= nextBoundaryUs;
    if (boundary) nextBoundaryUs += 1e6;
    const bytes = new Uint8Array(boundary ? 300 : 80).map((_, i) => (rendition * 31 + video + i) & 0xff);
    frames.push({ track: 'video', timestampUs: videoUs, keyframe: boundary, chunkBoundary: boundary, bytes });
  }
  return frames;
}

function muxAll(muxer, frames) {
  const events = [];
  const appended = [];
  for (const frame of frames) {
    const out = muxer.push(frame);
    events.push(...out);
    const added = muxer.appended();
    if (out.some((e) => e.type === 'chunk') || appended.length === 0) appended.push([]);
    if (added.length) appended[appended.length - 1].push(...added);
  }
  events.push(...muxer.finish());
  return { events, chunks: events.filter((e) => e.type === 'chunk'), appended };
}

describe('FrameMuxer (wasm)', () => {
  test('chunks open at the boundaries and read back through the segmenter', () => {
    const muxer = new FrameMuxer(core, spec(640, 360), { epoch: 4, firstSeq: 10 });
    assert.equal(muxer.init.type, 'init');
    assert.equal(muxer.init.mimeType, 'video/webm; codecs="vp8,opus"');
    assert.deepEqual(muxer.init.video, { codecId: 'V_VP8', width: 640, height: 360, sampleRate: 0, channels: 0 });
    assert.equal(muxer.init.audio?.channels, 1);
    const { events, chunks, appended } = muxAll(muxer, captureScript(3.5, 0));
    assert.deepEqual(events.filter((e) => e.type !== 'chunk'), []);
    assert.deepEqual(chunks.map((c) => [c.seq, c.epoch, c.startMs, c.durationMs, c.keyframe]),
      [[10, 4, 0, 1000, true], [11, 4, 1000, 1000, true], [12, 4, 2000, 1000, true], [13, 4, 3000, 499, true]]);
    // Published push by push, the bytes are each chunk's beginning; the closed chunk adds
    // the frames still waiting for the next of their track (its last video frame among them).
    appended.forEach((bytes, i) => {
      assert.ok(bytes.length < chunks[i].bytes.length, `chunk ${i}: ${bytes.length} of ${chunks[i].bytes.length} bytes`);
      assert.equal(hex(bytes), hex(chunks[i].bytes.subarray(0, bytes.length)), `chunk ${i}`);
    });

    const segmenter = new Segmenter(core);
    const parts = [muxer.init.bytes, ...chunks.map((c) => c.bytes)];
    const read = parts.flatMap((bytes) => segmenter.push(bytes)).concat(segmenter.finish());
    segmenter.close();
    muxer.close();
    assert.deepEqual(read.filter((e) => e.type === 'error'), []);
    assert.equal(read[0].type === 'init' && read[0].mimeType, 'video/webm; codecs="vp8,opus"');
    assert.deepEqual(read.filter((e) => e.type === 'chunk').map((c) => c.type === 'chunk' && c.startMs), [0, 1000, 2000, 3000]);
  });

  test('two renditions fed the same capture are aligned; one a few frames late is not', () => {
    const high = new FrameMuxer(core, spec(640, 360));
    const low = new FrameMuxer(core, spec(320, 180));
    const late = captureScript(3, 1).map((f) => (f.track === 'video' && (f.timestampUs === 2e6 || f.timestampUs === 2.1e6)
      ? { ...f, keyframe: f.timestampUs !== 2e6, chunkBoundary: f.timestampUs !== 2e6 } : f));
    const h = muxAll(high, captureScript(3, 0)).chunks;
    const l = muxAll(low, late).chunks;
    high.close();
    low.close();
    const alignment = new RenditionAlignment(core);
    const verdicts = h.map((chunk, i) => [alignment.check(0, chunk), alignment.check(1, l[i])]);
    alignment.close();
    assert.deepEqual(verdicts.slice(0, 2), [[null, null], [null, null]]);
    assert.equal(verdicts[2][0], null);
    assert.equal(verdicts[2][1]?.code, 'misaligned');
    assert.equal(verdicts[2][1]?.fatal, false);
  });

  test('bad frames are typed error events; a bad spec throws a MuxSpecError', () => {
    const muxer = new FrameMuxer(core, spec(320, 180));
    assert.deepEqual(muxer.push({ track: 'video', timestampUs: 0, keyframe: true, chunkBoundary: true, bytes: new Uint8Array(9) }), []);
    const codes = [
      { track: 'video', timestampUs: NaN, keyframe: false, bytes: new Uint8Array(9) },
      { track: 'video', timestampUs: -5, keyframe: false, bytes: new Uint8Array(9) },
      { track: 'audio', timestampUs: 1e300, keyframe: true, bytes: new Uint8Array(9) },
      { track: 'audio', timestampUs: 10000, keyframe: true, bytes: new Uint8Array(0) },
      { track: 'video', timestampUs: 33000, keyframe: true, bytes: new Uint8Array(5 * 1024 * 1024) },
    ].map((frame) => muxer.push(/** @type {any} */ (frame)).map((e) => e.type === 'error' && [e.code, e.fatal]));
    assert.deepEqual(codes, [[['timestamp_out_of_range', false]], [['timestamp_out_of_range', false]],
      [['timestamp_out_of_range', false]], [['empty_frame', false]], [['frame_too_large', false]]]);
    assert.throws(() => muxer.push(/** @type {any} */ ({ track: 'video', timestampUs: 1, bytes: [1, 2] })), TypeError);
    assert.throws(() => muxer.push(/** @type {any} */ ({ track: 'subtitles', timestampUs: 1, bytes: new Uint8Array(1) })), TypeError);
    muxer.close();

    for (const bad of [{ ...spec(0, 180) }, { ...spec(320, 180), videoCodec: 'V_AV1' },
      { ...spec(320, 180), audio: { sampleRate: 48000, channels: 2, opusHead: OPUS_HEAD } },
      { ...spec(320, 180), audio: { sampleRate: 48000, channels: 0, opusHead: OPUS_HEAD } },
      { ...spec(320, 180), width: -1 }, { ...spec(320, 180), height: 1.5 }]) {
      assert.throws(() => new FrameMuxer(core, /** @type {any} */ (bad)),
        (error) => error instanceof MuxSpecError && error.code === 'bad_spec' && error.fatal === true);
    }
    const heapBefore = core.heapBytesInUse();
    for (let i = 0; i < 20; i++) assert.throws(() => new FrameMuxer(core, spec(0, 0)), MuxSpecError);
    assert.equal(core.heapBytesInUse(), heapBefore);
  });
});
