import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { Context } from 'hono';
import type { MonitorEnv } from './monitor-env.js';

/** Content types of the files a built single-page app holds; others are served as bytes. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where a request path points inside `root`, or undefined when it would leave it (`..`, encoded or not, NUL, backslashes). */
export function fileInside(root: string, requestPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const target = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
  return target === root || target.startsWith(root + sep) ? target : undefined;
}

/**
 * Whether `path` is a file whose real location (links followed) is inside `realRoot`: a symbolic
 * link in the served folder that points outside it is not served.
 */
async function isFileInside(path: string, realRoot: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    const real = await realpath(path);
    return real.startsWith(realRoot + sep);
  } catch {
    return false;
  }
}

/**
 * Serves a built single-page app from `directory` under `basePath`: its files with their content
 * type (hashed assets cached for a year, the page never), and `index.html` for any other path
 * that names no file (so the app's own routes load), with `<base href>` set to `basePath` so
 * its relative asset and API addresses resolve wherever it is mounted.
 */
export function staticApp(directory: string, basePath: string): (c: Context<MonitorEnv>) => Promise<Response> {
  const root = resolve(directory);
  const realRoot = realpath(root).catch(() => root);
  const indexFile = resolve(root, 'index.html');
  const baseHref = `${basePath}/`;
  let indexHtml: Promise<string> | undefined;
  const page = () =>
    (indexHtml ??= readFile(indexFile, 'utf8').then((html) => html.replace('<head>', `<head><base href="${baseHref}">`)));
  return async (c) => {
    const path = new URL(c.req.url).pathname.slice(basePath.length) || '/';
    const file = path === '/' ? undefined : fileInside(root, path);
    if (file !== undefined && file !== indexFile && (await isFileInside(file, await realRoot))) {
      const body = await readFile(file);
      const immutable = file.startsWith(resolve(root, 'assets') + sep);
      return c.body(body, 200, {
        'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
    }
    // a missing asset is a 404, not the page: a stale hashed name must not come back as HTML
    if (extname(path) !== '' && extname(path) !== '.html') return c.text(`No file ${path}.`, 404);
    return c.body(await page(), 200, { 'Content-Type': CONTENT_TYPES['.html'] ?? '', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' });
  };
}
