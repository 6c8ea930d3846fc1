// HTTP routes: the stream registry, health, the optional chunk origin, and the static
// site. Every answer that is not a file is JSON.
import { ICON_SIZES, iconPng, iconSvg } from './icon.js';
import { OriginError } from './origin.js';
import { streamIdSpec } from './schema.js';
import { serveStatic } from './static.js';

const ORIGIN_ROUTE = /^\/api\/streams\/([^/]+)\/(chunks|init)(?:\/(\d{1,15}))?$/;
const ICON_ROUTE = /^\/icons\/icon(?:-(\d{1,4}))?\.(png|svg)$/;
const THUMBNAIL_ROUTE = /^\/api\/streams\/([^/]+)\/thumbnail$/;
const STREAM_ROUTE = /^\/api\/streams\/([^/]+)$/;

// Drawn once per process (a 512 px PNG takes ~100 ms), then served from memory.
const icons = new Map();
function icon(size, format) {
  const key = `${size}.${format}`;
  if (!icons.has(key)) icons.set(key, format === 'svg' ? Buffer.from(iconSvg()) : iconPng(size));
  return icons.get(key);
}

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

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

const fail = (res, status, code, message) => sendJson(res, status, { error: code, message });

// Reads the request body up to `maxBytes`. Resolves null when it is larger (after
// answering 413 and dropping the connection, so the rest is never read) or aborted.
function readBody(req, res, maxBytes) {
  return new Promise((resolve) => {
    const refuse = () => {
      res.setHeader('Connection', 'close');
      res.on('finish', () => req.destroy());
      fail(res, 413, 'too_large', `bodies are at most ${maxBytes} bytes`);
      resolve(null);
    };
    if (Number(req.headers['content-length']) > maxBytes) return refuse();
    const parts = [];
    let length = 0;
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

async function handleOrigin(ctx, req, res, [, streamId, route, number]) {
  const { origin, limits } = ctx;
  if (!streamIdSpec.pattern.test(streamId)) return fail(res, 404, 'not_found', 'not a stream id');
  const kind = route === 'init' ? 'init' : 'chunk';
  if (number === undefined) {
    if (req.method !== 'GET') return fail(res, 405, 'method_not_allowed', 'GET the index');
    const index = origin.index(streamId);
    return index ? sendJson(res, 200, index) : fail(res, 404, 'not_found', 'nothing stored for this stream');
  }
  const n = Number(number);
  if (req.method === 'PUT') {
    const body = await readBody(req, res, limits.originMaxBodyBytes);
    if (!body) return;
    try {
      origin.put(streamId, kind, n, body);
    } catch (error) {
      if (!(error instanceof OriginError)) throw error;
      return fail(res, error.status, error.code, error.message);
    }
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method_not_allowed', 'GET or PUT');
  const body = origin.get(streamId, kind, n);
  if (!body) return fail(res, 404, 'not_found', `${kind} ${n} is not in the window`);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function serveThumbnail(ctx, req, res, streamId) {
  const jpeg = ctx.signaling.thumbnailOf(streamId);
  if (!jpeg) return fail(res, 404, 'not_found', 'no live stream with a thumbnail here');
  // Replaced every few seconds while the stream is live: revalidate each time.
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : jpeg);
}

async function route(ctx, req, res) {
  const pathname = req.url.split(/[?#]/, 1)[0];
  if (!pathname.startsWith('/')) return fail(res, 400, 'bad_request', 'not a path');
  const originMatch = ctx.origin && pathname.match(ORIGIN_ROUTE);
  if (originMatch) return handleOrigin(ctx, req, res, originMatch);
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method_not_allowed', 'GET only');
  if (pathname === '/api/streams') return sendJson(res, 200, ctx.signaling.liveStreams());
  const streamMatch = pathname.match(STREAM_ROUTE);
  if (streamMatch) {
    const stream = ctx.signaling.liveStream(streamMatch[1]);
    return stream ? sendJson(res, 200, stream) : fail(res, 404, 'not_found', 'no live stream with this id here');
  }
  const thumbnailMatch = pathname.match(THUMBNAIL_ROUTE);
  if (thumbnailMatch) return serveThumbnail(ctx, req, res, thumbnailMatch[1]);
  const iconMatch = pathname.match(ICON_ROUTE);
  if (iconMatch) return serveIcon(req, res, iconMatch);
  if (pathname === '/healthz') {
    return sendJson(res, 200, { ok: true, streams: ctx.signaling.liveStreams().length, connections: ctx.signaling.clients.size });
  }
  if (await serveStatic(ctx.roots, pathname, req, res)) return;
  fail(res, 404, 'not_found', 'no such file');
}

// ctx: { roots: { web, wasm, vendor: { package: folder } }, signaling, origin (null when off), limits }.
export function createHttpHandler(ctx) {
  return (req, res) => {
    route(ctx, req, res).catch((error) => {
      console.error('http: internal error', error);
      if (!res.headersSent) fail(res, 500, 'internal', 'internal error');
      else res.destroy();
    });
  };
}
