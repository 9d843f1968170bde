import type { AuditEntry } from '../domain/audit';
import { InvalidState, NotFound } from '../domain/errors';
import type { Job, WorkItem } from '../domain/work';
import { newId } from '../data/ids';
import { commitHandoverChunk, DelegateUnavailable, finishJob, getJob, HANDOVER_CHUNK, LeaverReturned, putNewJob, WorkItemChanged } from '../data/jobs';
import { ConditionsFailed, StaleWrite, transactWrite } from '../data/transaction';
import { auditPut } from '../data/audit';
import { activeAdminGuard } from '../data/users';
import { getOpenWorkCount, listWorkByResponsible } from '../data/work';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../runtime';
import { loadAsAdmin, requireAdmin } from './authorize';
import { outboxPut } from '../data/outbox';

export function newHandoverJob(input: { reason: Job['reason']; fromUserId: string; toUserId: string; actorId: string; now: Date }): Job {
  const at = input.now.toISOString();
  return {
    id: newId(),
    type: 'handover',
    reason: input.reason,
    fromUserId: input.fromUserId,
    toUserId: input.toUserId,
    actorId: input.actorId,
    status: 'pending',
    moved: { tasks: 0, activities: 0 },
    chunks: 0,
    failureReason: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
    version: 0,
  };
}

/** Test seams: what happens between listing a chunk and committing it, and after each commit. */
export type HandoverHooks = {
  beforeChunk?: (items: WorkItem[]) => void | Promise<void>;
  afterChunk?: (job: Job) => void | Promise<void>;
};

export type RunOptions = { hooks?: HandoverHooks; shouldYield?: () => boolean };

/**
 * Runs (or resumes) a handover job until none of the leaver's open work from before the job is left:
 * 1. read the job; a finished job is returned as it is (queues deliver at least once);
 * 2. list the leaver's open work on the workByResponsible index (a dismissal takes all of it, a
 *    reassignment what existed when it was asked for), skipping items this run already moved and
 *    items whose condition already failed (the index may still list them for a moment);
 * 3. commit up to one chunk in one transaction (see commitHandoverChunk); items changed by
 *    someone else meanwhile are all dropped from the chunk at once, never overwritten;
 * 4. when nothing is left (for a dismissal: the leaver's committed open-work count is zero, so an
 *    index lagging behind cannot end it early), complete the job and audit both users; if the delegate
 *    stopped being active or the leaver was rehired, fail it with the reason, leaving the rest
 *    with the leaver. `shouldYield` lets a worker near its time limit stop between chunks and
 *    queue the job again.
 * A crash anywhere loses nothing: progress is committed with each chunk and moved items no longer
 * belong to the leaver, so a rerun continues where the last commit ended.
 */
export async function runHandoverJob(deps: Deps, jobId: string, options: RunOptions = {}): Promise<Job> {
  const { hooks = {}, shouldYield } = options;
  let job = await getJob(deps.table, jobId);
  if (!job) throw new NotFound('job', jobId);
  const skip = new Set<string>();
  let cursor: string | undefined;
  let unlisted = 0;
  for (;;) {
    if (job.status === 'completed' || job.status === 'failed') return job;
    if (shouldYield?.()) return job;
    const page = await listWorkByResponsible(deps.table, { userId: job.fromUserId, state: 'open', limit: HANDOVER_CHUNK, cursor });
    const current = job;
    const candidates = page.items.filter((item) => !skip.has(item.id) && handsOver(current, item));
    const at = deps.clock().toISOString();
    try {
      if (candidates.length === 0) {
        if (page.nextCursor) {
          cursor = page.nextCursor;
          continue;
        }
        // The index may lag behind the table: a dismissal ends only when the leaver's committed
        // open-work count says nothing is left. Until then the run fails and the queue retries.
        if (job.reason === 'dismissal') {
          const left = await getOpenWorkCount(deps.table, job.fromUserId);
          if (left > 0) {
            if (++unlisted > UNLISTED_RECHECKS) throw new HandoverNotSettled(job.id, left);
            await sleep(UNLISTED_RECHECK_MS * unlisted);
            skip.clear();
            cursor = undefined;
            continue;
          }
        }
        job = await finishJob(deps.table, job, { status: 'completed', failureReason: null }, handoverAudits(job, at), at);
        continue;
      }
      await hooks.beforeChunk?.(candidates);
      let chunk = candidates;
      while (chunk.length > 0) {
        try {
          job = await commitHandoverChunk(deps.table, job, chunk, at);
          for (const item of chunk) skip.add(item.id);
          cursor = undefined;
          await hooks.afterChunk?.(job);
          break;
        } catch (error) {
          if (!(error instanceof ConditionsFailed)) throw error;
          const fatal = error.errors.find((e) => e instanceof DelegateUnavailable || e instanceof LeaverReturned);
          if (fatal) throw fatal;
          if (error.errors.some((e) => e instanceof StaleWrite)) throw new StaleWrite(`job ${job.id}`);
          const changed = new Set(error.errors.flatMap((e) => (e instanceof WorkItemChanged ? [e.workId] : [])));
          for (const id of changed) skip.add(id);
          chunk = chunk.filter((item) => !changed.has(item.id));
        }
      }
    } catch (error) {
      if (error instanceof DelegateUnavailable || error instanceof LeaverReturned) {
        try {
          job = await finishJob(deps.table, job, { status: 'failed', failureReason: error.message }, handoverAudits(job, at, error.message), at);
        } catch (finishError) {
          if (!(finishError instanceof StaleWrite)) throw finishError;
          job = (await getJob(deps.table, jobId))!;
        }
        continue;
      }
      if (!(error instanceof StaleWrite)) throw error;
      // Another run of this job advanced (or finished) it: continue from its committed state.
      job = (await getJob(deps.table, jobId))!;
      cursor = undefined;
    }
  }
}

