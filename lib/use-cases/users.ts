import { bootstrapAdmin as bootstrapAdminChange, setAdmin as setAdminChange } from '../domain/admins';
import { changeContactEmail } from '../domain/addresses';
import { erase as eraseChange, setLegalHold as setLegalHoldChange } from '../domain/cleanup';
import { inviteUserSchema, type DismissUserInput, type ListUsersQuery } from '../domain/commands';
import type { Change, Context } from '../domain/change';
import { dismiss, rehire } from '../domain/dismissal';
import { emailSchema } from '../domain/email';
import { EmailInUse } from '../domain/errors';
import { acceptInvitation as acceptInvitationChange, invite } from '../domain/invitation';
import { parseToken } from '../domain/tokens';
import type { User } from '../domain/user';
import { validate } from '../domain/validate';
import type { z } from '../zod';
import { commit } from '../data/commit';
import type { Page } from '../data/pagination';
import { getUserWithPending, matchingHash } from '../data/pending-tokens';
import { getUser, listUsers as queryUsers, seedActiveAdminCount } from '../data/users';
import { indexSearchTermsOnce, searchUsers } from '../data/search';
import { searchQueryTerm } from '../domain/search';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin, retryOnStale } from './steps';

/**
 * Invites a user (lib/domain/invitation.ts).
 * 1. Read the acting admin and the claims of both addresses in one request; a held address is
 *    refused at once, naming its holder (one more read).
 * 2. Commit the invitation: the user, the address and external-id claims (the database refuses a
 *    taken one even if it was taken a moment ago), the named workgroups checked, the pending
 *    invitation and, in the outbox, the request to mail its link.
 */
export async function inviteUser(deps: Deps, actorId: string, request: z.input<typeof inviteUserSchema>): Promise<User> {
  const command = validate(inviteUserSchema, request);
  const addresses = [...new Set([command.loginEmail, ...(command.contactEmail ? [command.contactEmail] : [])])];
  const { claims } = await readAsAdmin(deps, actorId, { addresses });
  for (const address of addresses) {
    const claim = claims.get(address);
    const holder = claim && (await getUser(deps.table, claim.userId));
    if (claim && holder) throw new EmailInUse(address, claim.roles, { id: holder.id, status: holder.status, type: holder.type });
  }
  const [created] = await commit(deps.table, invite(command, contextOf(deps, actorId, 'admin'), deps.settings));
  return created!;
}

/**
 * Accepts an invitation with the mailed token (no bearer: the token is the credential).
 * 1. Read the user and the pending invitation in one request; match the secret in constant time,
 *    bound to the user's login: a link works only while the login is the address it was mailed to.
 * 2. Commit: the user active, the invitation consumed (only if still this link's and unexpired, so
 *    a token works once).
 */
export async function acceptInvitation(deps: Deps, token: string): Promise<User> {
  const parsed = parseToken(token);
  return retryOnStale(async () => {
    const { user, pending } = parsed ? await getUserWithPending(deps.table, parsed.userId, 'invitation') : {};
    const tokenHash = parsed && user && pending ? matchingHash(pending, parsed.secret, user.loginEmail) : undefined;
    const [accepted] = await commit(deps.table, acceptInvitationChange(user, pending, tokenHash, contextOf(deps, null, 'self')));
    return accepted!;
  });
}

export async function getUserById(deps: Deps, actorId: string, id: string): Promise<User> {
  return (await readAsAdmin(deps, actorId, { userIds: [id] })).user(id);
}

export async function listUsers(deps: Deps, actorId: string, query: ListUsersQuery): Promise<Page<User>> {
  await readAsAdmin(deps, actorId);
  if (query.q !== undefined) return searchUsers(deps.table, { ...query, foldedQuery: searchQueryTerm(query.q) });
  return queryUsers(deps.table, query);
}

