/**
 * Benchmark: each function's bundle size and cold module load time, against a "floor" bundle that
 * holds only the DynamoDB client, built and measured the same way in the same run. Run:
 * `npm run bench:bundles`. The esbuild options are the stack's (infra/directory-function.ts).
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes, workers } from '../lib/http/routes';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'bundles-'));
const RUNS = Number(process.env.RUNS ?? 21);

/** What NodejsFunction runs with the stack's bundling settings. */
async function bundle(entry: string, name: string): Promise<string> {
  const outfile = join(out, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** Wall time of importing the bundle once in a fresh Node process (what a cold start pays). */
function importTimeMs(file: string): number {
  return Number(
    execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); console.log(performance.now() - t);`],
      {
        env: {
          ...process.env,
          AWS_REGION: 'us-east-1',
          TABLE_NAME: 'bench',
          APP_BASE_URL: 'https://x.example',
          MAIL_FROM: 'no-reply@x.example',
          JOBS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs',
          MAIL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/mail',
          EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/events',
          CONNECTORS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/connectors',
          EVENT_BUS_NAME: 'bench-events',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
      },
    ).toString(),
  );
}

/**
 * Median import time of each file, measured in rounds (every file once per round, the floor
 * included) so that a burst of load on the machine slows all of them alike instead of one.
 */
function loadTimesMs(files: string[]): number[] {
  const times = files.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round++)
    files.forEach((file, i) => {
      times[i]!.push(importTimeMs(file));
    });
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!);
}

try {
  mkdirSync(out, { recursive: true });
  const floorEntry = join(out, 'floor.ts');
  writeFileSync(
    floorEntry,
    "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';\nconst client = new DynamoDBClient({});\nexport const handler = async () => client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));\n",
  );
  // Resolve the floor's imports from this project's node_modules.
  const floorFile = await build({
    entryPoints: [floorEntry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    outfile: join(out, 'floor.mjs'),
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'error',
  }).then(() => join(out, 'floor.mjs'));
  const handlers = [...new Set([...routes.map((r) => r.handler), ...workers.map((w) => w.handler)])].sort();
  const files = [floorFile];
  for (const handler of handlers) files.push(await bundle(join(root, 'functions', `${handler}.ts`), handler));
  const loads = loadTimesMs(files);
  const floor = { size: statSync(floorFile).size, load: loads[0]! };
  const rows = handlers.map((name, i) => ({ name, size: statSync(files[i + 1]!).size, load: loads[i + 1]! }));
  const kb = (bytes: number) => (bytes / 1024).toFixed(0);
  console.log(`\nBundle budget (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, median of ${RUNS} cold imports)\n`);
  console.log('| function | size (KiB) | size vs floor | load (ms) | load vs floor |');
  console.log('|---|---|---|---|---|');
  console.log(`| floor: DynamoDB client only | ${kb(floor.size)} | 1.00x | ${floor.load.toFixed(0)} | 1.00x |`);
  for (const row of rows.sort((a, b) => b.size - a.size)) {
    console.log(`| ${row.name} | ${kb(row.size)} | ${(row.size / floor.size).toFixed(2)}x | ${row.load.toFixed(0)} | ${(row.load / floor.load).toFixed(2)}x |`);
  }
  const worst = rows.reduce((a, b) => (b.size > a.size ? b : a));
  const slowest = rows.reduce((a, b) => (b.load > a.load ? b : a));
  console.log(
    `\nLargest: ${worst.name} at ${(worst.size / floor.size).toFixed(2)}x the floor's size; slowest: ${slowest.name} at ${(slowest.load / floor.load).toFixed(2)}x its load time (target 1.30x).`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
