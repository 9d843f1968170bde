import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import type { ConsoleBuild } from './console-build';

/**
 * The admin console as `npm start` serves it under /console/ (in AWS, CloudFront and S3 do):
 * the built files with their content types, index.html for any other path (the console routes
 * in the browser), hashed assets cached for good, and security headers on every answer.
 */

export type ConsoleSite = {
  /** The build `npm start` began before serving; a request waits for it. */
  build: Promise<ConsoleBuild>;
};

export type StaticResponse = { statusCode: number; headers: Record<string, string>; body: Buffer | string };

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts every hashed file here: its name changes whenever its content does. */
const ASSETS = '/console/assets/';

export const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/;

/** The API's origin as this browser reaches it: the Host it used when that is loopback, else the server's own address. */
export function apiOrigin(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return LOOPBACK_HOST.test(host) ? `http://${host}` : `http://127.0.0.1:${req.socket.localPort}`;
}

/**
 * Scripts, styles and calls only from this origin and the API's; no framing, no plugins, no
 * inline script, no base or form target elsewhere; the address never leaks in a Referer.
 */
export function securityHeaders(api: string): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${api}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

export function isConsolePath(pathname: string): boolean {
  return pathname === '/console' || pathname.startsWith('/console/');
}

export async function consoleResponse(req: IncomingMessage, pathname: string, site: ConsoleSite): Promise<StaticResponse> {
  const method = (req.method ?? 'GET').toUpperCase();
  const api = apiOrigin(req);
  const headers = securityHeaders(api);
  const text = (statusCode: number, body: string, extra: Record<string, string> = {}): StaticResponse => ({
    statusCode,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
    body,
  });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'The console is static: GET or HEAD only.\n', { allow: 'GET, HEAD' });
  if (pathname === '/console') return text(308, 'The console is at /console/\n', { location: '/console/' });
  if (pathname === '/console/config.json') {
    return {
      statusCode: 200,
      headers: { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({ apiBaseUrl: api, auth: { kind: 'local' } }),
    };
  }
  let build: ConsoleBuild;
  try {
    build = await site.build;
  } catch (error) {
    return text(503, `The admin console could not be built: ${(error as Error).message}\nnpm start's output says more; fix it and start again.\n`);
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice('/console/'.length));
  } catch {
    return text(400, 'The path is not valid percent-encoding.\n');
  }
  const dir = resolve(build.dir);
  const file = resolve(dir, relative);
  const inside = file.startsWith(dir + sep) && !relative.split('/').some((part) => part.startsWith('.'));
  const found = inside
    ? await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    : false;
  if (found) {
    const immutable = pathname.startsWith(ASSETS);
    return {
      statusCode: 200,
      headers: {
        ...headers,
        'content-type': types[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
      body: await readFile(file),
    };
  }
  // A missing hashed asset is an old page asking for a file of a previous build: index.html instead would be taken for script.
  if (pathname.startsWith(ASSETS)) return text(404, 'No such file in this build of the console.\n');
  return {
    statusCode: 200,
    headers: { ...headers, 'content-type': types['.html']!, 'cache-control': 'no-cache' },
    body: await readFile(join(dir, 'index.html')),
  };
}
