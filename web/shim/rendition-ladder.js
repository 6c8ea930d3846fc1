// The broadcaster's rendition ladder: which qualities to encode from a source of a
// given size, as the signed rendition list (StreamSigner.signLadder) names them.

/**
 * One rung the broadcaster asks for: a picture height and its video bitrate.
 * @typedef {object} RenditionRung
 * @property {number} height Lines (720, 480, ...); the width follows the source's aspect.
 * @property {number} bitrate Video bits per second.
 */

/**
 * A rendition to encode: its id in the signed list (0 = the top), its size and rate.
 * @typedef {object} PlannedRendition
 * @property {number} id
 * @property {number} width
 * @property {number} height
 * @property {number} bitrate Video bits per second (the list's bitrate adds the audio).
 */

/** @type {ReadonlyArray<Readonly<RenditionRung>>} */
export const DEFAULT_RUNGS = Object.freeze([
  Object.freeze({ height: 720, bitrate: 2_500_000 }),
  Object.freeze({ height: 480, bitrate: 1_200_000 }),
  Object.freeze({ height: 240, bitrate: 400_000 }),
]);

// The signed list holds up to 8; every rung costs the broadcaster an encoder.
export const MAX_RENDITIONS = 3;
const MIN_HEIGHT = 90;

/** @param {number} n */
const even = (n) => Math.max(2, 2 * Math.round(n / 2));

/**
 * The renditions for a `source` of that size: the rungs not larger than it, highest
 * first, at most MAX_RENDITIONS. A source smaller than the top rung is encoded at its
 * own size in that rung's place (its rate scaled with the pixels), so the top rendition
 * is never a downscaled copy when the source is, say, 640x360.
 * @param {{ width: number, height: number }} source
 * @param {ReadonlyArray<RenditionRung>} [rungs]
 * @returns {PlannedRendition[]}
 */
export function planLadder(source, rungs = DEFAULT_RUNGS) {
  const aspect = source.width / source.height;
  const sorted = [...rungs].sort((a, b) => b.height - a.height);
  const fitting = sorted.filter((r) => r.height <= source.height);
  const larger = sorted.filter((r) => r.height > source.height);
  if (larger.length > 0 && fitting[0]?.height !== source.height) {
    const nearest = larger[larger.length - 1];
    const scaled = Math.round(nearest.bitrate * (source.height / nearest.height) ** 2);
    fitting.unshift({ height: source.height, bitrate: Math.max(scaled, Math.round((fitting[0]?.bitrate ?? 0) * 1.5)) });
  }
  // The signed list wants each rung cheaper than the one above it.
  const descending = fitting.filter((rung, i) => i === 0 || rung.bitrate < fitting[i - 1].bitrate);
  return descending.slice(0, MAX_RENDITIONS).map((rung, id) => ({
    id, width: even(rung.height * aspect), height: even(rung.height), bitrate: Math.round(rung.bitrate),
  }));
}

/**
 * Rungs from an attribute such as "360p:1000, 180p:300" (height, then kbit/s); null
 * when the text is not such a list (the default ladder then applies).
 * @param {string | null | undefined} text
 * @returns {RenditionRung[] | null}
 */
export function parseRungs(text) {
  if (!text || !text.trim()) return null;
  const rungs = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d{2,4})p\s*:\s*(\d{2,6})\s*$/.exec(part);
    if (!match) return null;
    const height = Number(match[1]);
    const kbps = Number(match[2]);
    if (height < MIN_HEIGHT || height > 4320 || kbps < 50) return null;
    rungs.push({ height, bitrate: kbps * 1000 });
  }
  return rungs.length > 0 && rungs.length <= MAX_RENDITIONS ? rungs : null;
}

/**
 * The signed list's fields (StreamSigner.signLadder) for these renditions.
 * @param {PlannedRendition[]} renditions
 * @param {{ revision: number, firstSeq: number, audioBitrate: number, frameRate: number }} stream
 * @returns {import('../core/trust.js').LadderFields}
 */
export function ladderFields(renditions, { revision, firstSeq, audioBitrate, frameRate }) {
  return {
    revision,
    firstSeq,
    renditions: renditions.map(({ id, width, height, bitrate }) => ({
      id, width, height, bitrate: bitrate + audioBitrate,
      frameRateMilli: Math.round(frameRate * 1000), codecs: audioBitrate > 0 ? 'vp8,opus' : 'vp8',
    })),
  };
}
