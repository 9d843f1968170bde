import type { TransferEmailInput } from './commands';
import { changeOf, type Change, type Context } from './change';
import { assertNotSwept } from './cleanup';
import { EmailInUse, InvalidRequest, InvalidState, TokenInvalid, type EmailRole } from './errors';
import { rolesOf, type User } from './user';

/**
 * Rules 5, 6 and 7: the contact email, the confirmed login change and the one-call transfer.
 * Who may hold an address is rule 2, enforced by the commit (one claim per address).
 */

const HOUR = 3_600_000;

/**
 * Changes or clears a contact email (rule 5), in any status: this is how an admin frees a
 * dismissed user's contact address. The commit claims the new address and releases the old one in
 * the same write. Undefined when it already is that address.
 */
export function changeContactEmail(user: User, email: string | null, context: Context, details?: Record<string, unknown>): Change | undefined {
  assertNotSwept(user);
  if (user.contactEmail === email) return undefined;
  return changeOf(context, [{ before: user, after: { ...user, contactEmail: email }, action: 'user.contact_email_changed', ...(details ? { details } : {}) }]);
}

/** Who holds an address right now, as read (the commit re-checks it atomically). */
export type Holding = { holder: Pick<User, 'id' | 'status' | 'type'>; roles: EmailRole[] };

/**
 * Requests a login-email change (rule 6): nothing about the account changes yet; the user's one
 * pending change (a new request replaces it) waits for the link mailed to the NEW address, which
 * proves it is a live mailbox. A taken address is refused now and again at confirmation.
 */
export function requestLoginChange(
  user: User,
  email: string,
  heldBy: Holding | undefined,
  context: Context,
  settings: { loginChangeTtlHours: number },
): { change: Change; expiresAt: string } {
  assertNotSwept(user);
  if (user.loginEmail === email) throw new InvalidState(`${email} is already the login email of user ${user.id}`);
  if (heldBy && heldBy.holder.id !== user.id) {
    const { id, status, type } = heldBy.holder;
    throw new EmailInUse(email, heldBy.roles, { id, status, type });
  }
  const expiresAt = new Date(context.now.getTime() + settings.loginChangeTtlHours * HOUR).toISOString();
  const requestId = context.newId();
  const change = changeOf(
    context,
    [],
    [
      { type: 'storePending', pending: { kind: 'loginChange', userId: user.id, requestId, expiresAt, newEmail: email } },
      { type: 'mailLink', kind: 'loginChange', userId: user.id, requestId },
      { type: 'note', subject: { kind: 'user', id: user.id }, action: 'user.login_email_change_requested', details: { pendingLoginEmail: email, expiresAt } },
    ],
  );
  return { change, expiresAt };
}

/** Confirms a login change with the mailed link: the login switches, the old address is freed. */
export function confirmLoginChange(
  user: User | undefined,
  pending: { newEmail?: string | undefined; expiresAt: string } | undefined,
  tokenHash: string | undefined,
  context: Context,
): Change {
  if (!user || !pending?.newEmail || !tokenHash) throw new TokenInvalid();
  if (pending.expiresAt <= context.now.toISOString() || user.sweptAt) throw new TokenInvalid();
  return changeOf(
    { ...context, actorId: user.id },
    [{ before: user, after: { ...user, loginEmail: pending.newEmail }, action: 'user.login_email_changed' }],
    [{ type: 'consumePending', kind: 'loginChange', userId: user.id, tokenHash }],
  );
}

/**
 * Transfers an address from a dismissed user to another user in ONE change (rule 7), replacing
 * the seeds' temporary-address dance: if it is the holder's login, the command names their
 * replacement login; if it is their contact address, it is cleared. An older pending login change
 * of the holder must not override the login decided here.
 */
export function transfer(
  holder: User,
  recipient: User,
  email: string,
  command: Pick<TransferEmailInput, 'as' | 'replacementLoginEmail'>,
  context: Context,
): Change {
  if (holder.id === recipient.id) throw new InvalidState(`User ${holder.id} already holds ${email}`);
  if (holder.status !== 'dismissed')
    throw new InvalidState(`${email} belongs to ${holder.status} user ${holder.id}; only a dismissed user's address can be transferred`);
  if (recipient.status === 'dismissed') throw new InvalidState(`User ${recipient.id} is dismissed; transfer the address to a current user`);
  const roles = rolesOf(holder, email);
  const holderAfter: User = { ...holder };
  if (roles.includes('login')) {
    if (!command.replacementLoginEmail) {
      throw new InvalidRequest([
        { path: 'replacementLoginEmail', message: `required: ${email} is the login of dismissed user ${holder.id}, who needs another` },
      ]);
    }
    if (command.replacementLoginEmail === email)
      throw new InvalidRequest([{ path: 'replacementLoginEmail', message: 'must differ from the transferred address' }]);
    holderAfter.loginEmail = command.replacementLoginEmail;
  } else if (command.replacementLoginEmail) {
    throw new InvalidRequest([{ path: 'replacementLoginEmail', message: `${email} is not the holder's login; leave this out` }]);
  }
  if (roles.includes('contact')) holderAfter.contactEmail = null;
  const recipientAfter: User = command.as === 'login' ? { ...recipient, loginEmail: email } : { ...recipient, contactEmail: email };
  return changeOf(
    context,
    [
      { before: holder, after: holderAfter, action: 'email.transferred_out', details: { email, toUserId: recipient.id } },
      { before: recipient, after: recipientAfter, action: 'email.transferred_in', details: { email, fromUserId: holder.id, as: command.as } },
    ],
    roles.includes('login') ? [{ type: 'dropPending', kind: 'loginChange', userId: holder.id }] : [],
  );
}
