import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Builds the admin console (console/: Vite, Preact) with Vite's JS API, only when the built files
 * are missing or older than what they are built from, so `npm start` pays for a build once per
 * change of the console. The stacks deploy the same output (`buildConsole`).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const consoleSourceDir = join(root, 'console');
/** Where `npm start` and the tests serve the console from (git-ignored). */
export const consoleDistDir = join(consoleSourceDir, 'dist');
/** The console's address under the API's origin; Vite's `base`. */
export const CONSOLE_BASE = '/console/';

const STAMP = '.built';

export type ConsoleBuild = { dir: string; built: boolean; ms: number; firstLoadGzipBytes: number };

/** Every file the built output depends on: the console's sources, the generated client, the libraries' versions, this build. */
function inputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(consoleSourceDir);
  files.push(
    join(root, 'lib/client/client.ts'),
    join(root, 'lib/client/schema.d.ts'),
    join(root, 'node_modules/preact/package.json'),
    join(root, 'node_modules/openapi-fetch/package.json'),
    join(root, 'node_modules/vite/package.json'),
    fileURLToPath(import.meta.url),
  );
  return files;
}

/** Whether `dir` holds a build newer than every input. */
export function isFresh(dir = consoleDistDir): boolean {
  const stamp = join(dir, STAMP);
  if (!existsSync(stamp) || !existsSync(join(dir, 'index.html'))) return false;
  const builtAt = statSync(stamp).mtimeMs;
  return inputs().every((file) => !existsSync(file) || statSync(file).mtimeMs <= builtAt);
}

/**
 * Builds into a fresh folder beside `outDir`, then swaps it in, so a server reading the old build
 * (or a second build racing this one) never sees a half-written folder.
 */
export async function buildConsole(outDir = consoleDistDir): Promise<void> {
  const startedAt = new Date();
  const { build } = await import('vite');
  const temp = `${outDir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await build({
      configFile: false,
      root: consoleSourceDir,
      base: CONSOLE_BASE,
      logLevel: 'warn',
      publicDir: false,
      envPrefix: 'CONSOLE_',
      oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
      build: { outDir: temp, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, sourcemap: false },
    });
    // Stamped with the time the build began: a source saved while it ran is newer, so the next start builds again.
    writeFileSync(join(temp, STAMP), startedAt.toISOString());
    utimesSync(join(temp, STAMP), startedAt, startedAt);
    const old = `${outDir}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
    if (existsSync(outDir)) renameSync(outDir, old);
    try {
      renameSync(temp, outDir);
    } catch (error) {
      // Another build put its (equally fresh) output there first.
      if (!existsSync(join(outDir, STAMP))) throw error;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Builds unless the output is fresh; says how long that took and what a first visit downloads. */
export async function ensureConsoleBuilt(outDir = consoleDistDir): Promise<ConsoleBuild> {
  const started = performance.now();
  const built = !isFresh(outDir);
  if (built) await buildConsole(outDir);
  return { dir: outDir, built, ms: performance.now() - started, firstLoadGzipBytes: firstLoadGzipBytes(outDir) };
}

/**
 * What a browser fetches to show the first page, gzipped: index.html and the scripts, module
 * preloads and style sheets it names (config.json and API answers aside).
 */
export function firstLoadGzipBytes(dir = consoleDistDir): number {
  const html = readFileSync(join(dir, 'index.html'));
  const referenced = [...html.toString('utf8').matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)]
    .map((match) => match[1]!)
    .filter((url) => url.startsWith(CONSOLE_BASE));
  const files = [...new Set(referenced)].map((url) => readFileSync(join(dir, url.slice(CONSOLE_BASE.length))));
  return [html, ...files].reduce((sum, bytes) => sum + gzipSync(bytes, { level: 9 }).length, 0);
}
