import type { z } from '../zod';
import { moveToExtranetSchema, transferEmailSchema, type MoveToExtranetInput, type TransferEmailInput } from '../domain/commands';
import { emailSchema } from '../domain/email';
import { EmailInUse, InvalidRequest, InvalidState, NotFound, TokenInvalid } from '../domain/errors';
import { parseToken } from '../domain/tokens';
import { rolesOf, type User } from '../domain/user';
import { validate } from '../domain/validate';
import { getEmailClaim } from '../data/claims';
import { newId } from '../data/ids';
import { batchGetItems, itemId } from '../data/items';
import { keys } from '../data/keys';
import { consumePending, discardPending, getUserWithPending, matchingHash, putPending } from '../data/pending-tokens';
import { transactWrite } from '../data/transaction';
import { auditPut } from '../data/audit';
import { commitUserChanges } from '../data/user-changes';
import { activeAdminGuard, getUser, itemToUser } from '../data/users';
import type { Deps } from '../runtime';
import { assertAdmin, loadAsAdmin } from './authorize';
import { retryOnStale } from './retry';
import { commitPlan, planMoveToExtranet } from './lifecycle';
import { assertNotSwept } from './change-user';
import { outboxPut } from '../data/outbox';

const HOUR = 3_600_000;

export type PendingLoginChange = { userId: string; email: string; status: 'pending'; expiresAt: string };

/**
 * Requests a login-email change (rule 6). Nothing about the account changes yet.
 * 1. Read the admin, the user and the new address's claim in one request.
 * 2. Refuse now if someone else holds the address (the confirmation re-checks, atomically).
 * 3. One transaction stores the user's one pending change (a new request replaces it, and its link
 *    stops working), audits, and asks the mail worker (outbox) to mail a link to the NEW address,
 *    proving it is a live mailbox the person controls. The worker issues the token.
 */
export async function requestLoginEmailChange(deps: Deps, actorId: string, id: string, requested: string): Promise<PendingLoginChange> {
  const email = validate(emailSchema, requested, 'body.email');
  const items = await batchGetItems(deps.table, [keys.user(actorId), keys.user(id), keys.emailClaim(email)]);
  const read = (key: { pk: string; sk: string }) => items.get(itemId(key));
  const actorItem = read(keys.user(actorId));
  assertAdmin(actorItem ? itemToUser(actorItem) : undefined);
  const userItem = read(keys.user(id));
  if (!userItem) throw new NotFound('user', id);
  const user = itemToUser(userItem);
  assertNotSwept(user);
  if (user.loginEmail === email) throw new InvalidState(`${email} is already the login email of user ${id}`);
  const claim = read(keys.emailClaim(email));
  if (claim && claim.userId !== id) {
    const holder = await getUser(deps.table, String(claim.userId));
    if (holder) throw new EmailInUse(email, claim.roles as ('login' | 'contact')[], { id: holder.id, status: holder.status, type: holder.type });
  }
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + deps.settings.loginChangeTtlHours * HOUR).toISOString();
  const requestId = newId();
  await transactWrite(deps.table, [
    ...(actorId === id ? [] : [activeAdminGuard(actorId)]),
    putPending({ kind: 'loginChange', userId: id, requestId, expiresAt, newEmail: email }),
    outboxPut({ type: 'mail', kind: 'loginChange', userId: id, requestId }, now),
    auditPut({ id: newId(), userId: id, actorId, action: 'user.login_email_change_requested', before: null, after: { pendingLoginEmail: email, expiresAt }, at: now.toISOString() }),
  ]);
  return { userId: id, email, status: 'pending', expiresAt };
}

/**
 * Confirms a login-email change with the token mailed to the new address.
 * 1. Read the user and the pending change in one request; check the secret in constant time.
 * 2. One transaction claims the new address (409 if someone took it meanwhile: nothing changes),
 *    releases the old login, updates the user, consumes the token and audits.
 */
export async function confirmLoginEmailChange(deps: Deps, token: string): Promise<User> {
  const parsed = parseToken(token);
  if (!parsed) throw new TokenInvalid();
  return retryOnStale(async () => {
    const now = deps.clock();
    const { user, pending } = await getUserWithPending(deps.table, parsed.userId, 'loginChange');
    const tokenHash = pending && matchingHash(pending, parsed.secret);
    if (!user || !pending?.newEmail || !tokenHash) throw new TokenInvalid();
    if (pending.expiresAt <= now.toISOString()) throw new TokenInvalid();
    if (user.sweptAt) throw new TokenInvalid();
    const [changed] = await commitUserChanges(deps.table, {
      actorId: user.id,
      at: now,
      changes: [{ before: user, after: { ...user, loginEmail: pending.newEmail }, action: 'user.login_email_changed' }],
      extraOps: [consumePending(pending, tokenHash, now)],
    });
    return changed!;
  });
}

