import { changeOf, type Change, type Context } from './change';
import { InvalidState } from './errors';
import { sweptLogin, type User } from './user';

/**
 * Rule 12: accounts dismissed longer than the retention are swept: addresses released, personal
 * data anonymised, the audit trail kept. A swept account stays swept; a legal hold exempts one.
 */

const DAY = 86_400_000;

/** Accounts whose retention started before this instant are due. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * DAY).toISOString();
}

/**
 * Where a dismissed account's retention starts: when the dismissal took effect or, if later, when
 * it was recorded, so a dismissal back-dated by years is not swept at the next run.
 */
export function retentionStart(user: Pick<User, 'dismissedAt' | 'dismissalRecordedAt'>): string | null {
  if (!user.dismissedAt) return null;
  return user.dismissalRecordedAt && user.dismissalRecordedAt > user.dismissedAt ? user.dismissalRecordedAt : user.dismissedAt;
}

/** An anonymised account stays anonymised: nothing may give it personal data or addresses again. */
export function assertNotSwept(user: User, remedy = 'it cannot be changed'): void {
  if (user.sweptAt) throw new InvalidState(`User ${user.id} was anonymised (swept or erased) on ${user.sweptAt}; ${remedy}`);
}

/** Why an account may not be swept now, or undefined when it may. */
export function sweepRefusal(user: User | undefined, cutoff: string): string | undefined {
  const since = user && retentionStart(user);
  if (user?.status !== 'dismissed' || user.sweptAt || !since || since > cutoff) return 'no longer stale (rehired or already swept)';
  if (user.legalHold) return 'legal hold';
  return undefined;
}

/** The anonymised account: no personal fields, no real addresses, nothing HR can match. */
export function anonymised(user: User, at: string): User {
  return {
    ...user,
    loginEmail: sweptLogin(user.id),
    contactEmail: null,
    firstName: 'Former',
    lastName: 'user',
    externalId: null,
    workgroupIds: [],
    sweptAt: at,
  };
}

/** Sweeps one stale account; the audit entry names the changed fields, not their values. */
export function sweep(user: User | undefined, cutoff: string, retentionDays: number, context: Context): Change {
  const refusal = sweepRefusal(user, cutoff);
  if (refusal || !user) throw new InvalidState(refusal ?? 'no such account');
  return anonymise(user, 'user.swept', { retentionDays, dismissedAt: user.dismissedAt }, context);
}

/**
 * Erases one dismissed account now, whatever its retention (a data-subject erasure request): the
 * sweep's change under its own audit action. Refused for a user who is not dismissed and under a
 * legal hold; an account already anonymised stays as it is (undefined: nothing to change).
 */
export function erase(user: User, context: Context): Change | undefined {
  if (user.sweptAt) return undefined;
  if (user.status !== 'dismissed') throw new InvalidState(`User ${user.id} is ${user.status}; only a dismissed account can be erased (dismiss it first)`);
  if (user.legalHold) throw new InvalidState(`User ${user.id} is on legal hold; lift the hold (PUT /users/${user.id}/legal-hold) before erasing`);
  return anonymise(user, 'user.erased', { dismissedAt: user.dismissedAt }, context);
}

function anonymise(user: User, action: 'user.swept' | 'user.erased', details: Record<string, unknown>, context: Context): Change {
  return changeOf(
    context,
    [{ before: user, after: anonymised(user, context.now.toISOString()), action, details, redactAudit: true }],
    [
      { type: 'dropPending', kind: 'invitation', userId: user.id },
      { type: 'dropPending', kind: 'loginChange', userId: user.id },
    ],
  );
}

/** Places or lifts a legal hold (a held account is never swept); undefined when already so. */
export function setLegalHold(user: User, legalHold: boolean, context: Context): Change | undefined {
  assertNotSwept(user);
  if (user.legalHold === legalHold) return undefined;
  return changeOf(context, [{ before: user, after: { ...user, legalHold }, action: legalHold ? 'user.legal_hold_placed' : 'user.legal_hold_lifted' }]);
}
