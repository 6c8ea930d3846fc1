// Static files: the site (web/) at the root and, for the module imports the pages
// make, the repository paths /web/... and /build/wasm/... . Nothing else in the
// repository is reachable: every path is decoded segment by segment, dot segments and
// hidden names are refused, and the file's real path (symlinks resolved) must stay
// inside the folder it was mapped to.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

/**
 * The folders the site is served from.
 * @typedef {object} StaticRoots
 * @property {string} web the pages, at / and /web/
 * @property {string} wasm the wasm build, at /build/wasm/
 * @property {Record<string, string>} vendor each VENDOR_FILES package's folder, at /vendor/<package>/
 */

/** @type {Record<string, string>} */
const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webm': 'video/webm',
  '.txt': 'text/plain; charset=utf-8',
};

// build/wasm also holds CMake's files; only what a page loads is served from it.
const WASM_BUILD_TYPES = new Set(['.mjs', '.js', '.wasm']);

// Third-party files a page loads, at /vendor/<package>/<file>: these files only, from
// the package's folder (roots.vendor).
/** @type {Record<string, Set<string>>} */
export const VENDOR_FILES = { uplot: new Set(['uPlot.iife.min.js', 'uPlot.min.css']) };

/** @type {Record<string, string>} */
const PAGES = { '/': 'index.html', '/broadcast': 'broadcast.html', '/debug': 'debug.html' };

/**
 * Splits a URL path into decoded segments; null for anything that could step outside
 * a folder or name a hidden file ('..', '.', '.git', encoded '/' or '\', NUL).
 * @param {string} pathname
 * @returns {string[] | null}
 */
export function safeSegments(pathname) {
  const segments = [];
  for (const raw of pathname.split('/').slice(1)) {
    let segment;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/**
 * Maps a URL path to [folder, segments within it], or null when nothing may serve it.
 * @param {StaticRoots} roots
 * @param {string} pathname
 * @returns {[string, string[]] | null}
 */
function locate(roots, pathname) {
  if (pathname in PAGES) return [roots.web, [PAGES[pathname]]];
  if (/^\/watch\/[^/]+$/.test(pathname)) return [roots.web, ['watch.html']];
  const segments = safeSegments(pathname);
  if (!segments || segments.length === 0 || segments.at(-1) === '') return null;
  if (segments[0] === 'web') return [roots.web, segments.slice(1)];
  if (segments[0] === 'vendor') {
    const [, name, file, ...rest] = segments;
    return rest.length === 0 && Object.hasOwn(VENDOR_FILES, name) && Object.hasOwn(roots.vendor, name) && VENDOR_FILES[name].has(file)
      ? [roots.vendor[name], [file]] : null;
  }
  if (segments[0] === 'build' && segments[1] === 'wasm') {
    const rest = segments.slice(2);
    return rest.length === 1 && WASM_BUILD_TYPES.has(extname(rest[0])) ? [roots.wasm, rest] : null;
  }
  return [roots.web, segments];
}

/**
 * Serves `pathname` if it names a file; returns false, having written nothing, when it
 * does not.
 * @param {StaticRoots} roots
 * @param {string} pathname
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @returns {Promise<boolean>}
 */
export async function serveStatic(roots, pathname, req, res) {
  const found = locate(roots, pathname);
  if (!found) return false;
  const [folder, segments] = found;
  let file;
  let info;
  try {
    const base = await realpath(folder);
    file = await realpath(join(base, ...segments));
    if (!file.startsWith(base + sep)) return false;
    info = await stat(file);
  } catch {
    return false;
  }
  if (!info.isFile()) return false;
  res.writeHead(200, {
    'Content-Type': MIME_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    // The files change under a developer's feet (rebuilds); always revalidate.
    'Cache-Control': 'no-cache',
    'Last-Modified': info.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).on('error', () => res.destroy()).pipe(res);
  return true;
}
