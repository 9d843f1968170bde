import { handoverOutcome, handsOver, reassign } from '../domain/dismissal';
import { NotFound } from '../domain/errors';
import type { Job } from '../domain/work';
import { commit } from '../data/commit';
import { newId } from '../data/ids';
import { commitHandoverChunk, DelegateUnavailable, finishJob, getJob, HANDOVER_CHUNK, LeaverReturned, WorkItemChanged } from '../data/jobs';
import { ConditionsFailed, StaleWrite } from '../data/transaction';
import { getOpenWorkCount, listWorkByResponsible } from '../data/work';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin } from './steps';

export type RunOptions = { shouldYield?: () => boolean };

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
  const { shouldYield } = options;
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
        job = await finishJob(deps.table, job, { status: 'completed', failureReason: null }, handoverOutcome(job, at, newId), at);
        continue;
      }
      let chunk = candidates;
      while (chunk.length > 0) {
        try {
          job = await commitHandoverChunk(deps.table, job, chunk, at);
          for (const item of chunk) skip.add(item.id);
          cursor = undefined;
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
          job = await finishJob(deps.table, job, { status: 'failed', failureReason: error.message }, handoverOutcome(job, at, newId, error.message), at);
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

/** The leaver still holds work the index does not list yet: retried later (the queue redelivers). */
export class HandoverNotSettled extends Error {
  constructor(jobId: string, left: number) {
    super(`job ${jobId}: ${left} open items of the leaver are not yet listed by the index`);
  }
}

const UNLISTED_RECHECKS = 5;
const UNLISTED_RECHECK_MS = 200;

/**
 * Hands a user's open work to another active user without dismissing anyone: one transaction
 * records the job, queues it (outbox) and audits the request.
 */
export async function reassignWork(deps: Deps, actorId: string, fromUserId: string, toUserId: string): Promise<Job> {
  const { user } = await readAsAdmin(deps, actorId, { userIds: [fromUserId, toUserId] });
  const change = reassign(user(fromUserId), user(toUserId), contextOf(deps, actorId, 'admin'));
  await commit(deps.table, change);
  return change.effects.flatMap((effect) => (effect.type === 'handover' ? [effect.job] : []))[0]!;
}

export async function getJobForAdmin(deps: Deps, actorId: string, jobId: string): Promise<Job> {
  await readAsAdmin(deps, actorId);
  const job = await getJob(deps.table, jobId);
  if (!job) throw new NotFound('job', jobId);
  return job;
}
