// The core's WebCodecs muxer with the browsers' real encoders and MSE: two renditions
// encoded from the same canvas frames (a keyframe asked on the same frame every second),
// muxed by the wasm FrameMuxer, then played through one SourceBuffer switching rendition
// at every chunk by appending the other rendition's init segment. In Chromium and in
// Firefox: each chunk is one Cluster of unknown size, which both must play.
import assert from 'node:assert/strict';
import { mixedEngineSession, testInEachEngine } from './firefox.mjs';

const session = mixedEngineSession();

// Runs in the page (serialized: it uses nothing from this module).
async function encodeMuxAndPlay() {
  const { loadCore, FrameMuxer, RenditionAlignment } = await import('/web/core/index.js');
  const core = await loadCore();
  const FRAMES = 90;  // 3 s at 30 fps
  const sizes = [[320, 180], [160, 90]];

  // One encoder per rendition, all fed the same frame; the encoder scales it.
  /** @type {{ track: 'video' | 'audio', timestampUs: number, keyframe: boolean, chunkBoundary?: boolean, bytes: Uint8Array }[][]} */
  const videoOut = sizes.map(() => []);
  const encoders = sizes.map(([width, height], r) => {
    const encoder = new VideoEncoder({
      output: (chunk) => {
        const bytes = new Uint8Array(chunk.byteLength);
        chunk.copyTo(bytes);
        videoOut[r].push({ track: 'video', timestampUs: chunk.timestamp, keyframe: chunk.type === 'key', bytes });
      },
      error: (e) => { throw e; },
    });
    encoder.configure({ codec: 'vp8', width, height, bitrate: 300_000, framerate: 30, latencyMode: 'realtime' });
    return encoder;
  });
  const canvas = new OffscreenCanvas(320, 180);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2d context');
  const boundaries = new Set();
  for (let i = 0; i < FRAMES; i++) {
    g.fillStyle = `hsl(${(i * 12) % 360} 80% 50%)`;
    g.fillRect(0, 0, 320, 180);
    g.fillStyle = '#fff';
    g.fillRect((i * 3) % 300, 80, 20, 20);
    const timestamp = Math.floor((i * 1e6) / 30);
    const frame = new VideoFrame(canvas, { timestamp });
    const boundary = i % 30 === 0;
    if (boundary) boundaries.add(timestamp);
    for (const encoder of encoders) encoder.encode(frame, { keyFrame: boundary });
    frame.close();
  }

  /** @type {{ track: 'audio', timestampUs: number, keyframe: boolean, bytes: Uint8Array }[]} */
  const audioOut = [];
  /** @type {Uint8Array | null} */
  let opusHead = null;
  const audioEncoder = new AudioEncoder({
    output: (chunk, metadata) => {
      const description = metadata?.decoderConfig?.description;
      if (description && !opusHead) {
        opusHead = new Uint8Array(ArrayBuffer.isView(description) ? description.buffer : description).slice();
      }
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      audioOut.push({ track: 'audio', timestampUs: chunk.timestamp, keyframe: true, bytes });
    },
    error: (e) => { throw e; },
  });
  audioEncoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 64_000 });
  for (let p = 0; p < 150; p++) {
    const samples = new Float32Array(960).map((_, s) => 0.2 * Math.sin(((p * 960 + s) * 2 * Math.PI * 440) / 48000));
    const data = new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1,
      timestamp: p * 20_000, data: samples });
    audioEncoder.encode(data);
    data.close();
  }
  await Promise.all([...encoders, audioEncoder].map((encoder) => encoder.flush()));
  if (!opusHead) throw new Error('the AudioEncoder gave no OpusHead');

  // Each rendition's muxer gets its video and the same audio, merged in capture order.
  const alignment = new RenditionAlignment(core);
  const misaligned = [];
  const renditions = sizes.map(([width, height], r) => {
    const muxer = new FrameMuxer(core, { videoCodec: 'V_VP8', width, height,
      audio: { sampleRate: 48000, channels: 1, opusHead: /** @type {Uint8Array} */ (opusHead) } });
    const video = videoOut[r].map((f) => ({ ...f, chunkBoundary: boundaries.has(f.timestampUs) }));
    const frames = [...video, ...audioOut].sort((a, b) => a.timestampUs - b.timestampUs || (a.track === 'video' ? -1 : 1));
    const events = frames.flatMap((frame) => muxer.push(frame)).concat(muxer.finish());
    const chunks = events.filter((e) => e.type === 'chunk');
    for (const chunk of chunks) {
      const error = alignment.check(r, chunk);
      if (error) misaligned.push(error.detail);
    }
    const out = { init: muxer.init, chunks, errors: events.filter((e) => e.type === 'error').map((e) => e.type === 'error' && e.code),
      keyframes: videoOut[r].filter((f) => f.keyframe).map((f) => f.timestampUs) };
    muxer.close();
    return out;
  });
  alignment.close();

  // Play 180p, 90p, 180p: one SourceBuffer, the other rendition's init before each switch.
  const video = document.createElement('video');
  video.muted = true;
  document.body.append(video);
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
  const buffer = source.addSourceBuffer(renditions[0].init.mimeType);
  const append = (bytes) => new Promise((resolve, reject) => {
    buffer.addEventListener('updateend', resolve, { once: true });
    buffer.addEventListener('error', reject, { once: true });
    buffer.appendBuffer(bytes);
  });
  const plan = [0, 1, 0];
  const widths = new Set();
  video.addEventListener('resize', () => widths.add(video.videoWidth));
  for (let k = 0; k < plan.length; k++) {
    if (k === 0 || plan[k] !== plan[k - 1]) await append(renditions[plan[k]].init.bytes);
    await append(renditions[plan[k]].chunks[k].bytes);
  }
  source.endOfStream();
  await video.play();
  await new Promise((resolve) => {
    video.addEventListener('ended', resolve, { once: true });
    setTimeout(resolve, 15_000);
  });
  const buffered = Array.from({ length: video.buffered.length }, (_, i) => [video.buffered.start(i), video.buffered.end(i)]);
  return {
    renditions: renditions.map((r) => ({ mimeType: r.init.mimeType, video: r.init.video, errors: r.errors, keyframes: r.keyframes,
      chunks: r.chunks.map((c) => c.type === 'chunk' && [c.seq, c.startMs, c.durationMs, c.keyframe]) })),
    misaligned, buffered, ended: video.ended, currentTime: video.currentTime, error: video.error?.message ?? null,
    decoded: video.getVideoPlaybackQuality().totalVideoFrames, widths: [...widths],
  };
}

