// The quality levels a viewer can play, from the stream's verified rendition list:
// what the player's selector offers and what the stats show. A level whose codecs this
// browser's MediaSource refuses is marked undecodable, and the engine is told to skip
// it, by the rule and by hand alike.
/** @import { RenditionList } from '../core/index.js' */

/**
 * One quality level: a rendition of the stream's signed list.
 * @typedef {object} RenditionLevel
 * @property {number} id The rendition id, for Viewer.setRendition.
 * @property {number} width 0 x 0: audio only.
 * @property {number} height
 * @property {number} bitrate Bits per second, audio included.
 * @property {number} frameRate Frames per second (0: audio only).
 * @property {string} codecs RFC 6381, e.g. 'vp8,opus'.
 * @property {boolean} decodable Whether this browser's MediaSource takes its codecs.
 */

/**
 * The MIME type a rendition's chunks are appended as (audio/webm without picture).
 * @param {{ width: number, codecs: string }} rendition
 * @returns {string}
 */
export function webmTypeOf({ width, codecs }) {
  return `${width ? 'video' : 'audio'}/webm; codecs="${codecs}"`;
}

/**
 * The list's renditions as levels, highest bitrate first (the list's own order); none
 * without a list.
 * @param {RenditionList | null} ladder
 * @param {(mimeType: string) => boolean} isTypeSupported MediaSource.isTypeSupported, or a stand-in.
 * @returns {RenditionLevel[]}
 */
export function levelsOf(ladder, isTypeSupported) {
  return (ladder?.renditions ?? []).map(({ id, width, height, bitrate, frameRateMilli, codecs }) => ({
    id, width, height, bitrate, frameRate: frameRateMilli / 1000, codecs,
    decodable: decodable(webmTypeOf({ width, codecs }), isTypeSupported),
  }));
}

/**
 * The ids of the levels this browser cannot decode.
 * @param {readonly RenditionLevel[]} levels
 * @returns {number[]}
 */
export function undecodableIds(levels) {
  return levels.filter((level) => !level.decodable).map((level) => level.id);
}

/**
 * What a person calls a level: its height ("360p"), or "audio" for a rendition without
 * picture.
 * @param {{ height: number }} level
 * @returns {string}
 */
export function levelName({ height }) {
  return height ? `${height}p` : 'audio';
}

/**
 * A check that throws (a browser without MediaSource, a type it cannot parse) is a no.
 * @param {string} mimeType
 * @param {(mimeType: string) => boolean} isTypeSupported
 */
function decodable(mimeType, isTypeSupported) {
  try {
    return isTypeSupported(mimeType) === true;
  } catch {
    return false;
  }
}
