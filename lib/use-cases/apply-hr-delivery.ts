import { isNoChange } from '../domain/change';
import { normalizeEmail } from '../domain/email';
import { DomainError, InvalidRequest, NotFound } from '../domain/errors';
import { decideHrEvent, noteHrEvent } from '../domain/hr-events';
import type { User } from '../domain/user';
import { getEmailClaim, getExternalIdHolder } from '../data/claims';
import { EventAlreadySettled, listDeliveryEvents, settleEvent, settleEventAlone, type DeliveryEvent } from '../data/deliveries';
import { commit } from '../data/commit';
import { getUser } from '../data/users';
import { logger } from '../logger';
import type { Deps } from '../runtime';
import type { HrEvent } from '../domain/hr-events';
import { contextOf, retryOnStale } from './steps';

/** Applies every still-`received` event of a delivery (the queue worker's entry point). */
export async function applyHrDelivery(deps: Deps, provider: string, deliveryId: string): Promise<void> {
  for (const event of await listDeliveryEvents(deps.table, provider, deliveryId)) {
    if (event.status === 'received') await applyEvent(deps, event);
  }
}

/**
 * Applies one event exactly once: the change to the employee (decided by lib/domain/hr-events.ts,
 * the same rules as an admin's request) and the event's move from `received` to `applied` are one
 * transaction, so a second worker (or a redelivery) finds it settled and does nothing. What cannot
 * be applied (unknown employee, a state that forbids it, a taken address, the last admin) is kept
 * as `failed` with the reason and code, for admins to see and re-drive; transient errors are
 * thrown for the queue to retry.
 */
async function applyEvent(deps: Deps, row: DeliveryEvent): Promise<void> {
  const settle = (status: 'ignored' | 'failed', reason: string, code: string | null = null) =>
    settleEventAlone(deps.table, row, { status, reason, code }, deps.clock().toISOString());
  try {
    await retryOnStale(async () => {
      const event = row.event!;
      const context = { ...contextOf(deps, null, `hr:${row.provider}`), deliveryId: row.deliveryId };
      const at = context.now.toISOString();
      const user = await findEmployee(deps, event.employee);
      if (!user) throw new NotFound('employee', describeEmployee(event));
      const delegate = event.type === 'employee.terminated' && event.delegateEmail ? await findByEmail(deps, event.delegateEmail) : undefined;
      const decided = decideHrEvent(user, event, delegate, context);
      if (isNoChange(decided)) {
        if ('stale' in decided) return settle('ignored', decided.noChange);
        await commit(deps.table, noteHrEvent(user, event, decided.noChange, context), [settleEvent(row, { status: 'ignored', reason: decided.noChange }, at)]);
        return;
      }
      const outcome = decided.problem
        ? { status: 'failed' as const, reason: decided.problem.reason, code: decided.problem.code }
        : { status: 'applied' as const };
      await commit(deps.table, decided, [settleEvent(row, outcome, at)]);
    });
  } catch (error) {
    if (error instanceof EventAlreadySettled) return;
    if (error instanceof DomainError && error.status < 500) {
      logger.warn('hr event failed', { provider: row.provider, deliveryId: row.deliveryId, index: row.index, code: error.code });
      // Fields the domain names are the event's `data` fields.
      return settle('failed', (error instanceof InvalidRequest ? error.within('data') : error).message, error.code);
    }
    throw error;
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
  return (
    [event.employee.externalId && `externalId ${event.employee.externalId}`, event.employee.email && `email ${event.employee.email}`]
      .filter(Boolean)
      .join(' / ') || '(no identifier)'
  );
}
