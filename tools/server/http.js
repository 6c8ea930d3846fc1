// HTTP routes: the stream registry, health, /metrics, the optional chunk origin, and
// (when the pages are on) the static site and its icons. Every answer that is not a
// file is JSON (but /metrics, Prometheus' text). A request for none of these is left
// untouched, so a server this one is attached to can answer it.
import { ICON_SIZES, iconPng, iconSvg } from './icon.js';
import { MAX_LADDER_BODY_BYTES, OriginError } from './origin.js';
import { streamIdSpec } from './schema.js';
import { serveStatic } from './static.js';

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */
/** @typedef {import('./static.js').StaticRoots} StaticRoots */

/**
 * @typedef {object} HttpContext
 * @property {StaticRoots | null} roots the site's folders; null when the pages are off
 * @property {import('./signaling.js').Signaling} signaling
 * @property {import('./origin.js').ChunkOrigin | null} origin null when the origin is off
 * @property {typeof import('./limits.js').DEFAULT_LIMITS} limits
 */

// An item of rendition r is under /renditions/<r>; the paths without it name rendition 0.
const ORIGIN_ROUTE = /^\/api\/streams\/([^/]+)(?:\/renditions\/([0-7]))?\/(chunks|init)(?:\/(\d{1,15}))?$/;
const LADDER_ROUTE = /^\/api\/streams\/([^/]+)\/renditions$/;
const ICON_ROUTE = /^\/icons\/icon(?:-(\d{1,4}))?\.(png|svg)$/;
const THUMBNAIL_ROUTE = /^\/api\/streams\/([^/]+)\/thumbnail$/;
const STREAM_ROUTE = /^\/api\/streams\/([^/]+)$/;
// Every path under /api/streams is the server's, so a typo there is a JSON 404 and a
// wrong method a 405, not a page of the host application.
const API_ROUTE = /^\/api\/streams(?:\/|$)/;

// Drawn once per process (a 512 px PNG takes ~100 ms), then served from memory.
/** @type {Map<string, Buffer>} */
const icons = new Map();
/**
 * @param {number} size
 * @param {string} format 'png' or 'svg'
 * @returns {Buffer}
 */
function icon(size, format) {
  const key = `${size}.${format}`;
  let body = icons.get(key);
  if (!body) {
    body = format === 'svg' ? Buffer.from(iconSvg()) : iconPng(size);
    icons.set(key, body);
  }
  return body;
}

/**
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {RegExpMatchArray} match
 */
function serveIcon(req, res, [, size, format]) {
  const valid = format === 'svg' ? size === undefined : ICON_SIZES.includes(Number(size));
  if (!valid) return fail(res, 404, 'not_found', 'no such icon');
  const body = icon(Number(size), format);
  res.writeHead(200, {
    'Content-Type': format === 'svg' ? 'image/svg+xml' : 'image/png',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {unknown} value
 */
function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {string} code
 * @param {string} message
 */
const fail = (res, status, code, message) => sendJson(res, status, { error: code, message });

/**
 * Reads the request body up to `maxBytes`. Resolves null when it is larger (after
 * answering 413 and dropping the connection, so the rest is never read) or aborted.
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {number} maxBytes
 * @returns {Promise<Uint8Array | null>}
 */
function readBody(req, res, maxBytes) {
  return new Promise((resolve) => {
    const refuse = () => {
      res.setHeader('Connection', 'close');
      res.on('finish', () => req.destroy());
      fail(res, 413, 'too_large', `bodies are at most ${maxBytes} bytes`);
      resolve(null);
    };
    if (Number(req.headers['content-length']) > maxBytes) return refuse();
    /** @type {Buffer[]} */
    const parts = [];
    let length = 0;
    /** @param {Buffer} part */
    const onData = (part) => {
      length += part.length;
      if (length <= maxBytes) return parts.push(part);
      req.off('data', onData);
      refuse();
    };
    req.on('data', onData);
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(parts))));
    req.on('error', () => resolve(null));
  });
}

/**
 * Runs an upload; answers 204, or the OriginError's status and code.
 * @param {ServerResponse} res
 * @param {() => void} store
 */
function storeUpload(res, store) {
  try {
    store();
  } catch (error) {
    if (!(error instanceof OriginError)) throw error;
    return fail(res, error.status, error.code, error.message);
  }
  res.writeHead(204).end();
}

/**
 * @param {ServerResponse} res
 * @param {IncomingMessage} req
 * @param {Uint8Array | null} body
 * @param {string} missing the 404's message
 */
