import { changeContactEmail } from './addresses';
import { changeOf, isNoChange, type Change, type Context, type NoChange } from './change';
import { dismiss, rehire } from './dismissal';
import { normalizedEmailOrProblem } from './email';
import { InvalidRequest, InvalidState } from './errors';
import { moveToExtranet } from './extranet';
import type { User } from './user';

/**
 * The internal HR events every provider's payloads map onto (docs/contract.md "HR webhooks").
 * `occurredAt` orders events per employee: an older event arriving late is not applied.
 */
export const hrEventTypes = ['employee.terminated', 'employee.rehired', 'employee.contractor_converted', 'employee.email_changed'] as const;
export type HrEventType = (typeof hrEventTypes)[number];

export type HrEvent = {
  type: HrEventType;
  occurredAt: string;
  employee: { externalId?: string | undefined; email?: string | undefined };
  effectiveAt?: string | undefined;
  delegateEmail?: string | undefined;
  workgroupIds?: string[] | undefined;
  contactEmail?: string | null | undefined;
};

/** One entry of a verified delivery: an event to apply, or a payload entry we keep as ignored with a reason. */
export type ParsedEntry = { event: HrEvent; sourceType: string } | { ignored: string; sourceType: string };

/**
 * What an HR event asks of the directory, decided by the same rules as an admin's request. An
 * event older than the newest one applied to the employee changes nothing (out-of-order
 * deliveries never resurrect a stale state); every user an event touches remembers it.
 */
export type HrDecision = (Change | (NoChange & { stale?: true })) & { problem?: { reason: string; code: string } };

export type HrEventContext = Context & { deliveryId: string };

export function decideHrEvent(user: User, event: HrEvent, delegate: User | undefined, context: HrEventContext): HrDecision {
  const last = user.lastHrEventAt;
  if (last && (event.occurredAt < last || (event.occurredAt === last && user.lastHrDeliveryId !== context.deliveryId))) {
    return { noChange: `stale: an HR event from ${last} was already applied to user ${user.id}`, stale: true };
  }
  const details = { source: context.source, deliveryId: context.deliveryId };
  const decided = decideFresh(user, event, delegate, context, details);
  const stamp = (u: User): User => ({ ...u, lastHrEventAt: event.occurredAt, lastHrDeliveryId: context.deliveryId });
  if (isNoChange(decided)) return decided;
  return { ...decided, users: decided.users.map((change) => ({ ...change, after: stamp(change.after) })) };
}

/**
 * An event that changes nothing is still news: remembering its time means an older event arriving
 * later cannot undo the state it confirmed.
 */
export function noteHrEvent(user: User, event: HrEvent, outcome: string, context: HrEventContext): Change {
  const after = { ...user, lastHrEventAt: event.occurredAt, lastHrDeliveryId: context.deliveryId };
  return changeOf(context, [
    { before: user, after, action: 'user.hr_event_noted', details: { source: context.source, deliveryId: context.deliveryId, eventType: event.type, outcome } },
  ]);
}

function decideFresh(user: User, event: HrEvent, delegate: User | undefined, context: Context, details: Record<string, unknown>): HrDecision {
  switch (event.type) {
    case 'employee.terminated': {
      if (user.status === 'dismissed') return { noChange: `user ${user.id} is already dismissed` };
      // A dismissal whose delegate cannot be used still happens (access must end on time) but is
      // reported as failed, so the missing handover is seen and done by hand.
      const usable = delegate && delegate.status === 'active' && delegate.id !== user.id ? delegate : undefined;
      const change = dismiss(user, { delegate: usable, effectiveAt: event.effectiveAt, details }, context);
      if (event.delegateEmail && !usable) {
        return {
          ...change,
          problem: {
            code: 'delegate_invalid',
            reason: `dismissed without a handover: ${event.delegateEmail} is not an active user; hand the work over with POST /users/${user.id}/reassign`,
          },
        };
      }
      return change;
    }
    case 'employee.rehired':
      if (user.status === 'active' && !user.scheduledDismissal) return { noChange: `user ${user.id} is already active` };
      return rehire(user, context, details);
    case 'employee.contractor_converted':
      if (!event.workgroupIds?.length) throw new InvalidRequest([{ path: 'workgroupIds', message: 'a contractor conversion names the extranet workgroups' }]);
      return moveToExtranet(user, { workgroupIds: event.workgroupIds, details: { deliveryId: details.deliveryId } }, context);
    case 'employee.email_changed': {
      if (event.contactEmail === undefined)
        throw new InvalidRequest([{ path: 'contactEmail', message: 'an email change names the new contact email (or null)' }]);
      const email = event.contactEmail === null ? null : contactEmailOf(event.contactEmail);
      if (user.status === 'dismissed') throw new InvalidState(`User ${user.id} is dismissed; HR email changes apply to current employees`);
      return changeContactEmail(user, email, context, details) ?? { noChange: `user ${user.id} already has that contact email` };
    }
  }
}

function contactEmailOf(raw: string): string {
  const checked = normalizedEmailOrProblem(raw);
  if ('problem' in checked) throw new InvalidRequest([{ path: 'contactEmail', message: checked.problem }]);
  return checked.email;
}
