import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleBuild } from '../../lib/local/console-build';
import { LocalJwt } from '../../lib/local/local-auth';
import { createLocalServer, listen } from '../../lib/local/server';

/** A built console's shape (index.html, hashed assets) in a folder of its own. */
function fakeBuild(): ConsoleBuild {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dir, 'assets/index-def456.css'), 'body{}');
  writeFileSync(join(dir, '.built'), 'stamp');
  return { dir, built: false, ms: 0, firstLoadGzipBytes: 0 };
}

let server: Server;
let base: string;
let build: ConsoleBuild;

beforeAll(async () => {
  build = fakeBuild();
  server = createLocalServer({ jwt: LocalJwt.fromKey(new Uint8Array(32)), console: { build: Promise.resolve(build) } });
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(build.dir, { recursive: true, force: true });
});

async function get(path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('the console under /console/', () => {
  it('serves built files with their content type; hashed assets are cached for good, the page is revalidated', async () => {
    const script = await get('/console/assets/index-abc123.js');
    expect(script).toMatchObject({ status: 200, body: 'console.log("app")' });
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await get('/console/assets/index-def456.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const page = await get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.body).toContain('index-abc123.js');
  });

  it('answers index.html for any other path, so the console routes in the browser', async () => {
    for (const path of ['/console/users/01JD3ZK1X7Q8M2V5N4R6T9W0YB', '/console/workgroups', '/console/users?q=jane']) {
      const page = await get(path);
      expect({ path, status: page.status, type: page.headers.get('content-type') }).toEqual({ path, status: 200, type: 'text/html; charset=utf-8' });
      expect(page.body).toContain('<title>console</title>');
    }
  });

  it('answers 404 for a hashed asset this build does not have, never the page in its place', async () => {
    const missing = await get('/console/assets/index-old999.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('redirects /console to /console/', async () => {
    const response = await get('/console');
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('tells the console where the API is and that sign-in is local', async () => {
    const config = await get('/console/config.json');
    expect(config.status).toBe(200);
    expect(config.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(config.body)).toEqual({ apiBaseUrl: base, auth: { kind: 'local' } });
  });

  it('sends security headers: a CSP of self and the API, no framing, no sniffing, no referrer', async () => {
    for (const path of ['/console/', '/console/assets/index-abc123.js', '/console/config.json', '/console/nowhere']) {
      const { headers } = await get(path);
      const csp = headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`connect-src 'self' ${base}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('serves nothing outside the build, nor its dot files', async () => {
    const outside = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // A raw request: fetch would resolve the dot segments before sending them.
        const request = httpRequest(`${base}/`, { path }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on('error', reject);
        request.end();
      });
    for (const path of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/.built', '/console/assets/..%2f..%2fpackage.json']) {
      const response = await outside(path);
      expect(response.body).not.toContain('"name"');
      expect(response.body).not.toBe('stamp');
    }
  });

  it('answers HEAD like GET without a body, and refuses other methods', async () => {
    const head = await get('/console/assets/index-abc123.js', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers.get('content-length')).toBe(String('console.log("app")'.length));
    const post = await get('/console/', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('says why when the build failed, and the API still answers', async () => {
    const failed = Promise.reject(new Error('vite: console/src/app.tsx: Unexpected token'));
    failed.catch(() => undefined);
    const broken = createLocalServer({ jwt: LocalJwt.fromKey(new Uint8Array(32)), console: { build: failed } });
    const port = await listen(broken, 0);
    try {
      const page = await fetch(`http://127.0.0.1:${port}/console/`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('Unexpected token');
      expect((await fetch(`http://127.0.0.1:${port}/openapi.json`)).status).toBe(200);
    } finally {
      broken.closeAllConnections();
      broken.close();
    }
  });
});
