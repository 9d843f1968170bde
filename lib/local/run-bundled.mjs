// @ts-check
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `node lib/local/run-bundled.mjs ENTRY.ts ARGS...`: runs a small command-line entry (`npm run
 * token`) as one esbuild bundle kept in node_modules/.cache, rebuilt when one of its sources
 * changed, instead of through tsx, whose loader and per-file transforms cost more than the command.
 * Plain JavaScript, so nothing needs compiling to run it.
 *
 * The bundle sits two folders below the project root, as lib/local's modules do, so what they
 * resolve against import.meta.url (the .local/ state folder) is the same folder.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node lib/local/run-bundled.mjs ENTRY.ts [ARGS...]');
  process.exit(2);
}
const name = relative(root, resolve(entry)).replace(/[^\w.-]+/g, '_');
const cache = join(root, 'node_modules', '.cache');
const bundle = join(cache, `bundled-${name}.mjs`);
const manifest = join(cache, `bundled-${name}.json`);

/** The project's own sources the bundle was built from, and the lock file for its dependencies. */
function upToDate() {
  try {
    /** @type {{ inputs: [string, number, number][] }} */
    const built = JSON.parse(readFileSync(manifest, 'utf8'));
    return built.inputs.every(([file, mtimeMs, size]) => {
      const stat = statSync(join(root, file));
      return stat.mtimeMs === mtimeMs && stat.size === size;
    });
  } catch {
    return false;
  }
}

if (!upToDate()) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [resolve(root, entry)],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const own = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  const inputs = [...own, 'package-lock.json'].map((file) => {
    const stat = statSync(join(root, file));
    return [file, stat.mtimeMs, stat.size];
  });
  mkdirSync(cache, { recursive: true });
  // Written whole, then renamed: a run at the same moment reads the old bundle or the new one.
  const temporary = `${bundle}.${process.pid}.tmp`;
  writeFileSync(temporary, result.outputFiles[0].contents);
  renameSync(temporary, bundle);
  writeFileSync(`${manifest}.${process.pid}.tmp`, JSON.stringify({ inputs }));
  renameSync(`${manifest}.${process.pid}.tmp`, manifest);
}
process.argv = [process.argv[0], resolve(root, entry), ...args];
await import(pathToFileURL(bundle).href);
