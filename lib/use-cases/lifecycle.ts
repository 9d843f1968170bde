import { InvalidRequest, InvalidState } from '../domain/errors';
import { blankUserFields, tombstoneLogin, type User } from '../domain/user';
import { newId } from '../data/ids';
import { discardPending } from '../data/pending-tokens';
import { workgroupGuard } from '../data/workgroups';
import { workgroupFieldErrors } from './workgroups';
import type { Job } from '../domain/work';
import { putNewJob } from '../data/jobs';
import type { TxOp } from '../data/transaction';
import { commitUserChanges, type UserChange } from '../data/user-changes';
import type { Deps } from '../runtime';
import { newHandoverJob } from './handover';
import { outboxPut } from '../data/outbox';

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
    // Dismissal ends admin rights (rule 10): a rehire does not bring them back.
    isAdmin: false,
    dismissedAt: effectiveAt ? new Date(effectiveAt).toISOString() : now.toISOString(),
    dismissalRecordedAt: now.toISOString(),
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
  if (user.sweptAt) throw new InvalidState(`User ${user.id} was anonymised by cleanup on ${user.sweptAt}; invite them again instead`);
  if (user.loginEmail === tombstoneLogin(user.id)) {
    throw new InvalidState(`User ${user.id} moved to extranet account ${user.movedToUserId ?? 'unknown'} with their login; give this profile a login first`);
  }
  // Admin rights ended with the dismissal; someone grants them again if wanted (rule 10).
  const after: User = { ...user, status: 'active', isAdmin: false, dismissedAt: null, dismissalRecordedAt: null, delegateId: null, handoverJobId: null };
  return { changes: [{ before: user, after, action: 'user.rehired', details }], extraOps: [] };
}

/** Commits a plan in one transaction, its handover job queued in the same transaction (outbox). */
export async function commitPlan(deps: Deps, plan: Plan, options: { actorId: string | null; asAdmin: boolean; at: Date; extraOps?: TxOp[] }): Promise<User[]> {
  const users = await commitUserChanges(deps.table, {
    actorId: options.actorId,
    asAdmin: options.asAdmin,
    at: options.at,
    changes: plan.changes,
    extraOps: [...plan.extraOps, ...(options.extraOps ?? []), ...(plan.job ? [outboxPut({ type: 'handover', jobId: plan.job.id }, options.at)] : [])],
  });
  return users;
}

/**
 * Moves a leaving employee to extranet (rule 8): dismiss the employee and create an active
 * extranet account in the given extranet workgroups (each checked in the transaction), linked
 * both ways. With no `loginEmail` (or their own), the login moves to the new account and the
 * profile gets a non-routable tombstone login; naming their contact address takes it off the
 * profile; any other address is claimed by the new account.
 */
export function planMoveToExtranet(employee: User, request: { workgroupIds: string[]; loginEmail?: string | undefined; now: Date; source: string; details?: Record<string, unknown> }): Plan {
  if (employee.type !== 'employee') throw new InvalidState(`User ${employee.id} is already an extranet user`);
  if (employee.status !== 'active') throw new InvalidState(`User ${employee.id} is ${employee.status}; only active employees can be moved to extranet`);
  const workgroupIds = [...new Set(request.workgroupIds)];
  if (workgroupIds.length === 0) throw new InvalidRequest([{ path: 'body.workgroupIds', message: 'name at least one extranet workgroup' }]);
  const now = request.now.toISOString();
  const extranetId = newId();
  const keepLogin = request.loginEmail === undefined || request.loginEmail === employee.loginEmail;
  const newLogin = keepLogin ? employee.loginEmail : request.loginEmail!;
  const contactMovesToo = employee.contactEmail === newLogin;
  const extranetUser: User = {
    ...blankUserFields,
    id: extranetId,
    type: 'extranet',
    status: 'active',
    loginEmail: newLogin,
    contactEmail: keepLogin && contactMovesToo ? newLogin : null,
    firstName: employee.firstName,
    lastName: employee.lastName,
    workgroupIds,
    movedFromUserId: employee.id,
    createdAt: now,
    updatedAt: now,
  };
  const dismissed: User = {
    ...employee,
    status: 'dismissed',
    isAdmin: false,
    dismissedAt: now,
    dismissalRecordedAt: now,
    movedToUserId: extranetId,
    scheduledDismissal: null,
    ...(keepLogin ? { loginEmail: tombstoneLogin(employee.id) } : {}),
    ...(contactMovesToo ? { contactEmail: null } : {}),
  };
  const details = { source: request.source, ...request.details };
  return {
    changes: [
      { before: employee, after: dismissed, action: 'user.moved_to_extranet', details: { ...details, extranetUserId: extranetId, loginMoved: keepLogin } },
      { before: null, after: extranetUser, action: 'user.created_from_employee', details: { ...details, employeeId: employee.id } },
    ],
    extraOps: [
      ...workgroupIds.map((workgroupId, i) => workgroupGuard(workgroupId, true, workgroupFieldErrors(`body.workgroupIds.${i}`))),
      // A login change requested before the move must not later give the profile a login back.
      discardPending('loginChange', employee.id),
    ],
  };
}

/** Changes or clears a contact email (rule 5); undefined when it is already that. */
export function planContactEmail(user: User, email: string | null, details: Record<string, unknown> = {}): Plan | undefined {
  if (user.contactEmail === email) return undefined;
  return { changes: [{ before: user, after: { ...user, contactEmail: email }, action: 'user.contact_email_changed', details }], extraOps: [] };
}
