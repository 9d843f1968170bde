import type { AuditEntry } from '../domain/audit';
import { InvalidState, NotFound } from '../domain/errors';
import type { Job, WorkItem } from '../domain/work';
import { newId } from '../data/ids';
import { commitHandoverChunk, DelegateUnavailable, finishJob, getJob, HANDOVER_CHUNK, putNewJob, WorkItemChanged } from '../data/jobs';
import { StaleWrite, transactWrite } from '../data/transaction';
import { auditPut } from '../data/user-changes';
import { activeAdminGuard } from '../data/users';
import { listWorkByResponsible } from '../data/work';
import type { Deps } from '../runtime';
import { loadAsAdmin, requireAdmin } from './authorize';
import { sendJob } from './send-job';

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

/**
 * Runs (or resumes) a handover job until the leaver has no open work left:
 * 1. read the job; a finished job is returned as it is (queues deliver at least once);
 * 2. list up to one chunk of the leaver's open work on the workByResponsible index;
 * 3. commit the chunk in one transaction (see commitHandoverChunk); items changed by someone else
 *    meanwhile are dropped from the chunk, never overwritten;
 * 4. when nothing is left, complete the job and audit both users with the counts; if the
 *    delegate stopped being active, fail the job with the reason, leaving the rest with the leaver.
 * A crash anywhere loses nothing: progress is committed with each chunk and moved items no longer
 * appear in the leaver's list, so a rerun continues where the last commit ended.
 */
export async function runHandoverJob(deps: Deps, jobId: string, hooks: HandoverHooks = {}): Promise<Job> {
  let job = await getJob(deps.table, jobId);
  if (!job) throw new NotFound('job', jobId);
  for (;;) {
    if (job.status === 'completed' || job.status === 'failed') return job;
    const { items } = await listWorkByResponsible(deps.table, { userId: job.fromUserId, state: 'open', limit: HANDOVER_CHUNK });
    const at = deps.clock().toISOString();
    try {
      if (items.length === 0) return await finishJob(deps.table, job, { status: 'completed', failureReason: null }, handoverAudits(job, at), at);
      await hooks.beforeChunk?.(items);
      let chunk = items;
      for (;;) {
        try {
          job = await commitHandoverChunk(deps.table, job, chunk, at);
          break;
        } catch (error) {
          if (!(error instanceof WorkItemChanged)) throw error;
          chunk = chunk.filter((item) => item.id !== error.workId);
          if (chunk.length === 0) break;
        }
      }
      await hooks.afterChunk?.(job);
    } catch (error) {
      if (error instanceof DelegateUnavailable) {
        return finishJob(deps.table, job, { status: 'failed', failureReason: error.message }, handoverAudits(job, at, error.message), at);
      }
      if (!(error instanceof StaleWrite)) throw error;
      // Another run of this job advanced it: continue from its committed state.
      job = (await getJob(deps.table, jobId))!;
    }
  }
}

function handoverAudits(job: Job, at: string, failureReason?: string): AuditEntry[] {
  const details = { jobId: job.id, tasks: job.moved.tasks, activities: job.moved.activities, ...(failureReason ? { failureReason } : {}) };
  return [
    { id: newId(), userId: job.fromUserId, actorId: job.actorId, action: failureReason ? 'work.handover_failed' : 'work.handed_over', before: null, after: { ...details, toUserId: job.toUserId }, at },
    { id: newId(), userId: job.toUserId, actorId: job.actorId, action: failureReason ? 'work.handover_failed' : 'work.received', before: null, after: { ...details, fromUserId: job.fromUserId }, at },
  ];
}

/**
 * Hands a user's open work to another active user without dismissing anyone: one transaction
 * records the job (and the request in the audit trail), then the job is queued.
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
  ]);
  await sendJob(deps, { type: 'handover', jobId: job.id });
  return job;
}

export async function getJobForAdmin(deps: Deps, actorId: string, jobId: string): Promise<Job> {
  await requireAdmin(deps, actorId);
  const job = await getJob(deps.table, jobId);
  if (!job) throw new NotFound('job', jobId);
  return job;
}
