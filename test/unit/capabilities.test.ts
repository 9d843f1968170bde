import { build, type Metafile } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as requests from '../../lib/http/requests';
import { routes, workers } from '../../lib/http/routes';
import { queueNames, queueOf } from '../../lib/jobs/queue';

const functions = [
  ...routes.map((r) => ({
    handler: r.handler,
    sendsMail: false,
    enqueuesJobs: false,
    readsWebhookSecrets: 'readsWebhookSecrets' in r && r.readsWebhookSecrets,
    sealsSecrets: 'sealsSecrets' in r && r.sealsSecrets === true,
    opensSecrets: false,
    publishesEvents: false,
  })),
  ...workers.map((w) => ({
    handler: w.handler,
    sendsMail: w.sendsMail === true,
    enqueuesJobs: w.enqueuesJobs === true,
    readsWebhookSecrets: w.readsWebhookSecrets === true,
    sealsSecrets: false,
    opensSecrets: w.opensSecrets === true,
    publishesEvents: w.source === 'eventStream',
  })),
];
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Which packages each function's bundle holds, from esbuild's metafile (what the stack deploys). */
let bundled: Map<string, Set<string>>;
/** Which of our own modules each bundle holds. */
let modules: Map<string, Set<string>>;

beforeAll(async () => {
  const result = await build({
    entryPoints: Object.fromEntries(functions.map((f) => [f.handler, join(root, 'functions', `${f.handler}.ts`)])),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    mainFields: ['module', 'main'],
    outdir: mkdtempSync(join(tmpdir(), 'capabilities-')),
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  modules = new Map(
    Object.entries((result.metafile as Metafile).outputs).flatMap(([file, output]) =>
      output.entryPoint
        ? [[file.split('/').at(-1)!.replace(/\.js$/, ''), new Set(Object.keys(output.inputs).filter((input) => input.startsWith('lib/')))]]
        : [],
    ),
  );
  bundled = new Map(
    Object.entries((result.metafile as Metafile).outputs).flatMap(([file, output]) =>
      output.entryPoint ? [[file.split('/').at(-1)!.replace(/\.js$/, ''), packagesOf(Object.keys(output.inputs))]] : [],
    ),
  );
}, 60_000);

function packagesOf(inputs: string[]): Set<string> {
  return new Set(
    inputs.flatMap((input) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      return match ? [match[1]!] : [];
    }),
  );
}

describe('AWS clients: each bundle holds only the ones its manifest entry declares', () => {
  it.each(functions.map((f) => [f.handler, f] as const))('%s', (handler, flags) => {
    const packages = bundled.get(handler)!;
    expect(packages, 'bundle built').toBeDefined();
    const clients = [...packages].filter((p) => p.startsWith('@aws-sdk/client-')).sort();
    const expected = [
      ...(handler === 'get-openapi' || handler === 'outbox-relay' || flags.publishesEvents ? [] : ['@aws-sdk/client-dynamodb']),
      ...(flags.publishesEvents ? ['@aws-sdk/client-eventbridge'] : []),
      ...(flags.sendsMail ? ['@aws-sdk/client-ses'] : []),
      ...(flags.enqueuesJobs ? ['@aws-sdk/client-sqs'] : []),
    ].sort();
    expect(clients).toEqual(expected);
  });
});

describe('webhook secrets: only the functions that read them bundle their clients', () => {
  it.each(functions.map((f) => [f.handler, f] as const))('%s', (handler, flags) => {
    expect(modules.get(handler)!.has('lib/webhooks/secrets-extension.ts')).toBe(flags.readsWebhookSecrets);
  });
});

describe('secrets key: only the functions that open sealed secrets bundle the reader of its private half', () => {
  it.each(functions.map((f) => [f.handler, f] as const))('%s', (handler, flags) => {
    const lib = modules.get(handler)!;
    expect(lib.has('lib/secrets/extension-key.ts'), 'the private key reader').toBe(flags.opensSecrets);
    // The sealing functions build their box from the public half alone; nobody else builds one.
    expect(lib.has('lib/secrets/box.ts'), 'a secret box').toBe(flags.sealsSecrets || flags.opensSecrets);
    expect(lib.has('lib/secrets/sealing.ts'), 'the public half').toBe(flags.sealsSecrets || flags.opensSecrets);
  });

  it('no function bundles jose (the box is node:crypto) nor a Secrets Manager client (the extension reads)', () => {
    for (const [handler, packages] of bundled) {
      expect(
        [...packages].filter((p) => p === 'jose' || p === '@aws-sdk/client-secrets-manager'),
        handler,
      ).toEqual([]);
    }
  });
});

describe('work queues', () => {
  it('every queue the relay routes to has exactly one worker, and every queue worker has a queue', () => {
    const consumed = workers.flatMap((w) => (w.source === 'queue' ? [w.queue] : []));
    expect([...consumed].sort()).toEqual([...queueNames].sort());
  });

  it('mail goes to the mail queue and everything else to the jobs queue', () => {
    expect(queueOf({ type: 'mail', kind: 'invitation', userId: 'U', requestId: 'R' })).toBe('mail');
    expect(queueOf({ type: 'handover', jobId: 'J' })).toBe('jobs');
    expect(queueOf({ type: 'hrDelivery', provider: 'standard', deliveryId: 'D' })).toBe('jobs');
  });
});

describe('route manifest and request contracts agree', () => {
  it('every route has a request contract with its id and auth, and nothing else has one', () => {
    const contracts = Object.values(requests as Record<string, unknown>).filter(
      (value): value is requests.RequestContract => typeof value === 'object' && value !== null && 'auth' in value,
    );
    expect(contracts.map((c) => [c.id, c.auth]).sort()).toEqual(routes.map((r) => [r.id, r.auth]).sort());
  });

  it.each(routes.map((r) => [r.handler, r] as const))("functions/%s.ts serves its route's contract", async (handler, route) => {
    const module = (await import(`../../functions/${handler}.ts`)) as { handler: { routeId?: string } };
    expect(module.handler.routeId).toBe(route.id);
  });
});
