import { confirmLoginChange, requestLoginChange, transfer } from '../domain/addresses';
import { moveToExtranetSchema, transferEmailSchema } from '../domain/commands';
import { emailSchema } from '../domain/email';
import { InvalidState } from '../domain/errors';
import { moveToExtranet as moveToExtranetChange } from '../domain/extranet';
import { parseToken } from '../domain/tokens';
import type { User } from '../domain/user';
import { validate } from '../domain/validate';
import type { z } from '../zod';
import { commit } from '../data/commit';
import { getUserWithPending, matchingHash } from '../data/pending-tokens';
import { getUser } from '../data/users';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin, retryOnStale } from './steps';

export type PendingLoginChange = { userId: string; email: string; status: 'pending'; expiresAt: string };

/**
 * Requests a login-email change (rule 6, lib/domain/addresses.ts). Nothing about the account
 * changes yet.
 * 1. Read the admin, the user and the new address's claim in one request (and its holder, to name
 *    them, when someone else holds it: refused now, re-checked atomically at confirmation).
 * 2. Commit the user's one pending change (replacing an earlier one, whose link stops working),
 *    its audit entry and the outbox request to mail a link to the NEW address.
 */
export async function requestLoginEmailChange(deps: Deps, actorId: string, id: string, requested: string): Promise<PendingLoginChange> {
  const email = validate(emailSchema, requested, 'email');
  const { user, claims } = await readAsAdmin(deps, actorId, { userIds: [id], addresses: [email] });
  const target = user(id);
  const claim = claims.get(email);
  const holder = claim && claim.userId !== id ? await getUser(deps.table, claim.userId) : undefined;
  const { change, expiresAt } = requestLoginChange(
    target,
    email,
    holder && claim ? { holder, roles: claim.roles } : undefined,
    contextOf(deps, actorId, 'admin'),
    deps.settings,
  );
  await commit(deps.table, change);
  return { userId: id, email, status: 'pending', expiresAt };
}

/**
 * Confirms a login-email change with the token mailed to the new address.
 * 1. Read the user and the pending change in one request; match the secret in constant time.
 * 2. Commit: the new address claimed (409 if someone took it meanwhile: nothing changes), the old
 *    login released, the token consumed.
 */
export async function confirmLoginEmailChange(deps: Deps, token: string): Promise<User> {
  const parsed = parseToken(token);
  return retryOnStale(async () => {
    const { user, pending } = parsed ? await getUserWithPending(deps.table, parsed.userId, 'loginChange') : {};
    const tokenHash = parsed && pending ? matchingHash(pending, parsed.secret) : undefined;
    const [changed] = await commit(deps.table, confirmLoginChange(user, pending, tokenHash, contextOf(deps, null, 'self')));
    return changed!;
  });
}

/**
 * Transfers an address from a dismissed user to another user in ONE transaction (rule 7).
 * 1. Read the admin, the recipient and the address's claim; then the holder it names.
 * 2. Decide (lib/domain/addresses.ts) and commit both users, every affected claim and both audit
 *    entries at once; re-decide if either user changed meanwhile, so a transfer racing a rehire of
 *    the holder never lets both happen.
 */
export async function transferEmail(
  deps: Deps,
  actorId: string,
  requestedEmail: string,
  request: z.input<typeof transferEmailSchema>,
): Promise<{ from: User; to: User }> {
  const email = validate(emailSchema, requestedEmail, 'email');
  const command = validate(transferEmailSchema, request);
  return retryOnStale(async () => {
    const { user, claims } = await readAsAdmin(deps, actorId, { userIds: [command.toUserId], addresses: [email] });
    const recipient = user(command.toUserId);
    const claim = claims.get(email);
    if (!claim) throw new InvalidState(`${email} is free; there is nothing to transfer. Assign it directly instead`);
    const holder = claim.userId === recipient.id ? recipient : await getUser(deps.table, claim.userId);
    if (!holder) throw new InvalidState(`${email} changed hands meanwhile; try again`);
    const [from, to] = await commit(deps.table, transfer(holder, recipient, email, command, contextOf(deps, actorId, 'admin')));
    return { from: from!, to: to! };
  });
}

/**
 * Moves a leaving employee to extranet (rule 8, lib/domain/extranet.ts) in ONE transaction: the
 * employee dismissed, the extranet account created in the named extranet workgroups (each checked
 * as it commits), the login moved or a new one claimed.
 */
export async function moveToExtranet(
  deps: Deps,
  actorId: string,
  id: string,
  request: z.input<typeof moveToExtranetSchema>,
): Promise<{ dismissed: User; extranetUser: User }> {
  const command = validate(moveToExtranetSchema, request);
  return retryOnStale(async () => {
    const { user } = await readAsAdmin(deps, actorId, { userIds: [id] });
    const [dismissed, extranetUser] = await commit(deps.table, moveToExtranetChange(user(id), command, contextOf(deps, actorId, 'admin')));
    return { dismissed: dismissed!, extranetUser: extranetUser! };
  });
}
