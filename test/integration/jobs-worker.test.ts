import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/jobs-worker';
import { getJob } from '../../lib/data/jobs';
import { installRuntime } from '../../lib/runtime';
import { dismissUser } from '../../lib/use-cases/users';
import { createTestDeps, holdingJobs, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { seedOpenWork } from '../support/work';

let deps: TestDeps;
const context = { awsRequestId: 'r', functionName: 'handover-worker', getRemainingTimeInMillis: () => 300_000 } as unknown as Context;
const record = (messageId: string, body: string) => ({ messageId, body }) as SQSRecord;

beforeAll(async () => {
  deps = await createTestDeps();
  // The worker under test runs the jobs; the in-process queue must not run them first.
  installRuntime(holdingJobs(deps).deps);
});

describe('SQS handover worker', () => {
  it('runs queued work, reports only transient failures for redelivery, drops malformed and unknown ones', async () => {
    const admin = await seedAdmin(deps);
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 120);
    const dismissed = await dismissUser(holdingJobs(deps).deps, admin.id, leaver.id, { delegateId: delegate.id });

    const event = {
      Records: [
        record('ok', JSON.stringify({ type: 'handover', jobId: dismissed.handoverJobId })),
        record('unknown-job', JSON.stringify({ type: 'handover', jobId: '01JD3ZK1X7Q8M2V5N4R6T9W0YB' })),
        record('malformed', 'not json'),
        record('wrong-shape', JSON.stringify({ jobId: 'no type' })),
      ],
    } as SQSEvent;
    const response = await handler(event, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await getJob(deps.table, dismissed.handoverJobId!)).toMatchObject({ status: 'completed', moved: { tasks: 60, activities: 60 } });

    // A transient failure (here: the table is unreachable) is reported, so SQS redelivers just it.
    installRuntime({ ...deps, table: { client: deps.table.client, name: 'no-such-table' } });
    const retried = await handler(
      { Records: [record('transient', JSON.stringify({ type: 'handover', jobId: dismissed.handoverJobId }))] } as SQSEvent,
      context,
    );
    expect(retried).toEqual({ batchItemFailures: [{ itemIdentifier: 'transient' }] });
  });
});