/**
 * Transfers an address from a dismissed user to another user in ONE transaction (rule 7),
 * replacing the seeds' temporary-address dance.
 * 1. Find the holder from the address's claim; read the admin, the holder and the recipient.
 * 2. Refuse unless the holder is dismissed and the recipient is not. If the address is the
 *    holder's login, the request must name a replacement login for them; if it is their contact
 *    address, it is cleared.
 * 3. Commit both users, every affected claim (moved, replacement claimed, the recipient's old
 *    address released) and both audit entries at once; re-decide if either user changed meanwhile,
 *    so a transfer racing a rehire of the holder never lets both happen.
 */
export async function transferEmail(deps: Deps, actorId: string, requestedEmail: string, request: z.input<typeof transferEmailSchema>): Promise<{ from: User; to: User }> {
  const email = validate(emailSchema, requestedEmail, 'path.email');
  const input: TransferEmailInput = validate(transferEmailSchema, request, 'body');
  return retryOnStale(async () => {
    const claim = await getEmailClaim(deps.table, email);
    const { user } = await loadAsAdmin(deps, actorId, [input.toUserId, ...(claim ? [claim.userId] : [])]);
    if (!claim) throw new InvalidState(`${email} is free; there is nothing to transfer. Assign it directly instead`);
    const holder = user(claim.userId);
    const recipient = user(input.toUserId);
    if (holder.id === recipient.id) throw new InvalidState(`User ${holder.id} already holds ${email}`);
    if (holder.status !== 'dismissed') {
      throw new InvalidState(`${email} belongs to ${holder.status} user ${holder.id}; only a dismissed user's address can be transferred`);
    }
    if (recipient.status === 'dismissed') throw new InvalidState(`User ${recipient.id} is dismissed; transfer the address to a current user`);
    const roles = rolesOf(holder, email);
    const holderAfter: User = { ...holder };
    if (roles.includes('login')) {
      if (!input.replacementLoginEmail) {
        throw new InvalidRequest([{ path: 'body.replacementLoginEmail', message: `required: ${email} is the login of dismissed user ${holder.id}, who needs another` }]);
      }
      if (input.replacementLoginEmail === email) throw new InvalidRequest([{ path: 'body.replacementLoginEmail', message: 'must differ from the transferred address' }]);
      holderAfter.loginEmail = input.replacementLoginEmail;
    } else if (input.replacementLoginEmail) {
      throw new InvalidRequest([{ path: 'body.replacementLoginEmail', message: `${email} is not the holder's login; leave this out` }]);
    }
    if (roles.includes('contact')) holderAfter.contactEmail = null;
    const recipientAfter: User = input.as === 'login' ? { ...recipient, loginEmail: email } : { ...recipient, contactEmail: email };
    const now = deps.clock();
    const [from, to] = await commitUserChanges(deps.table, {
      actorId,
      asAdmin: true,
      at: now,
      changes: [
        { before: holder, after: holderAfter, action: 'email.transferred_out', details: { email, toUserId: recipient.id } },
        { before: recipient, after: recipientAfter, action: 'email.transferred_in', details: { email, fromUserId: holder.id, as: input.as } },
      ],
      // The holder's login was decided here; an older pending change must not override it.
      ...(roles.includes('login') ? { extraOps: [discardPending('loginChange', holder.id)] } : {}),
    });
    return { from: from!, to: to! };
  });
}

/**
 * Moves a leaving employee to extranet (rule 8), in ONE transaction:
 * 1. read the admin and the employee; refuse unless an active employee;
 * 2. dismiss the employee and create an active extranet account in the given extranet workgroups
 *    (each checked in the transaction), linking the two profiles both ways;
 * 3. with no `loginEmail`, the employee's login moves to the new account (its claim changes holder
 *    in the same write; the dismissed profile gets a non-routable tombstone login, never a
 *    temporary real address); with one, the new account claims it and the profile keeps its own.
 */
export async function moveToExtranet(deps: Deps, actorId: string, id: string, request: z.input<typeof moveToExtranetSchema>): Promise<{ dismissed: User; extranetUser: User }> {
  const input: MoveToExtranetInput = validate(moveToExtranetSchema, request, 'body');
  return retryOnStale(async () => {
    const { actor, user } = await loadAsAdmin(deps, actorId, [id]);
    const employee = user(id);
    if (employee.id === actor.id) throw new InvalidState('You cannot move yourself to extranet; ask another admin');
    const now = deps.clock();
    const plan = planMoveToExtranet(employee, { workgroupIds: input.workgroupIds, loginEmail: input.loginEmail, now, source: 'admin' });
    const [dismissed, extranetUser] = await commitPlan(deps, plan, { actorId, asAdmin: true, at: now });
    return { dismissed: dismissed!, extranetUser: extranetUser! };
  });
}
