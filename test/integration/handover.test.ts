import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import type { OutboxMessage } from '../../lib/jobs/queue';
import { listAudit } from '../../lib/data/audit';
import { getJob, HANDOVER_CHUNK } from '../../lib/data/jobs';
import { keys } from '../../lib/data/keys';
import { getUser } from '../../lib/data/users';
import { reassignWork, runHandoverJob } from '../../lib/use-cases/handover';
import { countRequests } from '../../lib/data/client';
import { runJob } from '../../lib/jobs/run-job';
import { dismissUser, rehireUser } from '../../lib/use-cases/users';
import { closeWork, createWork, workCounts } from '../../lib/use-cases/work';
import { aroundTransactions, createTestDeps, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { getWork, moveOpenWorkCount, seedOpenWork } from '../support/work';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const counts = (userId: string) => workCounts(deps, admin.id, userId);
const total = async (userId: string) => {
  const c = await counts(userId);
  return c.openTasks + c.openActivities;
};
/** The same dependencies, but jobs wait in a list instead of running: the test runs them. */
const withManualJobs = () => {
  const queued: string[] = [];
  const manual = {
    ...deps,
    table: { ...deps.table, relay: (messages: OutboxMessage[]) => messages.forEach((m) => void (m.type === 'handover' && queued.push(m.jobId))) },
  };
  return { manual, queued };
};

describe('dismissal with a delegate hands over all open work, in chunks', () => {
  // Thousands of items are the benchmark's (bench/handover.ts): here, the chunk boundaries.
  it.each([0, 1, HANDOVER_CHUNK, HANDOVER_CHUNK + 1, 2 * HANDOVER_CHUNK + 1])(
    '%i items',
    async (n) => {
      const leaver = await seedActiveUser(deps, admin.id);
      const delegate = await seedActiveUser(deps, admin.id);
      await seedOpenWork(deps.table, leaver.id, n);

      const dismissed = await dismissUser(deps, admin.id, leaver.id, { delegateId: delegate.id });
      await deps.jobs.idle();

      const job = (await getJob(deps.table, dismissed.handoverJobId!))!;
      expect(job).toMatchObject({ status: 'completed', reason: 'dismissal', fromUserId: leaver.id, toUserId: delegate.id, failureReason: null });
      expect(job.moved.tasks + job.moved.activities).toBe(n);
      expect(job.moved).toEqual({ tasks: Math.ceil(n / 2), activities: Math.floor(n / 2) });
      expect(job.chunks).toBe(Math.ceil(n / HANDOVER_CHUNK));
      expect(await total(leaver.id)).toBe(0);
      expect(await counts(delegate.id)).toEqual({ openTasks: Math.ceil(n / 2), openActivities: Math.floor(n / 2) });
      expect((await listAudit(deps.table, leaver.id, 1)).items[0]).toMatchObject({
        action: 'work.handed_over',
        after: { jobId: job.id, tasks: Math.ceil(n / 2), activities: Math.floor(n / 2), toUserId: delegate.id },
      });
      expect((await listAudit(deps.table, delegate.id, 1)).items[0]).toMatchObject({ action: 'work.received', after: { fromUserId: leaver.id } });
    },
    120_000,
  );
});

describe('a handover job survives what goes wrong', () => {
  it('a crash after a chunk resumes where it stopped and never reassigns twice', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 250);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });

    const crash = new Error('worker killed');
    const stop = aroundTransactions(deps.table, { after: () => Promise.reject(crash) });
    await expect(runHandoverJob(manual, queued[0]!)).rejects.toBe(crash);
    stop();
    const midway = (await getJob(deps.table, queued[0]!))!;
    expect(midway).toMatchObject({ status: 'running', chunks: 1 });
    expect(midway.moved.tasks + midway.moved.activities).toBe(HANDOVER_CHUNK);
    expect(await total(delegate.id)).toBe(HANDOVER_CHUNK);

    const finished = await runHandoverJob(manual, queued[0]!);
    const again = await runHandoverJob(manual, queued[0]!);

    expect(finished.status).toBe('completed');
    expect(finished.moved.tasks + finished.moved.activities).toBe(250);
    expect(again.version).toBe(finished.version);
    expect(await total(delegate.id)).toBe(250);
    expect(await total(leaver.id)).toBe(0);
  });

  it('two workers running the same job at once move each item once and count it once', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 300);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });

    await Promise.all([runHandoverJob(manual, queued[0]!), runHandoverJob(manual, queued[0]!)]);

    const job = (await getJob(deps.table, queued[0]!))!;
    expect(job.status).toBe('completed');
    expect(job.moved.tasks + job.moved.activities).toBe(300);
    expect(await total(delegate.id)).toBe(300);
  });

  it('a delegate dismissed meanwhile stops the job with a clear failed state, and nothing is lost', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 200);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });

    const stop = aroundTransactions(deps.table, { after: async (n) => void (n === 1 && (await dismissUser(manual, admin.id, delegate.id, {}))) });
    const job = await runHandoverJob(manual, queued[0]!).finally(stop);

    expect(job.status).toBe('failed');
    expect(job.failureReason).toBe(`delegate ${delegate.id} is no longer active`);
    expect(job.moved.tasks + job.moved.activities).toBe(HANDOVER_CHUNK);
    expect(await total(delegate.id)).toBe(HANDOVER_CHUNK);
    expect(await total(leaver.id)).toBe(200 - HANDOVER_CHUNK);
    expect((await listAudit(deps.table, leaver.id, 1)).items[0]).toMatchObject({ action: 'work.handover_failed', after: { failureReason: job.failureReason } });
  });

  it('work edited between listing and commit is not clobbered', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    const colleague = await seedActiveUser(deps, admin.id);
    const [first, second] = await seedOpenWork(deps.table, leaver.id, 10);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });

    const stop = aroundTransactions(deps.table, {
      before: async (n) => {
        if (n !== 1) return;
        await closeWork(deps, admin.id, first!.kind, first!.id);
        await deps.table.client.send(
          new UpdateCommand({
            TableName: deps.table.name,
            Key: keys.work(second!.id),
            UpdateExpression: 'SET responsibleId = :c, gsi3pk = :i',
            ExpressionAttributeValues: { ':c': colleague.id, ':i': `RESP#${colleague.id}` },
          }),
        );
        await moveOpenWorkCount(deps.table, leaver.id, { [second!.kind]: -1 });
        await moveOpenWorkCount(deps.table, colleague.id, { [second!.kind]: 1 });
      },
    });
    const job = await runHandoverJob(manual, queued[0]!).finally(stop);

    expect(job.status).toBe('completed');
    expect(job.moved.tasks + job.moved.activities).toBe(8);
    expect(await getWork(deps.table, first!.id)).toMatchObject({ state: 'closed', responsibleId: leaver.id });
    expect(await getWork(deps.table, second!.id)).toMatchObject({ responsibleId: colleague.id });
    expect(await total(delegate.id)).toBe(8);
  });
});

