import { emailSchema, normalizeEmail } from '../domain/email';
import { DomainError, InvalidRequest, InvalidState, NotFound } from '../domain/errors';
import type { User } from '../domain/user';
import { validate } from '../domain/validate';
import { getEmailClaim, getExternalIdHolder } from '../data/claims';
import {
  DuplicateDelivery, EventAlreadySettled, listDeliveryEvents, listEventsByStatus, recordDelivery, reopenFailedEvents, settleEvent,
  type DeliveryEvent, type DeliveryStatus,
} from '../data/deliveries';
import type { Page } from '../data/pagination';
import { transactWrite } from '../data/transaction';
import { getUser } from '../data/users';
import { logger } from '../logger';
import type { Deps } from '../runtime';
import type { HrEvent } from '../webhooks/events';
import { providers } from '../webhooks/providers';
import { requireAdmin } from './authorize';
import { commitPlan, planContactEmail, planDismissal, planMoveToExtranet, planRehire, type Plan } from './lifecycle';
import { retryOnStale } from './retry';
import { sendJob } from './send-job';

export type Receipt = { deliveryId: string; events: number; duplicate: boolean };

/**
 * Receives an HR webhook (no bearer; the signature is the credential):
 * 1. verify the signature over the raw body with the provider's secret, before parsing anything
 *    (401 with no detail on failure; an unknown or unconfigured provider is 404);
 * 2. durably record the delivery and its events in one transaction; a replay of the same delivery
 *    id is acknowledged and not recorded again;
 * 3. queue it for the worker and acknowledge (202). Applying happens asynchronously.
 */
export async function receiveHrWebhook(deps: Deps, provider: string, rawBody: string, headers: Record<string, string | undefined>): Promise<Receipt> {
  const adapter = providers[provider];
  const secret = adapter ? await deps.webhookSecrets.get(provider) : undefined;
  if (!adapter || !secret) throw new NotFound('webhook provider', provider);
  const now = deps.clock();
  const delivery = adapter.receive({ rawBody, headers, secret, now });
  try {
    const events = await recordDelivery(deps.table, provider, delivery.deliveryId, delivery.entries, now.toISOString());
    logger.info('hr delivery recorded', { provider, deliveryId: delivery.deliveryId, events: events.length });
    if (events.some((e) => e.status === 'received')) await sendJob(deps, { type: 'hrDelivery', provider, deliveryId: delivery.deliveryId });
    return { deliveryId: delivery.deliveryId, events: events.length, duplicate: false };
  } catch (error) {
    if (!(error instanceof DuplicateDelivery)) throw error;
    logger.info('hr delivery replay acknowledged', { provider, deliveryId: delivery.deliveryId });
    return { deliveryId: delivery.deliveryId, events: 0, duplicate: true };
  }
}

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
      const user = await findEmployee(deps, event.employee);
      if (!user) throw new NotFound('employee', describeEmployee(event));
      if (user.lastHrEventAt && event.occurredAt < user.lastHrEventAt) {
        return settle('ignored', `stale: an HR event from ${user.lastHrEventAt} was already applied to user ${user.id}`);
      }
      const details = { source: `hr:${row.provider}`, deliveryId: row.deliveryId };
      const decided = await decide(deps, user, event, now, details);
      if (typeof decided === 'string') return settle('ignored', decided);
      // The employee's record remembers the newest event applied, for out-of-order detection.
      const [employeeChange, ...rest] = decided.changes;
      const plan: Plan = { ...decided, changes: [{ ...employeeChange!, after: { ...employeeChange!.after, lastHrEventAt: event.occurredAt } }, ...rest] };
      await commitPlan(deps, plan, { actorId: null, asAdmin: false, at: now, extraOps: [settleEvent(row, { status: 'applied' }, now.toISOString())] });
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

/** The change an event asks for, or why it changes nothing. */
async function decide(deps: Deps, user: User, event: HrEvent, now: Date, details: Record<string, unknown>): Promise<Plan | string> {
  switch (event.type) {
    case 'employee.terminated': {
      if (user.status === 'dismissed') return `user ${user.id} is already dismissed`;
      const delegate = event.delegateEmail ? await findByEmail(deps, event.delegateEmail) : undefined;
      const usable = delegate && delegate.status === 'active' && delegate.id !== user.id ? delegate : undefined;
      const note = event.delegateEmail && !usable ? { delegateSkipped: `${event.delegateEmail} is not an active user` } : {};
      return planDismissal(user, { delegate: usable, effectiveAt: event.effectiveAt, now, actorId: null, source: String(details.source), details: { ...details, ...note } });
    }
    case 'employee.rehired':
      if (user.status === 'active' && !user.scheduledDismissal) return `user ${user.id} is already active`;
      return planRehire(user, details);
    case 'employee.contractor_converted':
      if (!event.workgroupIds?.length) throw new InvalidRequest([{ path: 'data.workgroupIds', message: 'a contractor conversion names the extranet workgroups' }]);
      return planMoveToExtranet(user, { workgroupIds: event.workgroupIds, now, source: String(details.source), details });
    case 'employee.email_changed': {
      if (event.contactEmail === undefined) throw new InvalidRequest([{ path: 'data.contactEmail', message: 'an email change names the new contact email (or null)' }]);
      const email = event.contactEmail === null ? null : validate(emailSchema, event.contactEmail, 'data.contactEmail');
      if (user.status === 'dismissed') throw new InvalidState(`User ${user.id} is dismissed; HR email changes apply to current employees`);
      return planContactEmail(user, email, details) ?? `user ${user.id} already has that contact email`;
    }
  }
}

/** The employee is found by the HR system's id, else by address (login or contact). */
async function findEmployee(deps: Deps, employee: HrEvent['employee']): Promise<User | undefined> {
  const byExternalId = employee.externalId ? await getExternalIdHolder(deps.table, employee.externalId) : undefined;
  if (byExternalId) return getUser(deps.table, byExternalId);
  return employee.email ? findByEmail(deps, employee.email) : undefined;
}

async function findByEmail(deps: Deps, email: string): Promise<User | undefined> {
  const claim = await getEmailClaim(deps.table, normalizeEmail(email));
  return claim ? getUser(deps.table, claim.userId) : undefined;
}

function describeEmployee(event: HrEvent): string {
  return [event.employee.externalId && `externalId ${event.employee.externalId}`, event.employee.email && `email ${event.employee.email}`].filter(Boolean).join(' / ') || '(no identifier)';
}

export async function listDeliveries(deps: Deps, actorId: string, status: DeliveryStatus, limit: number, cursor?: string): Promise<Page<DeliveryEvent>> {
  await requireAdmin(deps, actorId);
  return listEventsByStatus(deps.table, status, limit, cursor);
}

/** Puts a delivery's failed events back to `received` and queues it again (after fixing the cause). */
export async function redriveDelivery(deps: Deps, actorId: string, provider: string, deliveryId: string): Promise<{ redriven: number }> {
  await requireAdmin(deps, actorId);
  const redriven = await reopenFailedEvents(deps.table, provider, deliveryId);
  if (redriven === 0) {
    const events = await listDeliveryEvents(deps.table, provider, deliveryId);
    if (events.length === 0) throw new NotFound('delivery', `${provider}/${deliveryId}`);
    throw new InvalidState(`Delivery ${provider}/${deliveryId} has no failed events`);
  }
  await sendJob(deps, { type: 'hrDelivery', provider, deliveryId });
  return { redriven };
}
