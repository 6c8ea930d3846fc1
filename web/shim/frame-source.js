// Raw frames from a MediaStream's tracks for the WebCodecs encoders, stamped with the
// shim's capture clock (µs of nowMs()). Video: MediaStreamTrackProcessor where the
// browser has it (Chromium), else the track in a <video> and requestVideoFrameCallback
// (Firefox), and a worker's timer when those callbacks stop (Firefox runs them about
// once a second in a hidden tab, and a broadcaster's tab is often hidden). Audio: MediaStreamTrackProcessor, else an AudioWorklet tap, which needs an
// AudioContext that runs (a headless Firefox without an audio device never runs one).
import { nowMs } from './clock.js';
import { frameTicker } from './frame-ticker.js';

/** @typedef {{ stop(): void }} FrameSource */

/**
 * What TypeScript's DOM types lack: Chromium's MediaStreamTrackProcessor.
 * @typedef {new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame | AudioData> }} TrackProcessorClass
 */

/** @returns {TrackProcessorClass | null} */
function trackProcessor() {
  return /** @type {{ MediaStreamTrackProcessor?: TrackProcessorClass }} */ (globalThis).MediaStreamTrackProcessor ?? null;
}

/** @returns {boolean} true when this browser has the encoders the rendition path needs */
export function hasWebCodecs() {
  return typeof VideoEncoder === 'function' && typeof VideoFrame === 'function' &&
    typeof AudioEncoder === 'function' && typeof AudioData === 'function';
}

/**
 * @template {VideoFrame | AudioData} T
 * @param {MediaStreamTrack} track
 * @param {(frame: T) => void} onFrame
 * @returns {FrameSource}
 */
function readProcessor(track, onFrame) {
  const Processor = /** @type {TrackProcessorClass} */ (trackProcessor());
  const reader = new Processor({ track }).readable.getReader();
  let stopped = false;
  (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !value) return;
      if (stopped) value.close();
      else onFrame(/** @type {T} */ (value));
    }
  })();
  return { stop() { stopped = true; reader.cancel().catch(() => {}); } };
}

/**
 * Calls `onFrame` with each video frame of `track` (the callee closes it), its
 * timestamp µs of the capture clock.
 * @param {MediaStreamTrack} track
 * @param {(frame: VideoFrame) => void} onFrame
 * @returns {FrameSource}
 */
export function openVideoFrames(track, onFrame) {
  let lastUs = 0;
  const stamp = () => {
    lastUs = Math.max(nowMs() * 1000, lastUs + 1);
    return lastUs;
  };
  if (trackProcessor()) {
    return readProcessor(track, (/** @type {VideoFrame} */ frame) => {
      // A new VideoFrame of the same picture (no copy), on the capture clock.
      const stamped = new VideoFrame(frame, { timestamp: stamp() });
      frame.close();
      onFrame(stamped);
    });
  }
  const video = Object.assign(document.createElement('video'), { muted: true, playsInline: true });
  video.srcObject = new MediaStream([track]);
  video.play().catch(() => {});
  let stopped = false;
  let callbackAt = 0;
  const take = () => {
    if (video.videoWidth > 0) onFrame(new VideoFrame(video, { timestamp: stamp() }));
  };
  const next = () => {
    if (stopped) return;
    callbackAt = performance.now();
    take();
    video.requestVideoFrameCallback(next);
  };
  video.requestVideoFrameCallback(next);
  const frameRate = track.getSettings().frameRate || 30;
  const intervalMs = 1000 / frameRate;
  // While no frame callback has come for two frames' time: the picture the <video> shows, each tick.
  const ticker = frameTicker(frameRate, () => {
    if (!stopped && performance.now() - callbackAt > 2 * intervalMs) take();
  });
  return {
    stop() {
      stopped = true;
      ticker.stop();
      video.pause();
      video.srcObject = null;
    },
  };
}

