import { noteRecord, type AuditRecord } from './audit';
import { changeOf, type Change, type Context } from './change';
import { InvalidRequest, InvalidState } from './errors';
import { assertNotMovedAway } from './extranet';
import { assertNotSwept } from './cleanup';
import type { User } from './user';
import type { Job, WorkItem } from './work';

/**
 * Rule 9: dismissal, its handover, and rehire.
 *
 * A dismissal ends sign-in now, or at a future `effectiveAt` (then it is scheduled, and the
 * schedule carries it out when due). The leaver keeps both addresses (rule 2) and loses admin
 * rights (rule 10). With an active delegate, a handover job moves ALL the leaver's open work to
 * them: no work can reach a dismissed user, so nothing created during the dismissal stays behind.
 */
export type DismissalCommand = { delegate?: User | undefined; effectiveAt?: string | undefined; details?: Record<string, unknown> };

export function dismiss(target: User, command: DismissalCommand, context: Context): Change {
  if (context.actorId === target.id) throw new InvalidState('You cannot dismiss yourself; ask another admin');
  if (target.status !== 'active') throw new InvalidState(`User ${target.id} is ${target.status}; only active users can be dismissed`);
  const { delegate, effectiveAt } = command;
  if (delegate) {
    if (delegate.id === target.id) throw new InvalidState('A user cannot be their own delegate');
    if (delegate.status !== 'active') throw new InvalidState(`Delegate ${delegate.id} is ${delegate.status}; a delegate must be active`);
  }
  if (effectiveAt && Date.parse(effectiveAt) < Date.parse(target.createdAt)) {
    throw new InvalidRequest([{ path: 'effectiveAt', message: `must not be before the user was created (${target.createdAt})` }]);
  }
  const now = context.now;
  const details = { source: context.source, ...command.details };
  if (effectiveAt && Date.parse(effectiveAt) > now.getTime()) {
    const scheduledDismissal = {
      effectiveAt: new Date(effectiveAt).toISOString(),
      delegateId: delegate?.id ?? null,
      requestedBy: context.actorId,
      source: context.source,
    };
    return changeOf(context, [{ before: target, after: { ...target, scheduledDismissal }, action: 'user.dismissal_scheduled', details }]);
  }
  const job = delegate
    ? newHandoverJob({ reason: 'dismissal', fromUserId: target.id, toUserId: delegate.id, actorId: context.actorId ?? context.source }, context)
    : undefined;
  const after: User = {
    ...target,
    status: 'dismissed',
    // Dismissal ends admin rights (rule 10): a rehire does not bring them back.
    isAdmin: false,
    dismissedAt: effectiveAt ? new Date(effectiveAt).toISOString() : now.toISOString(),
    dismissalRecordedAt: now.toISOString(),
    handoverJobId: job?.id ?? null,
    scheduledDismissal: null,
  };
  return changeOf(context, [{ before: target, after, action: 'user.dismissed', details }], job ? [{ type: 'handover', job }] : []);
}

/**
 * A scheduled dismissal whose time has come, carried out by the schedule: with the delegate named
 * when it was scheduled if they are still active (otherwise without a handover, noted). Undefined
 * when nothing is due any more (a rehire cancelled it, or it moved later).
 */
export function dueDismissal(user: User | undefined, delegate: User | undefined, context: Context): Change | undefined {
  const schedule = user?.scheduledDismissal;
  if (!user || !schedule || user.status !== 'active' || schedule.effectiveAt > context.now.toISOString()) return undefined;
  const delegateActive = delegate?.status === 'active' && delegate.id !== user.id;
  return dismiss(
    user,
    {
      delegate: delegateActive ? delegate : undefined,
      effectiveAt: schedule.effectiveAt,
      details: { scheduledBy: schedule.source, ...(schedule.delegateId && !delegateActive ? { delegateSkipped: `${schedule.delegateId} is not active` } : {}) },
    },
    { ...context, actorId: schedule.requestedBy },
  );
}

/**
 * Rehires a dismissed user with the same addresses (they never stopped holding them), not as an
 * admin; for an active user with a scheduled dismissal, cancels it.
 */
export function rehire(user: User, context: Context, details: Record<string, unknown> = {}): Change {
  if (user.status === 'active' && user.scheduledDismissal) {
    return changeOf(context, [{ before: user, after: { ...user, scheduledDismissal: null }, action: 'user.dismissal_cancelled', details }]);
  }
  if (user.status !== 'dismissed') throw new InvalidState(`User ${user.id} is ${user.status}; only dismissed users can be rehired`);
  assertNotSwept(user, 'invite them again instead');
  assertNotMovedAway(user);
  const after: User = { ...user, status: 'active', isAdmin: false, dismissedAt: null, dismissalRecordedAt: null, handoverJobId: null };
  return changeOf(context, [{ before: user, after, action: 'user.rehired', details }]);
}

/** A handover job, pending until the jobs worker runs it. */
export function newHandoverJob(input: Pick<Job, 'reason' | 'fromUserId' | 'toUserId' | 'actorId'>, context: Pick<Context, 'now' | 'newId'>): Job {
  const at = context.now.toISOString();
  return {
    id: context.newId(),
    type: 'handover',
    ...input,
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

/**
 * Hands a user's open work to another active user without dismissing anyone: the job takes the
 * work that existed when it was asked for; what arrives later stays with its owner.
 */
export function reassign(from: User, to: User, context: Context): Change {
  if (from.id === to.id) throw new InvalidState('Work cannot be handed to its current owner');
  if (to.status !== 'active') throw new InvalidState(`User ${to.id} is ${to.status}; work goes to active users only`);
  const job = newHandoverJob({ reason: 'reassign', fromUserId: from.id, toUserId: to.id, actorId: context.actorId ?? context.source }, context);
  return changeOf(
    context,
    [],
    [
      { type: 'handover', job },
      { type: 'note', subject: { kind: 'user', id: from.id }, action: 'work.reassign_requested', details: { jobId: job.id, toUserId: to.id } },
      { type: 'note', subject: { kind: 'user', id: to.id }, action: 'work.reassign_requested', details: { jobId: job.id, fromUserId: from.id } },
    ],
  );
}

/** What a job takes: a dismissal everything the leaver holds, a reassignment what existed when asked. */
export function handsOver(job: Pick<Job, 'reason' | 'createdAt'>, item: Pick<WorkItem, 'updatedAt'>): boolean {
  return job.reason === 'dismissal' || item.updatedAt <= job.createdAt;
}

/** The audit entries of a finished handover, on both users, with what moved (and why it stopped). */
export function handoverOutcome(job: Job, at: string, newId: () => string, failureReason?: string): AuditRecord[] {
  const details = { jobId: job.id, tasks: job.moved.tasks, activities: job.moved.activities, ...(failureReason ? { failureReason } : {}) };
  return [
    noteRecord(
      newId(),
      { kind: 'user', id: job.fromUserId },
      job.actorId,
      failureReason ? 'work.handover_failed' : 'work.handed_over',
      { ...details, toUserId: job.toUserId },
      at,
    ),
    noteRecord(
      newId(),
      { kind: 'user', id: job.toUserId },
      job.actorId,
      failureReason ? 'work.handover_failed' : 'work.received',
      { ...details, fromUserId: job.fromUserId },
      at,
    ),
  ];
}
