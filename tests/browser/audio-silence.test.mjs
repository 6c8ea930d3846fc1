// A broadcaster whose audio stops coming in time (a starved page: its audio runs behind
// its video by more and more) must not break the stream. A RenditionTrack gets 3 s of
// video and only the first second of audio; its chunks carry silence for the rest (but
// the last half second, below), and play in MSE as one range, in Chromium and Firefox.
// Without the silence, the chunks after the first second held no audio: what a live
// player holds ended there, and it stopped.
import assert from 'node:assert/strict';
import { mixedEngineSession, testInEachEngine } from './firefox.mjs';

const session = mixedEngineSession();

// Runs in the page (serialized: it uses nothing from this module).
async function muxWithAudioGapAndPlay() {
  const { loadCore } = await import('/web/core/index.js');
  const { RenditionTrack } = await import('/web/shim/rendition-track.js');
  const core = await loadCore();
  const FRAMES = 90;  // 3 s at 30 fps
  const AUDIO_PACKETS = 50;  // 1 s of 20 ms packets

  /** @type {{ track: 'audio', timestampUs: number, keyframe: boolean, bytes: Uint8Array }[]} */
  const audio = [];
  /** @type {Uint8Array | null} */
  let opusHead = null;
  const audioEncoder = new AudioEncoder({
    output: (chunk, metadata) => {
      const description = metadata?.decoderConfig?.description;
      if (description && !opusHead) opusHead = new Uint8Array(ArrayBuffer.isView(description) ? description.buffer : description).slice();
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      audio.push({ track: 'audio', timestampUs: chunk.timestamp, keyframe: true, bytes });
    },
    error: (e) => { throw e; },
  });
  audioEncoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1, bitrate: 64_000, opus: { frameDuration: 20_000 } });
  for (let p = 0; p < AUDIO_PACKETS; p++) {
    const samples = new Float32Array(960).map((_, s) => 0.2 * Math.sin(((p * 960 + s) * 2 * Math.PI * 440) / 48000));
    const data = new AudioData({ format: 'f32-planar', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1,
      timestamp: p * 20_000, data: samples });
    audioEncoder.encode(data);
    data.close();
  }
  await audioEncoder.flush();
  if (!opusHead) throw new Error('the AudioEncoder gave no OpusHead');

  /** @type {{ type: string, bytes?: Uint8Array, seq?: number }[]} */
  const events = [];
  const errors = [];
  const boundaries = new Set();
  const track = new RenditionTrack(core, { id: 0, width: 320, height: 180, bitrate: 300_000 }, {
    epoch: 0, firstSeq: 0, frameRate: 30, audio: { sampleRate: 48000, channels: 1, opusHead }, boundaries,
    onEvents: (out) => events.push(...out), onError: (e) => errors.push(String(e)),
  });
  for (const packet of audio) track.pushAudio(packet);
  const canvas = new OffscreenCanvas(320, 180);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2d context');
  for (let i = 0; i < FRAMES; i++) {
    g.fillStyle = `hsl(${(i * 12) % 360} 80% 50%)`;
    g.fillRect(0, 0, 320, 180);
    const timestamp = Math.floor((i * 1e6) / 30);
    const boundary = i % 30 === 0;
    if (boundary) boundaries.add(timestamp);
    const frame = new VideoFrame(canvas, { timestamp });
    track.encode(frame, boundary);
    frame.close();
    // Paced like a camera, so that the muxer sees the video run ahead of the audio.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await track.finish();
  const silencedMs = track.stats().audioSilencedMs;
  const chunks = events.filter((e) => e.type === 'chunk');

  const video = document.createElement('video');
  video.muted = true;
  document.body.append(video);
  const source = new MediaSource();
  video.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
  const buffer = source.addSourceBuffer(track.init.mimeType);
  const append = (bytes) => new Promise((resolve, reject) => {
    buffer.addEventListener('updateend', resolve, { once: true });
    buffer.addEventListener('error', reject, { once: true });
    buffer.appendBuffer(bytes);
  });
  await append(track.init.bytes);
  for (const chunk of chunks) await append(/** @type {Uint8Array} */ (chunk.bytes));
  // Live: no endOfStream, so what the player holds is where audio and video both are
  // (after endOfStream a track that ends early no longer bounds it).
  const buffered = Array.from({ length: video.buffered.length }, (_, i) => [video.buffered.start(i), video.buffered.end(i)]);
  await video.play();
  const deadline = performance.now() + 10_000;
  while (video.currentTime < 2.3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return { errors, silencedMs, chunks: chunks.length, buffered, currentTime: video.currentTime, error: video.error?.message ?? null };
}

/** @param {Awaited<ReturnType<typeof muxWithAudioGapAndPlay>>} result */
function checkPlayback(result, problems) {
  assert.deepEqual(result.errors, []);
  assert.equal(result.chunks, 3);
  // The 2 s after the audio, less the last half second: video waits that long for its
  // audio before it goes with silence, and the epoch's close takes the frames still
  // waiting as they are (live, the next frames would have sent them on with silence).
  assert.ok(result.silencedMs >= 1300 && result.silencedMs <= 1600, `silence ${result.silencedMs} ms`);
  assert.equal(result.error, null);
  assert.equal(result.buffered.length, 1, JSON.stringify(result.buffered));
  assert.ok(result.buffered[0][0] < 0.05 && result.buffered[0][1] > 2.4, JSON.stringify(result.buffered));
  assert.ok(result.currentTime >= 2.3, `played to ${result.currentTime} s`);
  assert.deepEqual(problems, []);
}

testInEachEngine(session, {
  chromium: 'audio that stops coming in time is muxed as silence, and the chunks play on',
  firefox: 'the same chunks with silence play on',
}, muxWithAudioGapAndPlay, checkPlayback);
