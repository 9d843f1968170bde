import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as requests from '../../lib/http/requests';
import { routes, workers } from '../../lib/http/routes';
import { queueNames, queueOf } from '../../lib/jobs/queue';

const functionsWithFlags = [
  ...routes.map((r) => ({ handler: r.handler, sendsMail: false, enqueuesJobs: false })),
  ...workers.map((w) => ({ handler: w.handler, sendsMail: w.sendsMail === true, enqueuesJobs: w.enqueuesJobs === true })),
];

describe('AWS clients: each function imports only the ones its manifest entry declares', () => {
  it.each(functionsWithFlags.map((f) => [f.handler, f] as const))('functions/%s.ts', (handler, flags) => {
    const source = readFileSync(new URL(`../../functions/${handler}.ts`, import.meta.url), 'utf8');
    expect({ mail: source.includes('@aws-sdk/client-ses'), jobs: source.includes('@aws-sdk/client-sqs') }).toEqual({ mail: flags.sendsMail, jobs: flags.enqueuesJobs });
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
    const contracts = Object.values(requests as Record<string, unknown>).filter((value): value is requests.RequestContract => typeof value === 'object' && value !== null && 'auth' in value);
    expect(contracts.map((c) => [c.id, c.auth]).sort()).toEqual(routes.map((r) => [r.id, r.auth]).sort());
  });

  it.each(routes.map((r) => [r.handler, r] as const))('functions/%s.ts serves its route with that route\'s contract', (handler, route) => {
    const source = readFileSync(new URL(`../../functions/${handler}.ts`, import.meta.url), 'utf8');
    // Public routes that need no dependencies may use the SDK-free staticHandler.
    const wrappers = route.auth === 'admin' ? ['adminHandler'] : ['publicHandler', 'staticHandler'];
    expect(wrappers.some((wrapper) => source.includes(`${wrapper}(requests.${route.id},`))).toBe(true);
  });
});
