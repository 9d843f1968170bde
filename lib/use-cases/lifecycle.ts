import { InvalidRequest, InvalidState } from '../domain/errors';
import { tombstoneLogin, type User } from '../domain/user';
import type { Job } from '../domain/work';
import { putNewJob } from '../data/jobs';
import type { TxOp } from '../data/transaction';
import { commitUserChanges, type UserChange } from '../data/user-changes';
import type { Deps } from '../runtime';
import { newHandoverJob } from './handover';
import { sendJob } from './send-job';

/**
 * Lifecycle decisions shared by every trigger (admins over HTTP, HR webhooks, the schedule):
 * pure functions from the current state to a change, so the rules live in one place.
 */
export type Plan = { changes: UserChange[]; extraOps: TxOp[]; job?: Job | undefined };

export type DismissalRequest = {
  delegate?: User | undefined;
  effectiveAt?: string | undefined;
  now: Date;
  actorId: string | null;
  /** Who asked: `admin`, `hr:<provider>` or `schedule`; recorded in the audit entry. */
  source: string;
  details?: Record<string, unknown>;
};

/**
 * Dismisses an active user now, or schedules it when `effectiveAt` is in the future (rule 9).
 * A dismissal with a delegate records the handover job in the same transaction.
 */
export function planDismissal(target: User, request: DismissalRequest): Plan {
  if (target.status !== 'active') throw new InvalidState(`User ${target.id} is ${target.status}; only active users can be dismissed`);
  const { delegate, effectiveAt, now } = request;
  if (delegate) {
    if (delegate.id === target.id) throw new InvalidState('A user cannot be their own delegate');
    if (delegate.status !== 'active') throw new InvalidState(`Delegate ${delegate.id} is ${delegate.status}; a delegate must be active`);
  }
  if (effectiveAt && Date.parse(effectiveAt) < Date.parse(target.createdAt)) {
    throw new InvalidRequest([{ path: 'body.effectiveAt', message: `must not be before the user was created (${target.createdAt})` }]);
  }
  const details = { source: request.source, ...request.details };
  if (effectiveAt && Date.parse(effectiveAt) > now.getTime()) {
    const scheduled = { effectiveAt: new Date(effectiveAt).toISOString(), delegateId: delegate?.id ?? null, requestedBy: request.actorId, source: request.source };
    return { changes: [{ before: target, after: { ...target, scheduledDismissal: scheduled }, action: 'user.dismissal_scheduled', details }], extraOps: [] };
  }
  const job = delegate ? newHandoverJob({ reason: 'dismissal', fromUserId: target.id, toUserId: delegate.id, actorId: request.actorId ?? request.source, now }) : undefined;
  const after: User = {
    ...target,
    status: 'dismissed',
    dismissedAt: effectiveAt ? new Date(effectiveAt).toISOString() : now.toISOString(),
    delegateId: delegate?.id ?? null,
    handoverJobId: job?.id ?? null,
    scheduledDismissal: null,
  };
  return { changes: [{ before: target, after, action: 'user.dismissed', details }], extraOps: job ? [putNewJob(job)] : [], job };
}

/**
 * Rehires a dismissed user with the same addresses; for an active user with a scheduled
 * dismissal, cancels it.
 */
export function planRehire(user: User, details: Record<string, unknown> = {}): Plan {
  if (user.status === 'active' && user.scheduledDismissal) {
    return { changes: [{ before: user, after: { ...user, scheduledDismissal: null }, action: 'user.dismissal_cancelled', details }], extraOps: [] };
  }
  if (user.status !== 'dismissed') throw new InvalidState(`User ${user.id} is ${user.status}; only dismissed users can be rehired`);
  if (user.loginEmail === tombstoneLogin(user.id)) {
    throw new InvalidState(`User ${user.id} moved to extranet account ${user.movedToUserId ?? 'unknown'} with their login; give this profile a login first`);
  }
  const after: User = { ...user, status: 'active', dismissedAt: null, delegateId: null, handoverJobId: null };
  return { changes: [{ before: user, after, action: 'user.rehired', details }], extraOps: [] };
}

/** Commits a plan (one transaction), then queues its job if it has one. */
export async function commitPlan(deps: Deps, plan: Plan, options: { actorId: string | null; asAdmin: boolean; at: Date; extraOps?: TxOp[] }): Promise<User[]> {
  const users = await commitUserChanges(deps.table, {
    actorId: options.actorId,
    asAdmin: options.asAdmin,
    at: options.at,
    changes: plan.changes,
    extraOps: [...plan.extraOps, ...(options.extraOps ?? [])],
  });
  if (plan.job) await sendJob(deps, plan.job.id);
  return users;
}
