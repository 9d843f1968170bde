import { normalizedEmailOrProblem, normalizeEmail } from '../domain/email';
import { DomainError, InvalidRequest, InvalidState, NotFound } from '../domain/errors';
import type { User } from '../domain/user';
import { getEmailClaim, getExternalIdHolder } from '../data/claims';
import { EventAlreadySettled, listDeliveryEvents, settleEvent, type DeliveryEvent } from '../data/deliveries';
import { commitUserChanges } from '../data/user-changes';
import { transactWrite } from '../data/transaction';
import { getUser } from '../data/users';
import { logger } from '../logger';
import type { Deps } from '../runtime';
import type { HrEvent } from '../webhooks/events';
import { commitPlan, planContactEmail, planDismissal, planMoveToExtranet, planRehire, type Plan } from './lifecycle';
import { retryOnStale } from './retry';

/** Applies every still-`received` event of a delivery (the queue worker's entry point). */
export async function applyHrDelivery(deps: Deps, provider: string, deliveryId: string): Promise<void> {
  for (const event of await listDeliveryEvents(deps.table, provider, deliveryId)) {
    if (event.status === 'received') await applyEvent(deps, event);
  }
}

/**
 * Applies one event exactly once: the change to the employee and the event's move from
 * `received` to `applied` are one transaction, so a second worker (or a redelivery) finds it
 * settled and does nothing. Events older than the newest one applied to the employee are
 * ignored, so out-of-order deliveries never resurrect a stale state. What cannot be applied
 * (unknown employee, a state that forbids it, a taken address) is kept as `failed` with the
 * reason, for admins to see and re-drive; transient errors are thrown for the queue to retry.
 */
async function applyEvent(deps: Deps, row: DeliveryEvent): Promise<void> {
  const settle = async (status: 'ignored' | 'failed', reason: string, code: string | null = null) => {
    try {
      await transactWrite(deps.table, [settleEvent(row, { status, reason, code }, deps.clock().toISOString())]);
    } catch (error) {
      if (!(error instanceof EventAlreadySettled)) throw error;
    }
  };
  try {
    await retryOnStale(async () => {
      const event = row.event!;
      const now = deps.clock();
      const at = now.toISOString();
      const user = await findEmployee(deps, event.employee);
      if (!user) throw new NotFound('employee', describeEmployee(event));
      const last = user.lastHrEventAt;
      if (last && (event.occurredAt < last || (event.occurredAt === last && user.lastHrDeliveryId !== row.deliveryId))) {
        return settle('ignored', `stale: an HR event from ${last} was already applied to user ${user.id}`);
      }
      const stamp = (u: User): User => ({ ...u, lastHrEventAt: event.occurredAt, lastHrDeliveryId: row.deliveryId });
      const details = { source: `hr:${row.provider}`, deliveryId: row.deliveryId };
      const decided = await decide(deps, user, event, now, details);
      if ('noChange' in decided) {
        // Nothing to change, but the event is news: remember its time, so an older event arriving
        // later cannot undo the state it confirmed.
        await commitUserChanges(deps.table, {
          actorId: null,
          at: now,
          changes: [{ before: user, after: stamp(user), action: 'user.hr_event_noted', details: { ...details, eventType: event.type, outcome: decided.noChange } }],
          extraOps: [settleEvent(row, { status: 'ignored', reason: decided.noChange }, at)],
        });
        return;
      }
      // Every user the event touches (e.g. the extranet account a conversion creates) remembers it.
      const plan: Plan = { ...decided.plan, changes: decided.plan.changes.map((change) => ({ ...change, after: stamp(change.after) })) };
      const outcome = decided.problem ? { status: 'failed' as const, reason: decided.problem.reason, code: decided.problem.code } : { status: 'applied' as const };
      await commitPlan(deps, plan, { actorId: null, asAdmin: false, at: now, extraOps: [settleEvent(row, outcome, at)] });
    });
  } catch (error) {
    if (error instanceof EventAlreadySettled) return;
    if (error instanceof DomainError && error.status < 500) {
      logger.warn('hr event failed', { provider: row.provider, deliveryId: row.deliveryId, index: row.index, code: error.code });
      return settle('failed', error.message, error.code);
    }
    throw error;
  }
}

