import { inviteUserSchema, type DismissUserInput, type InviteUserInput, type ListUsersQuery } from '../domain/commands';
import { emailSchema } from '../domain/email';
import { validate } from '../domain/validate';
import type { z } from '../zod';
import { EmailInUse, InvalidRequest, InvalidState, TokenInvalid } from '../domain/errors';
import { parseToken } from '../domain/tokens';
import { blankUserFields, type User } from '../domain/user';
import type { Page } from '../data/pagination';
import { newId } from '../data/ids';
import { consumePending, getUserWithPending, matchingHash, putPending } from '../data/pending-tokens';
import { commitUserChanges } from '../data/user-changes';
import { getUser, listUsers as queryUsers, seedActiveAdminCount } from '../data/users';
import { workgroupGuard } from '../data/workgroups';
import { workgroupFieldErrors } from './workgroups';
import type { Deps } from '../runtime';
import { loadAsAdmin, requireAdmin } from './authorize';
import { changeUser } from './change-user';
import { retryOnStale } from './retry';
import { outboxPut } from '../data/outbox';
import { commitPlan, planDismissal, planRehire } from './lifecycle';
import { withLegalHold } from './cleanup';

const HOUR = 3_600_000;

/**
 * Invites a user.
 * 1. The actor must be an admin.
 * 2. One transaction creates the user (invited), claims the login and contact addresses and the
 *    external id (refused with 409 if anyone holds them), checks every named workgroup exists
 *    (and is an extranet one for extranet users, who must name at least one), stores the pending
 *    invitation, writes the audit entry and, in the outbox, the request to mail it.
 * 3. The mail worker then issues the token and mails the link to the login address
 *    (lib/use-cases/mail.ts), so a mail outage neither fails the invitation nor loses its mail.
 */
