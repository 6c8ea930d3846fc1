// The test pattern's picture: colour bars with a running clock and a frame counter (so a
// viewer can read latency and see frames advance), a machine-readable time code of the
// same clock (see readTimecode), and optional grain; capture.js makes a stream of it,
// and the swarm benchmark reads the time code back from the frames viewers show.

const BARS = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];

// The time code: a strip along the top edge of TIMECODE_BITS + 2 equal blocks, a white
// guard, the bits of (drawing time in ms mod 2^32) from the most significant, white for
// 1, and a black guard. Blocks ~19 px wide survive VP8 at any sensible bitrate, so a
// viewer can read back when the frame on screen was drawn.
export const TIMECODE_BITS = 32;
export const TIMECODE_HEIGHT = 16;

/**
 * @param {CanvasRenderingContext2D} g
 * @param {number} width
 * @param {number} ms
 */
function drawTimecode(g, width, ms) {
  const block = width / (TIMECODE_BITS + 2);
  const value = ms % 2 ** 32;
  for (let i = 0; i < TIMECODE_BITS + 2; i++) {
    const bit = i === 0 ? 1 : i === TIMECODE_BITS + 1 ? 0 : Math.floor(value / 2 ** (TIMECODE_BITS - i)) % 2;
    g.fillStyle = bit ? '#fff' : '#000';
    g.fillRect(Math.floor(i * block), 0, Math.ceil(block), TIMECODE_HEIGHT);
  }
}

/**
 * The test pattern's time code (ms mod 2^32) from a frame's top rows: RGBA `pixels`,
 * `width` wide, at least TIMECODE_HEIGHT tall; null when the guards do not read right
 * (not a test pattern).
 * @param {Uint8ClampedArray | Uint8Array} pixels
 * @param {number} width
 * @returns {number | null}
 */
export function readTimecode(pixels, width) {
  const block = width / (TIMECODE_BITS + 2);
  const row = Math.floor(TIMECODE_HEIGHT / 2) * width;
  /** @param {number} i */
  const bitAt = (i) => {
    const at = (row + Math.floor((i + 0.5) * block)) * 4;
    return pixels[at] + pixels[at + 1] + pixels[at + 2] > 3 * 128 ? 1 : 0;
  };
  if (bitAt(0) !== 1 || bitAt(TIMECODE_BITS + 1) !== 0) return null;
  let value = 0;
  for (let i = 1; i <= TIMECODE_BITS; i++) value = value * 2 + bitAt(i);
  return value;
}

/**
 * A function that paints the next frame into `g` (width x height), stamped with the
 * wall-clock `ms` it is drawn at. `noise`: a band of fresh random grain every frame,
 * which no encoder can predict, so the stream runs at the recorder's full bitrate the
 * way camera footage does (bars alone encode to a fraction of it).
 * @param {CanvasRenderingContext2D} g
 * @param {number} width
 * @param {number} height
 * @param {{ noise?: boolean }} [options]
 * @returns {(ms: number) => void}
 */
export function testPatternPainter(g, width, height, { noise = true } = {}) {
  const grain = noise ? noiseBand(width, Math.round(height * 0.25)) : null;
  let frame = 0;
  return (ms) => {
    const barWidth = width / BARS.length;
    BARS.forEach((colour, i) => {
      g.fillStyle = colour;
      g.fillRect(Math.floor(i * barWidth), 0, Math.ceil(barWidth), height);
    });
    grain?.draw(g, 0, Math.round(height * 0.3));
    // A block that moves every frame, so consecutive frames always differ.
    g.fillStyle = '#fff';
    g.fillRect((frame * 4) % width, height * 0.62, 16, 16);
    g.fillStyle = '#000';
    g.fillRect(0, height * 0.7, width, height * 0.3);
    g.fillStyle = '#fff';
    g.font = `${Math.round(height * 0.11)}px monospace`;
    g.textBaseline = 'middle';
    g.fillText(`${new Date(ms).toISOString().slice(11, 23)}  #${frame}`, width * 0.04, height * 0.85);
    drawTimecode(g, width, ms);
    frame++;
  };
}

// Random grey grain, GRAIN_PX square, `width` x `height`, fresh on every draw().
const GRAIN_PX = 4;
/**
 * @param {number} width
 * @param {number} height
 * @returns {{ draw(g: CanvasRenderingContext2D, x: number, y: number): void }}
 */
function noiseBand(width, height) {
  const cells = new OffscreenCanvas(Math.ceil(width / GRAIN_PX), Math.ceil(height / GRAIN_PX));
  // A new canvas always has a 2D context to give.
  const cg = /** @type {OffscreenCanvasRenderingContext2D} */ (cells.getContext('2d'));
  const image = cg.createImageData(cells.width, cells.height);
  // One opaque grey RGBA pixel per word (little-endian: alpha is the top byte).
  const pixels = new Uint32Array(image.data.buffer);
  const grey = new Uint8Array(pixels.length);
  return {
    draw(g, x, y) {
      crypto.getRandomValues(grey);
      for (let i = 0; i < grey.length; i++) pixels[i] = 0xff000000 | (grey[i] * 0x010101);
      cg.putImageData(image, 0, 0);
      g.imageSmoothingEnabled = false;
      g.drawImage(cells, x, y, width, height);
    },
  };
}