function sendStored(res, req, body, missing) {
  if (!body) return fail(res, 404, 'not_found', missing);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * @param {import('./origin.js').ChunkOrigin} origin
 * @param {HttpContext['limits']} limits
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {RegExpMatchArray} match
 */
async function handleOrigin(origin, limits, req, res, [, streamId, renditionDigit, route, number]) {
  if (!streamIdSpec.pattern.test(streamId)) return fail(res, 404, 'not_found', 'not a stream id');
  const kind = route === 'init' ? 'init' : 'chunk';
  const rendition = Number(renditionDigit ?? 0);
  if (number === undefined) {
    if (req.method !== 'GET') return fail(res, 405, 'method_not_allowed', 'GET the index');
    const index = origin.index(streamId, rendition);
    return index ? sendJson(res, 200, index) : fail(res, 404, 'not_found', 'nothing stored for this stream');
  }
  const n = Number(number);
  if (req.method === 'PUT') {
    const body = await readBody(req, res, limits.originMaxBodyBytes);
    if (body) storeUpload(res, () => origin.put(streamId, kind, rendition, n, body));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method_not_allowed', 'GET or PUT');
  sendStored(res, req, origin.get(streamId, kind, rendition, n), `${kind} ${n} of rendition ${rendition} is not in the window`);
}

/**
 * The stream's signed rendition list: PUT by its broadcaster, GET by anyone.
 * @param {import('./origin.js').ChunkOrigin} origin
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} streamId
 */
async function handleLadder(origin, req, res, streamId) {
  if (!streamIdSpec.pattern.test(streamId)) return fail(res, 404, 'not_found', 'not a stream id');
  if (req.method === 'PUT') {
    const body = await readBody(req, res, MAX_LADDER_BODY_BYTES);
    if (body) storeUpload(res, () => origin.putLadder(streamId, body));
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method_not_allowed', 'GET or PUT');
  sendStored(res, req, origin.ladder(streamId), 'no signed rendition list for this stream');
}

/**
 * @param {HttpContext} ctx
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {string} streamId
 */
function serveThumbnail(ctx, req, res, streamId) {
  const jpeg = ctx.signaling.thumbnailOf(streamId);
  if (!jpeg) return fail(res, 404, 'not_found', 'no live stream with a thumbnail here');
  // Replaced every few seconds while the stream is live: revalidate each time.
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : jpeg);
}

/**
 * Prometheus' text format; scraped every few seconds, so never cached.
 * @param {import('./metrics.js').ServerMetrics} metrics
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
async function serveMetrics(metrics, req, res) {
  const body = await metrics.text();
  res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The registry, health, the metrics and the origin. Returns false for any other path.
 * @param {HttpContext} ctx
 * @param {string} pathname
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @returns {Promise<boolean>}
 */
async function routeApi(ctx, pathname, req, res) {
  const isHealth = pathname === '/healthz';
  const isMetrics = pathname === '/metrics';
  if (!isHealth && !isMetrics && !API_ROUTE.test(pathname)) return false;
  const originMatch = pathname.match(ORIGIN_ROUTE);
  if (ctx.origin && originMatch) {
    await handleOrigin(ctx.origin, ctx.limits, req, res, originMatch);
    return true;
  }
  const ladderMatch = pathname.match(LADDER_ROUTE);
  if (ctx.origin && ladderMatch) {
    await handleLadder(ctx.origin, req, res, ladderMatch[1]);
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    fail(res, 405, 'method_not_allowed', 'GET only');
    return true;
  }
  if (isHealth) {
    sendJson(res, 200, { ok: true, streams: ctx.signaling.liveStreams().length, connections: ctx.signaling.clients.size });
    return true;
  }
  if (isMetrics) {
    await serveMetrics(ctx.signaling.metrics, req, res);
    return true;
  }
  if (pathname === '/api/streams') {
    sendJson(res, 200, ctx.signaling.liveStreams());
    return true;
  }
  const streamMatch = pathname.match(STREAM_ROUTE);
  const thumbnailMatch = pathname.match(THUMBNAIL_ROUTE);
  if (streamMatch) {
    const stream = ctx.signaling.liveStream(streamMatch[1]);
    if (stream) sendJson(res, 200, stream);
    else fail(res, 404, 'not_found', 'no live stream with this id here');
  } else if (thumbnailMatch) {
    serveThumbnail(ctx, req, res, thumbnailMatch[1]);
  } else {
    fail(res, 404, 'not_found', 'no such route');
  }
  return true;
}

/**
 * The site: icons and static files, GET and HEAD only. Returns false for anything else.
 * @param {StaticRoots} roots
 * @param {string} pathname
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @returns {Promise<boolean>}
 */
async function routePages(roots, pathname, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const iconMatch = pathname.match(ICON_ROUTE);
  if (iconMatch) {
    serveIcon(req, res, iconMatch);
    return true;
  }
  return serveStatic(roots, pathname, req, res);
}

/**
 * A request handler that answers the server's routes and resolves true, or resolves
 * false having written nothing, for the caller to pass the request on (or to answer it
 * with answerUnrouted).
 * @param {HttpContext} ctx
 * @returns {(req: IncomingMessage, res: ServerResponse) => Promise<boolean>}
 */
export function createHttpHandler(ctx) {
  return async (req, res) => {
    const pathname = (req.url ?? '').split(/[?#]/, 1)[0];
    if (!pathname.startsWith('/')) return false;
    try {
      if (await routeApi(ctx, pathname, req, res)) return true;
      return ctx.roots !== null && await routePages(ctx.roots, pathname, req, res);
    } catch (error) {
      console.error('http: internal error', error);
      if (!res.headersSent) fail(res, 500, 'internal', 'internal error');
      else res.destroy();
      return true;
    }
  };
}

/**
 * What a server of swarmcast's own answers a request none of its routes took.
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 */
export function answerUnrouted(req, res) {
  if (!(req.url ?? '').startsWith('/')) fail(res, 400, 'bad_request', 'not a path');
  else if (req.method !== 'GET' && req.method !== 'HEAD') fail(res, 405, 'method_not_allowed', 'GET only');
  else fail(res, 404, 'not_found', 'no such file');
}