export async function inviteUser(deps: Deps, actorId: string, request: z.input<typeof inviteUserSchema>): Promise<User> {
  const input: InviteUserInput = validate(inviteUserSchema, request, 'body');
  await requireAdmin(deps, actorId);
  const workgroupIds = [...new Set(input.workgroupIds ?? [])];
  if (input.type === 'extranet' && workgroupIds.length === 0) {
    throw new InvalidRequest([{ path: 'body.workgroupIds', message: 'an extranet user must be invited into at least one extranet workgroup' }]);
  }
  const now = deps.clock();
  const user: User = {
    ...blankUserFields,
    id: newId(),
    type: input.type,
    status: 'invited',
    loginEmail: input.loginEmail,
    contactEmail: input.contactEmail ?? null,
    firstName: input.firstName,
    lastName: input.lastName,
    workgroupIds,
    externalId: input.externalId ?? null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const expiresAt = new Date(now.getTime() + deps.settings.invitationTtlHours * HOUR).toISOString();
  const requestId = newId();
  const [created] = await commitUserChanges(deps.table, {
    actorId,
    asAdmin: true,
    at: now,
    changes: [{ before: null, after: user, action: 'user.invited' }],
    extraOps: [
      putPending({ kind: 'invitation', userId: user.id, requestId, expiresAt }),
      outboxPut({ type: 'mail', kind: 'invitation', userId: user.id, requestId }, now),
      ...workgroupIds.map((id, i) => workgroupGuard(id, user.type === 'extranet', workgroupFieldErrors(`body.workgroupIds.${i}`))),
    ],
  });
  return created!;
}

/**
 * Accepts an invitation with the mailed token (no bearer: the token is the credential).
 * 1. Read the user and the pending invitation in one request; check the secret in constant time,
 *    bound to the user's login: a link works only while the login is the address it was mailed to.
 * 2. One transaction activates the user, consumes the invitation (only if still this token's and
 *    unexpired, so a token works once) and audits.
 */
export async function acceptInvitation(deps: Deps, token: string): Promise<User> {
  const parsed = parseToken(token);
  if (!parsed) throw new TokenInvalid();
  return retryOnStale(async () => {
    const now = deps.clock();
    const { user, pending: invitation } = await getUserWithPending(deps.table, parsed.userId, 'invitation');
    // Bound to the address it was mailed to: after a login change the old mail's link is void.
    const tokenHash = invitation && user && matchingHash(invitation, parsed.secret, user.loginEmail);
    if (!user || !invitation || !tokenHash || user.status !== 'invited') throw new TokenInvalid();
    if (invitation.expiresAt <= now.toISOString()) throw new TokenInvalid();
    const [accepted] = await commitUserChanges(deps.table, {
      actorId: user.id,
      at: now,
      changes: [{ before: user, after: { ...user, status: 'active' }, action: 'invitation.accepted' }],
      extraOps: [consumePending(invitation, tokenHash, now)],
    });
    return accepted!;
  });
}

export async function getUserById(deps: Deps, actorId: string, id: string): Promise<User> {
  const { user } = await loadAsAdmin(deps, actorId, [id]);
  return user(id);
}

export async function listUsers(deps: Deps, actorId: string, query: ListUsersQuery): Promise<Page<User>> {
  await requireAdmin(deps, actorId);
  return queryUsers(deps.table, query);
}

/**
 * Dismisses an active user: they can no longer sign in but keep both addresses (rule 2).
 * 1. Load actor, user and delegate in one read; refuse self-dismissal.
 * 2. Decide (planDismissal): dismiss now, or schedule for a future `effectiveAt`.
 * 3. One transaction writes the user (guarded by version), the audit entry and, with a delegate,
 *    the handover job, which is then queued; it runs in chunks, visible at GET /jobs/{id}.
 */
export async function dismissUser(deps: Deps, actorId: string, id: string, input: DismissUserInput): Promise<User> {
  return retryOnStale(async () => {
    const { actor, user } = await loadAsAdmin(deps, actorId, [id, ...(input.delegateId ? [input.delegateId] : [])]);
    const target = user(id);
    if (target.id === actor.id) throw new InvalidState('You cannot dismiss yourself; ask another admin');
    const now = deps.clock();
    const plan = planDismissal(target, { delegate: input.delegateId ? user(input.delegateId) : undefined, effectiveAt: input.effectiveAt, now, actorId, source: 'admin' });
    const [dismissed] = await commitPlan(deps, plan, { actorId, asAdmin: true, at: now });
    return dismissed!;
  });
}

/**
 * Rehires a dismissed user with the same addresses, which they never stopped holding; for an
 * active user with a scheduled dismissal, cancels it.
 */
export async function rehireUser(deps: Deps, actorId: string, id: string): Promise<User> {
  return retryOnStale(async () => {
    const { user } = await loadAsAdmin(deps, actorId, [id]);
    const now = deps.clock();
    const [rehired] = await commitPlan(deps, planRehire(user(id)), { actorId, asAdmin: true, at: now });
    return rehired!;
  });
}

/**
 * Changes or clears a contact email (rule 5), in any status: this is how an admin frees a
 * dismissed user's contact address. The new address is claimed and the old one released in the
 * same transaction; an address the user also uses as login stays claimed as login.
 */
export async function setContactEmail(deps: Deps, actorId: string, id: string, requested: string | null): Promise<User> {
  const email = requested === null ? null : validate(emailSchema, requested, 'body.email');
  return changeUser(deps, actorId, id, (user) =>
    user.contactEmail === email ? undefined : { before: user, after: { ...user, contactEmail: email }, action: 'user.contact_email_changed' },
  );
}

/**
 * Grants or revokes admin rights. Admins cannot revoke themselves; the commit refuses a revoke
 * that would leave no active admin (409 last_admin).
 */
export async function setAdmin(deps: Deps, actorId: string, id: string, isAdmin: boolean): Promise<User> {
  return changeUser(deps, actorId, id, (user, { actor }) => {
    if (user.isAdmin === isAdmin) return undefined;
    if (!isAdmin && user.id === actor.id) throw new InvalidState('You cannot revoke your own admin rights; ask another admin');
    if (isAdmin && user.status !== 'active') throw new InvalidState(`User ${id} is ${user.status}; only active users can become admins`);
    return { before: user, after: { ...user, isAdmin }, action: isAdmin ? 'user.admin_granted' : 'user.admin_revoked' };
  });
}

/** Places or lifts a legal hold (exempts a dismissed account from cleanup). */
export async function setLegalHold(deps: Deps, actorId: string, id: string, legalHold: boolean): Promise<User> {
  return changeUser(deps, actorId, id, (user) => withLegalHold(user, legalHold));
}

/**
 * Creates the first admin if the address is free (start-up of a new directory). Idempotent: if
 * the address is already held, the holder is returned untouched.
 */
export async function bootstrapAdmin(deps: Deps, requested: string): Promise<{ user: User; created: boolean }> {
  const email = validate(emailSchema, requested, 'email');
  const now = deps.clock();
  const admin: User = {
    ...blankUserFields,
    id: newId(),
    type: 'employee',
    status: 'active',
    loginEmail: email,
    firstName: 'Directory',
    lastName: 'Admin',
    isAdmin: true,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await seedActiveAdminCount(deps.table);
  try {
    const [created] = await commitUserChanges(deps.table, { actorId: null, at: now, changes: [{ before: null, after: admin, action: 'user.bootstrapped_admin' }] });
    return { user: created!, created: true };
  } catch (error) {
    if (!(error instanceof EmailInUse)) throw error;
    const holder = await getUser(deps.table, error.holder.id);
    if (!holder || !holder.isAdmin || holder.status !== 'active' || holder.loginEmail !== email) {
      throw new Error(`${email} belongs to user ${error.holder.id}, who is not an active admin signing in with it; choose another BOOTSTRAP_ADMIN_EMAIL`);
    }
    return { user: holder, created: false };
  }
}
