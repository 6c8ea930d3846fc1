// Media sources for a broadcast. Each returns { stream, stop() }: the MediaStream to
// record and preview, and a function that releases every device, timer and node.
import { nowMs } from './clock.js';
import { frameTicker } from './frame-ticker.js';
import { testPatternPainter } from './test-pattern.js';

/**
 * A media source for a broadcast.
 * @typedef {object} CapturedSource
 * @property {MediaStream} stream What to record and preview.
 * @property {() => void} stop Releases every device, timer and audio node.
 */

/**
 * The camera and microphone (echo cancelled, noise suppressed); asks for permission.
 * @param {{ width?: number, height?: number, frameRate?: number }} [options] ideal sizes and rate
 * @returns {Promise<CapturedSource>}
 */
export async function openCamera({ width = 1280, height = 720, frameRate = 30 } = {}) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: frameRate } },
    audio: { echoCancellation: true, noiseSuppression: true },
  });
  return { stream, stop: () => stopTracks(stream) };
}

/**
 * A screen, window or tab the person picks, with its sound where the browser offers it.
 * @param {{ frameRate?: number }} [options]
 * @returns {Promise<CapturedSource>}
 */
export async function openScreen({ frameRate = 30 } = {}) {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: frameRate } }, audio: true });
  return { stream, stop: () => stopTracks(stream) };
}

/**
 * Colour bars with a running clock, a frame counter, a machine-readable time code
 * (readTimecode) and (noise) a band of grain, and a quiet tone where the browser's audio
 * context runs at once (not Firefox's): a source that needs no device and no permission.
 * @param {{ width?: number, height?: number, frameRate?: number, toneHz?: number, noise?: boolean }} [options]
 * @returns {CapturedSource}
 */
export function openTestPattern({ width = 640, height = 360, frameRate = 30, toneHz = 440, noise = true } = {}) {
  // The canvas is painted from a worker's timer (frame-ticker.js), so the pattern keeps
  // its frame rate in a background tab. It is opaque: a 2D canvas with alpha makes
  // Chromium encode VP8 alpha, which the segmenter handles but costs more.
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  // A new canvas always has a 2D context to give.
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { alpha: false }));
  const paint = testPatternPainter(g, width, height, { noise });
  const ticker = frameTicker(frameRate, () => paint(nowMs()));
  const video = canvas.captureStream(frameRate);

  const audio = new AudioContext();
  const oscillator = new OscillatorNode(audio, { frequency: toneHz });
  const gain = new GainNode(audio, { gain: 0.05 });
  const destination = new MediaStreamAudioDestinationNode(audio);
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  // Without a user gesture the context may start suspended; a click resumes it later.
  audio.resume().catch(() => {});

  // Chromium runs an allowed context at once. Firefox starts every context suspended,
  // and with no audio output (headless, a server) never runs it: its MediaRecorder then
  // held all its output ~10 s waiting for the tone's first sample (measured in Firefox
  // 153), so there the pattern is silent rather than late.
  const tone = audio.state === 'running' ? destination.stream.getAudioTracks() : [];
  const stream = new MediaStream([...video.getVideoTracks(), ...tone]);
  return {
    stream,
    stop() {
      ticker.stop();
      stopTracks(stream);
      oscillator.stop();
      audio.close();
    },
  };
}

/** @param {MediaStream} stream */
function stopTracks(stream) {
  for (const track of stream.getTracks()) track.stop();
}