/**
 * The shape of most admin operations on one user: read the acting admin and the target (and any
 * other users named) in one request, decide, commit guarded by the versions read; if anything
 * changed meanwhile, start over and decide again. An undefined decision changes nothing.
 */
async function changeAsAdmin(
  deps: Deps,
  actorId: string,
  id: string,
  decide: (user: User, context: Context, read: (id: string) => User) => Change | undefined,
  others: string[] = [],
): Promise<User> {
  return retryOnStale(async () => {
    const { user } = await readAsAdmin(deps, actorId, { userIds: [id, ...others] });
    const change = decide(user(id), contextOf(deps, actorId, 'admin'), user);
    if (!change) return user(id);
    const stored = await commit(deps.table, change);
    return stored.find((u) => u.id === id)!;
  });
}

/** Dismisses an active user now or at `effectiveAt` (lib/domain/dismissal.ts); with a delegate, queues the handover. */
export async function dismissUser(deps: Deps, actorId: string, id: string, input: DismissUserInput): Promise<User> {
  const delegateId = input.delegateId;
  return changeAsAdmin(
    deps,
    actorId,
    id,
    (user, context, read) => dismiss(user, { delegate: delegateId ? read(delegateId) : undefined, effectiveAt: input.effectiveAt }, context),
    delegateId ? [delegateId] : [],
  );
}

/** Rehires a dismissed user with the same addresses; for an active user, cancels a scheduled dismissal. */
export async function rehireUser(deps: Deps, actorId: string, id: string): Promise<User> {
  return changeAsAdmin(deps, actorId, id, (user, context) => rehire(user, context));
}

/** Changes or clears a contact email (rule 5); the old address is freed in the same write. */
export async function setContactEmail(deps: Deps, actorId: string, id: string, requested: string | null): Promise<User> {
  const email = requested === null ? null : validate(emailSchema, requested, 'email');
  return changeAsAdmin(deps, actorId, id, (user, context) => changeContactEmail(user, email, context));
}

/** Grants or revokes admin rights; the commit refuses a revoke that leaves no active admin. */
export async function setAdmin(deps: Deps, actorId: string, id: string, isAdmin: boolean): Promise<User> {
  return changeAsAdmin(deps, actorId, id, (user, context) => setAdminChange(user, isAdmin, context));
}

/** Places or lifts a legal hold (exempts a dismissed account from cleanup). */
export async function setLegalHold(deps: Deps, actorId: string, id: string, legalHold: boolean): Promise<User> {
  return changeAsAdmin(deps, actorId, id, (user, context) => setLegalHoldChange(user, legalHold, context));
}

/** Erases one dismissed account now (rule 12); the sweep's change, audited as an erasure. */
export async function eraseUser(deps: Deps, actorId: string, id: string): Promise<User> {
  return changeAsAdmin(deps, actorId, id, (user, context) => eraseChange(user, context));
}

/**
 * Creates the first admin if the address is free (start-up of a new directory). Idempotent: if
 * the address is already held, the holder is returned untouched. A directory that predates the
 * active-admin counter gets it first.
 */
export async function bootstrapAdmin(deps: Deps, requested: string): Promise<{ user: User; created: boolean }> {
  const email = validate(emailSchema, requested, 'email');
  await seedActiveAdminCount(deps.table);
  await indexSearchTermsOnce(deps.table);
  try {
    const [created] = await commit(deps.table, bootstrapAdminChange(email, contextOf(deps, null, 'bootstrap')));
    return { user: created!, created: true };
  } catch (error) {
    if (!(error instanceof EmailInUse)) throw error;
    const holder = await getUser(deps.table, error.holder.id);
    if (!holder?.isAdmin || holder.status !== 'active' || holder.loginEmail !== email) {
      throw new Error(`${email} belongs to user ${error.holder.id}, who is not an active admin signing in with it; choose another BOOTSTRAP_ADMIN_EMAIL`);
    }
    return { user: holder, created: false };
  }
}
