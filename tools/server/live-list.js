// The live list (GET /api/streams, the / page) and what feeds it: the title, tags and
// thumbnail a broadcaster gives its stream ('describe' and 'thumbnail' messages), kept
// with its room, and the title and tags its viewers are told ('listing').
import { fromBase64url } from '../lib/encoding.mjs';
import { ErrorCode } from './schema.js';

/** @typedef {import('./client.js').Client} Client */
/** @typedef {import('./limits.js').Limits} Limits */
/** @typedef {import('./rooms.js').Room} Room */
/**
 * @template {import('./schema.js').ClientMessage['type']} T
 * @typedef {import('./schema.js').ClientMessageOf<T>} MessageOf
 */

/**
 * A live stream as GET /api/streams lists it.
 * @typedef {object} LiveStream
 * @property {string} streamId
 * @property {number} viewers
 * @property {number | null} startedAt ms since the epoch when its broadcaster proved ownership
 * @property {string} title
 * @property {string[]} tags
 * @property {string | null} thumbnail the thumbnail's path, when there is one
 */

/**
 * @param {Room} room
 * @returns {LiveStream}
 */
export function listingOf(room) {
  return {
    streamId: room.streamId, viewers: room.viewers.size, startedAt: room.startedAt,
    title: room.listing.title, tags: room.listing.tags,
    thumbnail: room.listing.thumbnail ? `/api/streams/${room.streamId}/thumbnail` : null,
  };
}

/**
 * What the watch page shows of the stream: its title and tags, as last described.
 * @param {Client | import('./rooms.js').Client} client
 * @param {Room} room
 */
export function sendListing(client, room) {
  client.send({ type: 'listing', title: room.listing.title, tags: room.listing.tags });
}

/**
 * A broadcaster's words for its stream; only a change reaches the viewers. True when
 * they changed.
 * @param {Client} client
 * @param {MessageOf<'describe'>} message
 * @returns {boolean}
 */
export function describe(client, { title, tags }) {
  if (!fromBroadcaster(client, 'describe')) return false;
  return setListing(client.joined.room, title, tags);
}

/**
 * Keeps a broadcaster's words (from its describe here, or on another instance) and
 * tells this instance's viewers if they changed; true when they did.
 * @param {Room} room
 * @param {string} title
 * @param {string[]} tags
 */
export function setListing(room, title, tags) {
  const listing = room.listing;
  const before = JSON.stringify([listing.title, listing.tags]);
  listing.title = title.trim();
  listing.tags = [...new Set(tags)];
  // Only a change reaches the viewers: a describe costs the server one message per viewer.
  if (JSON.stringify([listing.title, listing.tags]) === before) return false;
  for (const viewer of room.viewers.values()) sendListing(viewer.client, room);
  return true;
}

/**
 * A broadcaster's picture of its stream, kept when it is a JPEG within the limits.
 * True when kept.
 * @param {Client} client
 * @param {MessageOf<'thumbnail'>} message
 * @param {Limits} limits
 * @param {number} nowMs
 * @returns {boolean}
 */
export function thumbnail(client, { jpeg }, limits, nowMs) {
  if (!fromBroadcaster(client, 'thumbnail')) return false;
  const { listing } = client.joined.room;
  if (nowMs - listing.thumbnailAtMs < limits.thumbnailIntervalMs) {
    client.error(ErrorCode.rateLimited, `one thumbnail per ${limits.thumbnailIntervalMs} ms: dropped`);
    return false;
  }
  if (!setThumbnail(client.joined.room, jpeg, limits, nowMs)) {
    client.strike(ErrorCode.invalid, `thumbnail.jpeg must be a JPEG of at most ${limits.thumbnailMaxBytes} bytes in base64url`);
    return false;
  }
  return true;
}

/**
 * Keeps the thumbnail (from this instance's broadcaster or another's) if it is a JPEG
 * within the limits; false when it is not.
 * @param {Room} room
 * @param {string} jpeg base64url
 * @param {Limits} limits
 * @param {number} nowMs
 */
export function setThumbnail(room, jpeg, limits, nowMs) {
  const bytes = fromBase64url(jpeg);
  if (!bytes || bytes.length > limits.thumbnailMaxBytes || !isJpeg(bytes)) return false;
  room.listing.thumbnail = Buffer.from(bytes);
  room.listing.thumbnailAtMs = nowMs;
  return true;
}

/**
 * The live list's entry is the broadcaster's to write; false (and a strike) for anyone else.
 * @param {Client} client
 * @param {string} type
 */
function fromBroadcaster(client, type) {
  if (client.joined.member.role === 'broadcaster') return true;
  client.strike(ErrorCode.badState, `only the broadcaster sends ${type}`);
  return false;
}

/**
 * JPEG files open with a Start Of Image marker and end with End Of Image.
 * @param {Uint8Array} bytes
 */
function isJpeg(bytes) {
  const n = bytes.length;
  return n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9;
}
