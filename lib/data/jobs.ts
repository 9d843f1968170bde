import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit';
import type { Job, WorkItem } from '../domain/work';
import type { TableRef } from './client';
import { keys } from './keys';
import { StaleWrite, transactWrite, type TxOp } from './transaction';
import { auditPut } from './user-changes';

/**
 * One handover transaction moves at most this many items: with the delegate check and the job's
 * progress update that is DynamoDB's limit of 100 actions per transaction.
 */
export const HANDOVER_CHUNK = 98;

/** The delegate stopped being active: the job must stop, leaving the rest with the leaver. */
export class DelegateUnavailable extends Error {}
/** A work item was closed or reassigned by someone else since we listed it: leave it alone. */
export class WorkItemChanged extends Error {
  constructor(readonly workId: string) {
    super(`work ${workId} changed concurrently`);
  }
}

export function jobToItem(job: Job) {
  return { ...keys.job(job.id), entity: 'job', ...job };
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
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.job(id), ConsistentRead: true }));
  return Item ? itemToJob(Item) : undefined;
}

function jobVersionGuard(job: Job) {
  return { ConditionExpression: 'version = :version', onFailed: () => new StaleWrite(`job ${job.id}`) };
}

/**
 * Moves one chunk in ONE transaction: the delegate is still active; the job's counters advance
 * (only from the version we read, so two workers never both count a chunk); each item moves only
 * if it still belongs to the leaver and is open, so work edited meanwhile is not clobbered and
 * nothing is ever reassigned twice.
 */
export async function commitHandoverChunk(table: TableRef, job: Job, items: WorkItem[], at: string): Promise<Job> {
  const tasks = items.filter((item) => item.kind === 'task').length;
  const activities = items.length - tasks;
  const guard = jobVersionGuard(job);
  const ops: TxOp[] = [
    {
      item: {
        ConditionCheck: {
          Key: keys.user(job.toUserId),
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active' },
        },
      },
      onConditionFailed: () => new DelegateUnavailable(`delegate ${job.toUserId} is no longer active`),
    },
    {
      item: {
        Update: {
          Key: keys.job(job.id),
          UpdateExpression: 'SET #status = :running, moved.tasks = moved.tasks + :tasks, moved.activities = moved.activities + :activities, chunks = chunks + :one, version = version + :one, updatedAt = :at',
          ConditionExpression: guard.ConditionExpression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':tasks': tasks, ':activities': activities, ':one': 1, ':version': job.version, ':at': at },
        },
      },
      onConditionFailed: guard.onFailed,
    },
    ...items.map(
      (item): TxOp => ({
        item: {
          Update: {
            Key: keys.work(item.id),
            UpdateExpression: 'SET responsibleId = :to, gsi3pk = :toIndex, updatedAt = :at',
            ConditionExpression: 'responsibleId = :from AND #state = :open',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':to': job.toUserId, ':toIndex': `RESP#${job.toUserId}`, ':from': job.fromUserId, ':open': 'open', ':at': at },
          },
        },
        onConditionFailed: () => new WorkItemChanged(item.id),
      }),
    ),
  ];
  await transactWrite(table, ops);
  return {
    ...job,
    status: 'running',
    moved: { tasks: job.moved.tasks + tasks, activities: job.moved.activities + activities },
    chunks: job.chunks + 1,
    version: job.version + 1,
    updatedAt: at,
  };
}

/** Ends a job (completed or failed) with audit entries, from the version we read. */
export async function finishJob(table: TableRef, job: Job, outcome: { status: 'completed' | 'failed'; failureReason: string | null }, audits: AuditEntry[], at: string): Promise<Job> {
  const guard = jobVersionGuard(job);
  await transactWrite(table, [
    {
      item: {
        Update: {
          Key: keys.job(job.id),
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