type Decision = { plan: Plan; problem?: { reason: string; code: string } } | { noChange: string };

/**
 * The change an event asks for, or why it changes nothing. A dismissal whose delegate cannot be
 * used still happens (access must end on time) but is reported as failed, so the missing
 * handover is seen and done by hand.
 */
async function decide(deps: Deps, user: User, event: HrEvent, now: Date, details: Record<string, unknown>): Promise<Decision> {
  switch (event.type) {
    case 'employee.terminated': {
      if (user.status === 'dismissed') return { noChange: `user ${user.id} is already dismissed` };
      const delegate = event.delegateEmail ? await findByEmail(deps, event.delegateEmail) : undefined;
      const usable = delegate && delegate.status === 'active' && delegate.id !== user.id ? delegate : undefined;
      const plan = planDismissal(user, { delegate: usable, effectiveAt: event.effectiveAt, now, actorId: null, source: String(details.source), details });
      if (event.delegateEmail && !usable) {
        return {
          plan,
          problem: { code: 'delegate_invalid', reason: `dismissed without a handover: ${event.delegateEmail} is not an active user; hand the work over with POST /users/${user.id}/reassign` },
        };
      }
      return { plan };
    }
    case 'employee.rehired':
      if (user.status === 'active' && !user.scheduledDismissal) return { noChange: `user ${user.id} is already active` };
      return { plan: planRehire(user, details) };
    case 'employee.contractor_converted':
      if (!event.workgroupIds?.length) throw new InvalidRequest([{ path: 'data.workgroupIds', message: 'a contractor conversion names the extranet workgroups' }]);
      return { plan: planMoveToExtranet(user, { workgroupIds: event.workgroupIds, now, source: String(details.source), details }) };
    case 'employee.email_changed': {
      if (event.contactEmail === undefined) throw new InvalidRequest([{ path: 'data.contactEmail', message: 'an email change names the new contact email (or null)' }]);
      const email = event.contactEmail === null ? null : contactEmailOf(event.contactEmail);
      if (user.status === 'dismissed') throw new InvalidState(`User ${user.id} is dismissed; HR email changes apply to current employees`);
      const plan = planContactEmail(user, email, details);
      return plan ? { plan } : { noChange: `user ${user.id} already has that contact email` };
    }
  }
}

/**
 * The employee is found by the HR system's id, else by address (login or contact). When the
 * event names an id that belongs to no one, the address only identifies a user who could be that
 * employee: one without an id of their own, not swept, and not an account created by a move to
 * extranet (an address can outlive its first holder; an old event must not hit the new one).
 */
async function findEmployee(deps: Deps, employee: HrEvent['employee']): Promise<User | undefined> {
  const byExternalId = employee.externalId ? await getExternalIdHolder(deps.table, employee.externalId) : undefined;
  if (byExternalId) return getUser(deps.table, byExternalId);
  const byEmail = employee.email ? await findByEmail(deps, employee.email) : undefined;
  if (!byEmail || !employee.externalId) return byEmail;
  return byEmail.externalId === null && byEmail.movedFromUserId === null && byEmail.sweptAt === null ? byEmail : undefined;
}

async function findByEmail(deps: Deps, email: string): Promise<User | undefined> {
  const claim = await getEmailClaim(deps.table, normalizeEmail(email));
  return claim ? getUser(deps.table, claim.userId) : undefined;
}

function describeEmployee(event: HrEvent): string {
  return [event.employee.externalId && `externalId ${event.employee.externalId}`, event.employee.email && `email ${event.employee.email}`].filter(Boolean).join(' / ') || '(no identifier)';
}

function contactEmailOf(raw: string): string {
  const checked = normalizedEmailOrProblem(raw);
  if ('problem' in checked) throw new InvalidRequest([{ path: 'data.contactEmail', message: checked.problem }]);
  return checked.email;
}
