// Screen with the camera in a corner (picture-in-picture): both live sources drawn into
// one opaque canvas, their audio mixed into one track, so the recorder sees a single
// stream. Returns { stream, inset, stop() }: a source like those in capture.js, and
// where the corner picture is ({ x, y, width, height } in the frame).
import { openCamera, openScreen } from './capture.js';
import { frameTicker } from './frame-ticker.js';

/** @typedef {import('./capture.js').CapturedSource} CapturedSource */

/**
 * @typedef {object} ComposeOptions
 * @property {number} [frameRate] Of the composed picture (default 30).
 * @property {number} [maxWidth] The main picture is scaled down (never up) to fit, keeping its shape (1280 x 720).
 * @property {number} [maxHeight]
 * @property {number} [insetWidthShare] The corner picture's width, as a share of the frame's (0.25).
 * @property {number} [insetMarginShare] Its distance from the edges, as a share of the frame's width (0.02).
 */

/**
 * One source drawn from two: the composed stream, and where the corner picture sits.
 * @typedef {CapturedSource & { inset: Rect }} ComposedSource
 */

/**
 * A rectangle in the frame's pixels.
 * @typedef {{ x: number, y: number, width: number, height: number }} Rect
 */

/** @type {Readonly<Required<ComposeOptions>>} */
export const COMPOSE_DEFAULTS = Object.freeze({
  frameRate: 30,
  maxWidth: 1280,   // the screen is scaled down to fit, keeping its shape
  maxHeight: 720,
  insetWidthShare: 0.25,  // of the frame's width
  insetMarginShare: 0.02,
});

/**
 * The screen with the camera in its bottom-right corner (picture-in-picture), drawn into
 * one canvas, microphone and screen sound mixed into one track. Ending the screen share
 * leaves the camera full frame.
 * @param {ComposeOptions} [options]
 * @returns {Promise<ComposedSource>}
 */
export async function openScreenWithCamera(options = {}) {
  const o = { ...COMPOSE_DEFAULTS, ...options };
  const screen = await openScreen({ frameRate: o.frameRate });
  let camera;
  try {
    camera = await openCamera({ width: 640, height: 360, frameRate: o.frameRate });
    return await composePictureInPicture(screen, camera, o);
  } catch (error) {
    screen.stop();
    camera?.stop();
    throw error;
  }
}

/**
 * `main` fills the frame, `inset` sits in its bottom-right corner; both are stopped with
 * the result. When main's video ends (the person stopped sharing from the browser's own
 * bar), inset fills the frame.
 * @param {CapturedSource} main
 * @param {CapturedSource} inset
 * @param {ComposeOptions} [options]
 * @returns {Promise<ComposedSource>}
 */
export async function composePictureInPicture(main, inset, options = {}) {
  const o = { ...COMPOSE_DEFAULTS, ...options };
  const [mainVideo, insetVideo] = await Promise.all([playing(main.stream), playing(inset.stream)]);
  const { width, height } = fit(mainVideo.videoWidth, mainVideo.videoHeight, o.maxWidth, o.maxHeight);
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  // A new canvas always has a 2D context to give.
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d', { alpha: false }));
  const corner = insetRect(width, height, insetVideo, o);
  let mainLive = true;
  main.stream.getVideoTracks()[0]?.addEventListener('ended', () => { mainLive = false; });
  const draw = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, width, height);
    if (mainLive) {
      drawContained(g, mainVideo, 0, 0, width, height);
      g.drawImage(insetVideo, corner.x, corner.y, corner.width, corner.height);
    } else {
      drawContained(g, insetVideo, 0, 0, width, height);
    }
  };
  const ticker = frameTicker(o.frameRate, draw);
  const video = canvas.captureStream(o.frameRate);
  const mix = mixAudio([main.stream, inset.stream]);
  const stream = new MediaStream([...video.getVideoTracks(), ...mix.tracks]);
  return {
    stream,
    inset: corner,
    stop() {
      ticker.stop();
      for (const track of stream.getTracks()) track.stop();
      mix.close();
      main.stop();
      inset.stop();
      mainVideo.srcObject = null;
      insetVideo.srcObject = null;
    },
  };
}

/**
 * A detached, muted <video> playing `stream`, once it knows its size.
 * @param {MediaStream} stream
 * @returns {Promise<HTMLVideoElement>}
 */
async function playing(stream) {
  const video = Object.assign(document.createElement('video'), { muted: true, playsInline: true, srcObject: stream });
  await video.play();
  if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('resize', resolve, { once: true }));
  return video;
}

/**
 * width x height scaled down (never up) to fit maxWidth x maxHeight; even sizes, as
 * encoders want.
 * @param {number} width
 * @param {number} height
 * @param {number} maxWidth
 * @param {number} maxHeight
 * @returns {{ width: number, height: number }}
 */
function fit(width, height, maxWidth, maxHeight) {
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  /** @param {number} x */
  const even = (x) => Math.max(2, 2 * Math.round((x * scale) / 2));
  return { width: even(width), height: even(height) };
}

/**
 * The camera's corner: bottom right, insetWidthShare of the frame wide, its own shape.
 * @param {number} width
 * @param {number} height
 * @param {HTMLVideoElement} camera
 * @param {{ insetWidthShare: number, insetMarginShare: number }} shares
 * @returns {Rect}
 */
function insetRect(width, height, camera, { insetWidthShare, insetMarginShare }) {
  const w = Math.round(width * insetWidthShare);
  const h = Math.round((w * (camera.videoHeight || 9)) / (camera.videoWidth || 16));
  const margin = Math.round(width * insetMarginShare);
  return { x: width - w - margin, y: height - h - margin, width: w, height: h };
}

/**
 * Draws `video` as large as fits in the rectangle, centred, keeping its shape.
 * @param {CanvasRenderingContext2D} g
 * @param {HTMLVideoElement} video
 * @param {number} x
 * @param {number} y
 * @param {number} width
 * @param {number} height
 */
function drawContained(g, video, x, y, width, height) {
  if (!video.videoWidth || !video.videoHeight) return;
  const scale = Math.min(width / video.videoWidth, height / video.videoHeight);
  const w = video.videoWidth * scale;
  const h = video.videoHeight * scale;
  g.drawImage(video, x + (width - w) / 2, y + (height - h) / 2, w, h);
}

/**
 * One audio track carrying every audio track of `streams` (microphone and the screen's
 * sound), or none when there is none.
 * @param {MediaStream[]} streams
 * @returns {{ tracks: MediaStreamTrack[], close(): void }}
 */
function mixAudio(streams) {
  const inputs = streams.filter((s) => s.getAudioTracks().length);
  if (!inputs.length) return { tracks: [], close() {} };
  const context = new AudioContext();
  const destination = new MediaStreamAudioDestinationNode(context);
  for (const s of inputs) new MediaStreamAudioSourceNode(context, { mediaStream: s }).connect(destination);
  // Without a user gesture the context may start suspended; a click resumes it later.
  context.resume().catch(() => {});
  return { tracks: destination.stream.getAudioTracks(), close: () => context.close() };
}
