import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { noteRecord, type AuditRecord } from '../domain/audit';
import type { Job, WorkItem } from '../domain/work';
import type { TableRef } from './client';
import { StaleWrite, transactWrite, type TxOp } from './transaction';
import { auditPut } from './audit';
import { userGuard } from './users';
import { newId } from './ids';
import { openWorkDelta, workKeys } from './work';

/** Handover jobs. */
export const jobKeys = {
  job: (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' }),
};

/**
 * One handover transaction moves at most this many items: with the delegate check, the leaver
 * check, the job's progress update, the chunk's audit entry and both users' open-work counts that
 * is DynamoDB's limit of 100 actions per transaction.
 */
export const HANDOVER_CHUNK = 94;

/** The delegate stopped being active: the job must stop, leaving the rest with the leaver. */
export class DelegateUnavailable extends Error {}
/** The leaver of a dismissal job was rehired: their remaining work stays with them. */
export class LeaverReturned extends Error {}
/** A work item was closed or reassigned by someone else since we listed it: leave it alone. */
export class WorkItemChanged extends Error {
  constructor(readonly workId: string) {
    super(`work ${workId} changed concurrently`);
  }
}

export function jobToItem(job: Job) {
  return { ...jobKeys.job(job.id), entity: 'job', ...job };
}

function itemToJob(item: Record<string, unknown>): Job {
  const { pk: _pk, sk: _sk, entity: _entity, ...job } = item;
  return job as unknown as Job;
}

export function putNewJob(job: Job): TxOp {
  return { item: { Put: { Item: jobToItem(job), ConditionExpression: 'attribute_not_exists(pk)' } } };
}

/** Access pattern: a job by id (consistent: it is the resume point). */
export async function getJob(table: TableRef, id: string): Promise<Job | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: jobKeys.job(id), ConsistentRead: true }));
  return Item ? itemToJob(Item) : undefined;
}

function jobVersionGuard(job: Job) {
  return { ConditionExpression: 'version = :version', onFailed: () => new StaleWrite(`job ${job.id}`) };
}

/**
 * Moves one chunk in ONE transaction: the delegate is still active; for a dismissal, the leaver is
 * still dismissed by this job (a rehire stops it); the job's counters advance (only from the
 * version we read, so two workers never both count a chunk); the chunk is audited on the leaver;
 * each item moves only if it still belongs to the leaver and is open (for a reassignment also: was
 * last changed before the job was created, so work that arrives later stays), so work edited or
 * handed around meanwhile is not clobbered and nothing is ever reassigned twice; both users'
 * open-work counts move with the items. A dismissal's handover takes everything the leaver holds:
 * no work can reach a dismissed user, so nothing created while the dismissal committed is left.
 * Every failed condition is reported (ConditionsFailed), so the caller can drop all changed items
 * at once.
 */
export async function commitHandoverChunk(table: TableRef, job: Job, items: WorkItem[], at: string): Promise<Job> {
  const tasks = items.filter((item) => item.kind === 'task').length;
  const activities = items.length - tasks;
  const guard = jobVersionGuard(job);
  const chunk = job.chunks + 1;
  const ops: TxOp[] = [
    userGuard(job.toUserId, '#status = :active', { ':active': 'active' }, () => new DelegateUnavailable(`delegate ${job.toUserId} is no longer active`)),
    ...(job.reason === 'dismissal'
      ? [
          userGuard(
            job.fromUserId,
            '#status = :dismissed AND handoverJobId = :job',
            { ':dismissed': 'dismissed', ':job': job.id },
            () => new LeaverReturned(`user ${job.fromUserId} was rehired; their remaining work stays with them`),
          ),
        ]
      : []),
    {
      item: {
        Update: {
          Key: jobKeys.job(job.id),
          UpdateExpression:
            'SET #status = :running, moved.tasks = moved.tasks + :tasks, moved.activities = moved.activities + :activities, chunks = chunks + :one, version = version + :one, updatedAt = :at',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':tasks': tasks, ':activities': activities, ':one': 1, ':version': job.version, ':at': at },
        },
      },
      onConditionFailed: guard.onFailed,
    },
    auditPut(
      noteRecord(
        newId(),
        { kind: 'user', id: job.fromUserId },
        job.actorId,
        'work.handover_chunk',
        { jobId: job.id, chunk, tasks, activities, toUserId: job.toUserId },
        at,
      ),
    ),
    openWorkDelta(job.fromUserId, { task: -tasks, activity: -activities }),
    openWorkDelta(job.toUserId, { task: tasks, activity: activities }),
    ...items.map(
      (item): TxOp => ({
        item: {
          Update: {
            Key: workKeys.work(item.id),
            UpdateExpression: 'SET responsibleId = :to, gsi3pk = :toIndex, updatedAt = :at',
            ConditionExpression: `responsibleId = :from AND #state = :open${job.reason === 'reassign' ? ' AND updatedAt <= :cutoff' : ''}`,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':to': job.toUserId,
              ':toIndex': `RESP#${job.toUserId}`,
              ':from': job.fromUserId,
              ':open': 'open',
              ':at': at,
              ...(job.reason === 'reassign' ? { ':cutoff': job.createdAt } : {}),
            },
          },
        },
        onConditionFailed: () => new WorkItemChanged(item.id),
      }),
    ),
  ];
  await transactWrite(table, ops, { allFailures: true });
  return {
    ...job,
    status: 'running',
    moved: { tasks: job.moved.tasks + tasks, activities: job.moved.activities + activities },
    chunks: chunk,
    version: job.version + 1,
    updatedAt: at,
  };
}

/** Ends a job (completed or failed) with audit entries, from the version we read. */
export async function finishJob(
  table: TableRef,
  job: Job,
  outcome: { status: 'completed' | 'failed'; failureReason: string | null },
  audits: AuditRecord[],
  at: string,
): Promise<Job> {
  const guard = jobVersionGuard(job);
  await transactWrite(table, [
    {
      item: {
        Update: {
          Key: jobKeys.job(job.id),
          UpdateExpression: 'SET #status = :status, failureReason = :reason, finishedAt = :at, updatedAt = :at, version = version + :one',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': outcome.status, ':reason': outcome.failureReason, ':at': at, ':one': 1, ':version': job.version },
        },
      },
      onConditionFailed: guard.onFailed,
    },
    ...audits.map(auditPut),
  ]);
  return { ...job, ...outcome, finishedAt: at, updatedAt: at, version: job.version + 1 };
}