describe('what the review found', () => {
  it('items the index still lists under the leaver but that are no longer theirs do not stall the job', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    const other = await seedActiveUser(deps, admin.id);
    // What a lagging index looks like: listed under the leaver, owned by someone else.
    const lagging = await seedOpenWork(deps.table, leaver.id, 150);
    for (const item of lagging) {
      await deps.table.client.send(
        new UpdateCommand({
          TableName: deps.table.name,
          Key: keys.work(item.id),
          UpdateExpression: 'SET responsibleId = :o',
          ExpressionAttributeValues: { ':o': other.id },
        }),
      );
    }
    await moveOpenWorkCount(deps.table, leaver.id, { task: -75, activity: -75 });
    await seedOpenWork(deps.table, leaver.id, 20);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });
    const log = countRequests(deps.table.client);

    const job = await runHandoverJob(manual, queued[0]!);

    expect(job).toMatchObject({ status: 'completed', moved: { tasks: 10, activities: 10 } });
    expect(log.writes).toBeLessThan(10);
  });

  it('opposite reassign jobs at once swap the original work instead of bouncing it', async () => {
    const { manual, queued } = withManualJobs();
    const a = await seedActiveUser(deps, admin.id);
    const b = await seedActiveUser(deps, admin.id);
    const fromA = await seedOpenWork(deps.table, a.id, 150);
    const fromB = await seedOpenWork(deps.table, b.id, 150);
    await reassignWork(manual, admin.id, a.id, b.id);
    await reassignWork(manual, admin.id, b.id, a.id);

    const jobs = await Promise.all(queued.map((id) => runHandoverJob(manual, id)));

    expect(jobs.map((job) => job.moved.tasks + job.moved.activities)).toEqual([150, 150]);
    expect((await getWork(deps.table, fromA[0]!.id))!.responsibleId).toBe(b.id);
    expect((await getWork(deps.table, fromB[0]!.id))!.responsibleId).toBe(a.id);
  });

  it('a leaver rehired mid-job keeps their remaining work, and work they get afterwards', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 200);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });
    let fresh = '';

    const stop = aroundTransactions(deps.table, {
      after: async (n) => {
        if (n !== 1) return;
        await rehireUser(manual, admin.id, leaver.id);
        fresh = (await createWork(manual, admin.id, 'task', { title: 'after the return', responsibleId: leaver.id })).id;
      },
    });
    const job = await runHandoverJob(manual, queued[0]!).finally(stop);

    expect(job).toMatchObject({ status: 'failed', failureReason: `user ${leaver.id} was rehired; their remaining work stays with them` });
    expect(await total(delegate.id)).toBe(HANDOVER_CHUNK);
    expect(await total(leaver.id)).toBe(200 - HANDOVER_CHUNK + 1);
    expect((await getWork(deps.table, fresh))!.responsibleId).toBe(leaver.id);
  });

  it('reassigning does not sweep up work that arrives after the request', async () => {
    const { manual, queued } = withManualJobs();
    const owner = await seedActiveUser(deps, admin.id);
    const other = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, owner.id, 100);
    await reassignWork(manual, admin.id, owner.id, other.id);
    const later = await createWork(manual, admin.id, 'activity', { title: 'new', responsibleId: owner.id });

    const job = await runHandoverJob(manual, queued[0]!);

    expect(job.moved.tasks + job.moved.activities).toBe(100);
    expect((await getWork(deps.table, later.id))!.responsibleId).toBe(owner.id);
  });

  it('every chunk is audited on the leaver, and a worker near its time limit yields and is queued again', async () => {
    const { manual, queued } = withManualJobs();
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 150);
    await dismissUser(manual, admin.id, leaver.id, { delegateId: delegate.id });
    let chunks = 0;

    await runJob(manual, { type: 'handover', jobId: queued[0]! }, { shouldYield: () => chunks++ >= 1 });

    expect(queued).toEqual([queued[0], queued[0]]);
    expect((await getJob(deps.table, queued[0]!))!).toMatchObject({ status: 'running', chunks: 1 });
    const done = await runHandoverJob(manual, queued[0]!);
    expect(done).toMatchObject({ status: 'completed', chunks: 2 });
    const actions = (await listAudit(deps.table, leaver.id, 10)).items.map((e) => e.action);
    expect(actions.filter((a) => a === 'work.handover_chunk')).toHaveLength(2);
  });
});