/** What both engines must show. */
function checkPlayback(result, problems) {
  for (const rendition of result.renditions) {
    assert.equal(rendition.mimeType, 'video/webm; codecs="vp8,opus"');
    assert.deepEqual(rendition.errors, []);
    // The encoder made keyframes exactly where asked, so every chunk opens with one.
    assert.deepEqual(rendition.keyframes, [0, 1_000_000, 2_000_000]);
    // Chunk k opens at its keyframe, k s in, or at the audio packet (20 ms) that keyframe
    // falls in: Firefox's encoder times its packets off the whole milliseconds.
    assert.deepEqual(rendition.chunks.map((c) => c && c[0]), [0, 1, 2]);
    rendition.chunks.forEach((c, k) => assert.ok(c && c[1] > k * 1000 - 20 && c[1] <= k * 1000, JSON.stringify(rendition.chunks)));
    assert.ok(rendition.chunks.every((c) => c && c[3]), JSON.stringify(rendition.chunks));
  }
  assert.deepEqual(result.renditions.map((r) => r.video?.width), [320, 160]);
  assert.deepEqual(result.misaligned, []);
  assert.equal(result.error, null);
  assert.equal(result.buffered.length, 1, JSON.stringify(result.buffered));
  assert.ok(result.buffered[0][0] < 0.05 && result.buffered[0][1] > 2.95, JSON.stringify(result.buffered));
  assert.ok(result.ended, `played to ${result.currentTime} s`);
  assert.ok(result.decoded >= 80, `decoded ${result.decoded} frames of 90`);
  assert.deepEqual(result.widths.sort((a, b) => a - b), [160, 320]);
  assert.deepEqual(problems, []);
}

testInEachEngine(session, {
  chromium: 'chunks muxed from VideoEncoder and AudioEncoder output play in MSE across a rendition switch',
  firefox: 'the same muxed chunks play in MSE across a rendition switch',
}, encodeMuxAndPlay, checkPlayback);