// The worklet posts its input every BATCH render quanta (128 frames each): ~21 ms at 48 kHz.
const TAP_SOURCE = `registerProcessor('swarmcast-tap', class extends AudioWorkletProcessor {
  constructor() { super(); this.blocks = []; }
  process(inputs) {
    const input = inputs[0];
    if (input && input.length) this.blocks.push(input.map((c) => c.slice()));
    if (this.blocks.length >= 8) { this.port.postMessage(this.blocks); this.blocks = []; }
    return true;
  }
});`;

/**
 * Calls `onData` with `track`'s audio (the callee closes it), timestamped µs of the
 * capture clock; null when this browser gives no way to read it (no track processor,
 * and an AudioContext that does not run within `waitMs`).
 * @param {MediaStreamTrack} track
 * @param {(data: AudioData) => void} onData
 * @param {{ waitMs?: number }} [options]
 * @returns {Promise<FrameSource | null>}
 */
export async function openAudioData(track, onData, { waitMs = 500 } = {}) {
  if (trackProcessor()) {
    let offsetUs = /** @type {number | null} */ (null);
    return readProcessor(track, (/** @type {AudioData} */ data) => {
      offsetUs ??= nowMs() * 1000 - data.timestamp;
      onData(restamp(data, data.timestamp + offsetUs));
    });
  }
  const context = new AudioContext({ sampleRate: 48000 });
  context.resume().catch(() => {});
  const running = await new Promise((resolve) => {
    if (context.state === 'running') return resolve(true);
    const timer = setTimeout(() => resolve(false), waitMs);
    context.addEventListener('statechange', () => {
      if (context.state === 'running') { clearTimeout(timer); resolve(true); }
    });
  });
  if (!running) {
    context.close().catch(() => {});
    return null;
  }
  const url = URL.createObjectURL(new Blob([TAP_SOURCE], { type: 'text/javascript' }));
  try {
    await context.audioWorklet.addModule(url);
  } catch {
    context.close().catch(() => {});
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
  const tap = new AudioWorkletNode(context, 'swarmcast-tap');
  const input = context.createMediaStreamSource(new MediaStream([track]));
  input.connect(tap);
  let startUs = /** @type {number | null} */ (null);
  let samples = 0;
  tap.port.onmessage = ({ data: blocks }) => {
    const channels = blocks[0].length;
    const frames = blocks.reduce((/** @type {number} */ n, /** @type {Float32Array[]} */ b) => n + b[0].length, 0);
    // The samples, planar: every block's channel 0, then every block's channel 1, ...
    const planar = new Float32Array(frames * channels);
    for (let c = 0, at = 0; c < channels; c++) {
      for (const block of blocks) { planar.set(block[c], at); at += block[c].length; }
    }
    startUs ??= nowMs() * 1000 - (frames * 1e6) / context.sampleRate;
    const timestamp = Math.round(startUs + (samples * 1e6) / context.sampleRate);
    samples += frames;
    onData(new AudioData({ format: 'f32-planar', sampleRate: context.sampleRate, numberOfFrames: frames,
      numberOfChannels: channels, timestamp, data: planar }));
  };
  return {
    stop() {
      input.disconnect();
      tap.port.onmessage = null;
      context.close().catch(() => {});
    },
  };
}

/**
 * The same samples with another timestamp (AudioData's timestamp cannot be changed).
 * @param {AudioData} data closed here
 * @param {number} timestampUs
 * @returns {AudioData}
 */
function restamp(data, timestampUs) {
  const format = /** @type {AudioSampleFormat} */ (data.format);
  const planes = format.endsWith('-planar') ? data.numberOfChannels : 1;
  const sizes = Array.from({ length: planes }, (_, planeIndex) => data.allocationSize({ planeIndex }));
  const bytes = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  for (let planeIndex = 0, at = 0; planeIndex < planes; at += sizes[planeIndex], planeIndex++) {
    data.copyTo(bytes.subarray(at, at + sizes[planeIndex]), { planeIndex });
  }
  const copy = new AudioData({ format, sampleRate: data.sampleRate, numberOfFrames: data.numberOfFrames,
    numberOfChannels: data.numberOfChannels, timestamp: Math.round(timestampUs), data: bytes });
  data.close();
  return copy;
}