describe('reassigning without dismissing', () => {
  it('hands all open work to another active user, audited with counts; the owner stays active', async () => {
    const owner = await seedActiveUser(deps, admin.id);
    const other = await seedActiveUser(deps, admin.id);
    await createWork(deps, admin.id, 'task', { title: 'Quarterly report', responsibleId: owner.id });
    await createWork(deps, admin.id, 'activity', { title: 'Follow-up call', responsibleId: owner.id });
    const closed = await createWork(deps, admin.id, 'task', { title: 'Done already', responsibleId: owner.id });
    await closeWork(deps, admin.id, 'task', closed.id);

    const job = await reassignWork(deps, admin.id, owner.id, other.id);
    await deps.jobs.idle();

    expect((await getJob(deps.table, job.id))!).toMatchObject({ status: 'completed', reason: 'reassign', moved: { tasks: 1, activities: 1 } });
    expect(await counts(other.id)).toEqual({ openTasks: 1, openActivities: 1 });
    expect(await getWork(deps.table, closed.id)).toMatchObject({ responsibleId: owner.id });
    expect((await getUser(deps.table, owner.id))!.status).toBe('active');
    const actions = (await listAudit(deps.table, owner.id, 3)).items.map((e) => e.action);
    expect(actions).toEqual(['work.handed_over', 'work.handover_chunk', 'work.reassign_requested']);
  });

  it('refuses the owner themself or an inactive recipient', async () => {
    const owner = await seedActiveUser(deps, admin.id);
    const gone = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, gone.id, {});
    await expect(reassignWork(deps, admin.id, owner.id, owner.id)).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(reassignWork(deps, admin.id, owner.id, gone.id)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});

describe('work items', () => {
  it('cannot be given to a dismissed or unknown user, and close once', async () => {
    const gone = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, gone.id, {});
    await expect(createWork(deps, admin.id, 'task', { title: 'x', responsibleId: gone.id })).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(createWork(deps, admin.id, 'task', { title: 'x', responsibleId: '01JD3ZK1X7Q8M2V5N4R6T9W0YB' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    const task = await createWork(deps, admin.id, 'task', { title: 'x', responsibleId: admin.id });
    await closeWork(deps, admin.id, 'task', task.id);
    await expect(closeWork(deps, admin.id, 'task', task.id)).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(closeWork(deps, admin.id, 'activity', task.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a rehire clears the handover job link', async () => {
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    const dismissed = await dismissUser(deps, admin.id, leaver.id, { delegateId: delegate.id });
    expect(dismissed.handoverJobId).not.toBeNull();
    await deps.jobs.idle();
    expect((await rehireUser(deps, admin.id, leaver.id)).handoverJobId).toBeNull();
  });
});
