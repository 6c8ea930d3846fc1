// The app icon, drawn by code rather than kept as a binary asset: a hub (the
// broadcaster) and a ring of smaller nodes (the viewers that relay), joined by spokes,
// on the theme colour. One drawing, two encodings: SVG (for browsers that take vector
// icons) and PNG at the sizes the manifest names. http.js serves both under /icons/.
import { deflateSync } from 'node:zlib';

export const ICON_SIZES = [192, 512];
const BACKGROUND = [0x1b, 0x1f, 0x2a];
const INK = [0xff, 0xb3, 0x00];
const RING = 6;

/** @typedef {[cx: number, cy: number, r: number]} Circle */
/** @typedef {[x1: number, y1: number, x2: number, y2: number, halfWidth: number]} Spoke */
/** @typedef {{ circles: Circle[], spokes: Spoke[] }} Design */

/**
 * Shapes in a unit square: circles [cx, cy, r] and spokes [x1, y1, x2, y2, halfWidth].
 * @returns {Design}
 */
function design() {
  /** @type {Circle[]} */
  const circles = [[0.5, 0.5, 0.13]];
  /** @type {Spoke[]} */
  const spokes = [];
  for (let i = 0; i < RING; i++) {
    const angle = (i / RING) * 2 * Math.PI - Math.PI / 2;
    const x = 0.5 + 0.3 * Math.cos(angle);
    const y = 0.5 + 0.3 * Math.sin(angle);
    circles.push([x, y, 0.07]);
    spokes.push([0.5, 0.5, x, y, 0.018]);
  }
  return { circles, spokes };
}

/**
 * @param {number} px
 * @param {number} py
 * @param {Spoke} spoke
 */
function distanceToSegment(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/**
 * Coverage of the ink at a point of the unit square, anti-aliased over `pixel` width.
 * @param {number} x
 * @param {number} y
 * @param {Design} shapes
 * @param {number} pixel
 */
function coverage(x, y, { circles, spokes }, pixel) {
  let inside = -Infinity;
  for (const [cx, cy, r] of circles) inside = Math.max(inside, r - Math.hypot(x - cx, y - cy));
  for (const spoke of spokes) inside = Math.max(inside, spoke[4] - distanceToSegment(x, y, spoke));
  return Math.max(0, Math.min(1, inside / pixel + 0.5));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Uint8Array} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * @param {string} type
 * @param {Buffer} data
 */
function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * An opaque RGB PNG of the icon, `size` pixels square.
 * @param {number} size
 * @returns {Buffer}
 */
export function iconPng(size) {
  const shapes = design();
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * 3);  // each row starts with filter type 0 (none)
    for (let x = 0; x < size; x++) {
      const a = coverage((x + 0.5) / size, (y + 0.5) / size, shapes, 1 / size);
      for (let c = 0; c < 3; c++) rows[row + 1 + x * 3 + c] = Math.round(BACKGROUND[c] + (INK[c] - BACKGROUND[c]) * a);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);  // 8-bit, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** @returns {string} */
export function iconSvg() {
  const { circles, spokes } = design();
  /** @param {number[]} rgb */
  const hex = (rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  /** @param {number} x */
  const n = (x) => Number((x * 512).toFixed(1));
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">`
    + `<rect width="512" height="512" fill="${hex(BACKGROUND)}"/>`
    + `<g fill="${hex(INK)}" stroke="${hex(INK)}">`
    + spokes.map(([x1, y1, x2, y2, w]) => `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke-width="${n(2 * w)}"/>`).join('')
    + circles.map(([cx, cy, r]) => `<circle cx="${n(cx)}" cy="${n(cy)}" r="${n(r)}" stroke="none"/>`).join('')
    + '</g></svg>\n';
}