/**
 * What a job takes: a dismissal everything the leaver holds; a reassignment the work that existed
 * when it was asked for (what arrives later stays with its owner, who is still there).
 */
function handsOver(job: Job, item: WorkItem): boolean {
  return job.reason === 'dismissal' || item.updatedAt <= job.createdAt;
}

/** The leaver still holds work the index does not list yet: retried later (the queue redelivers). */
export class HandoverNotSettled extends Error {
  constructor(jobId: string, left: number) {
    super(`job ${jobId}: ${left} open items of the leaver are not yet listed by the index`);
  }
}

const UNLISTED_RECHECKS = 5;
const UNLISTED_RECHECK_MS = 200;

function handoverAudits(job: Job, at: string, failureReason?: string): AuditEntry[] {
  const details = { jobId: job.id, tasks: job.moved.tasks, activities: job.moved.activities, ...(failureReason ? { failureReason } : {}) };
  return [
    { id: newId(), userId: job.fromUserId, actorId: job.actorId, action: failureReason ? 'work.handover_failed' : 'work.handed_over', before: null, after: { ...details, toUserId: job.toUserId }, at },
    { id: newId(), userId: job.toUserId, actorId: job.actorId, action: failureReason ? 'work.handover_failed' : 'work.received', before: null, after: { ...details, fromUserId: job.fromUserId }, at },
  ];
}

/**
 * Hands a user's open work to another active user without dismissing anyone: one transaction
 * records the job, queues it (outbox) and audits the request.
 */
export async function reassignWork(deps: Deps, actorId: string, fromUserId: string, toUserId: string): Promise<Job> {
  const { user } = await loadAsAdmin(deps, actorId, [fromUserId, toUserId]);
  user(fromUserId);
  const delegate = user(toUserId);
  if (fromUserId === toUserId) throw new InvalidState('Work cannot be handed to its current owner');
  if (delegate.status !== 'active') throw new InvalidState(`User ${toUserId} is ${delegate.status}; work goes to active users only`);
  const now = deps.clock();
  const job = newHandoverJob({ reason: 'reassign', fromUserId, toUserId, actorId, now });
  await transactWrite(deps.table, [
    activeAdminGuard(actorId),
    putNewJob(job),
    auditPut({ id: newId(), userId: fromUserId, actorId, action: 'work.reassign_requested', before: null, after: { jobId: job.id, toUserId }, at: now.toISOString() }),
    auditPut({ id: newId(), userId: toUserId, actorId, action: 'work.reassign_requested', before: null, after: { jobId: job.id, fromUserId }, at: now.toISOString() }),
    outboxPut({ type: 'handover', jobId: job.id }, now),
  ]);
  return job;
}

export async function getJobForAdmin(deps: Deps, actorId: string, jobId: string): Promise<Job> {
  await requireAdmin(deps, actorId);
  const job = await getJob(deps.table, jobId);
  if (!job) throw new NotFound('job', jobId);
  return job;
}
